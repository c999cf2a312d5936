using System.Security.Claims;
using Analytics.Api.Auth;
using Analytics.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Auth;

/// <summary>The prosecutor policy holds any principal (an API key or a token from an identity provider) to the key rules.</summary>
public sealed class ProsecutorPolicyTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    private async Task<bool> AllowedAsync(string? jurisdiction, string? authority)
    {
        var claims = new List<Claim> { new(AnalyticsClaims.Role, "prosecutor") };
        if (jurisdiction is not null) claims.Add(new(AnalyticsClaims.Jurisdiction, jurisdiction));
        if (authority is not null) claims.Add(new(AnalyticsClaims.Authority, authority));
        var user = new ClaimsPrincipal(new ClaimsIdentity(claims, "test"));
        var authorization = factory.Services.GetRequiredService<IAuthorizationService>();
        return (await authorization.AuthorizeAsync(user, null, Policies.Prosecutor)).Succeeded;
    }

    [Theory]
    [InlineData("RO", "RO-DIICOT", true)]
    [InlineData("IT", "IT-DDA-MILANO", true)]
    [InlineData("RO", "IT-DDA-MILANO", false)]
    [InlineData("XX", "XX-NOWHERE", false)]
    [InlineData("RO", "RO-", false)]
    [InlineData("RO", null, false)]
    [InlineData(null, "RO-DIICOT", false)]
    public async Task AProsecutor_IsLetIn_OnlyWithAKnownJurisdictionAndAnAuthorityOfIt(string? jurisdiction, string? authority, bool allowed)
    {
        Assert.Equal(allowed, await AllowedAsync(jurisdiction, authority));
    }
}
