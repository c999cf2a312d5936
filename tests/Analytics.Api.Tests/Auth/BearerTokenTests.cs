using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Analytics.Api.Dashboard;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Analytics.Api.Tests.Auth;

/// <summary>
/// The service with bearer tokens configured. The identity provider's configuration (issuer and signing key) is given to
/// the handler directly, so nothing is fetched from the authority: the tokens are signed here with that key.
/// </summary>
public sealed class BearerTokenFactory : AnalyticsFactory
{
    public const string Issuer = "https://idp.analytics.test";
    public const string Audience = "analytics";
    public static readonly SymmetricSecurityKey Key = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) { KeyId = "test-signing-key" };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Authentication:Jwt:Authority", Issuer);
        builder.UseSetting("Authentication:Jwt:Audience", Audience);
        builder.ConfigureServices(services => services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o =>
        {
            var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
            configuration.SigningKeys.Add(Key);
            // Set before the handler's own post-configuration, which then never makes a manager that would fetch metadata.
            o.Configuration = configuration;
            o.ConfigurationManager = new Microsoft.IdentityModel.Protocols.StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
        }));
    }

    public HttpClient ClientWithToken(string subject, string role, string? jurisdiction = null, string? authority = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject, ["analytics_role"] = role };
        if (jurisdiction is not null) claims["jurisdiction"] = jurisdiction;
        if (authority is not null) claims["authority"] = authority;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

public sealed class BearerTokenTests : IClassFixture<BearerTokenFactory>
{
    private readonly BearerTokenFactory _factory;

    public BearerTokenTests(BearerTokenFactory factory) => _factory = factory;

    [Fact]
    public async Task ATokensCaller_IsKnownWhereverAKeysCallerIs_AndAuditedBySubject()
    {
        var analyst = _factory.ClientWithToken("analyst-7f3a", "analyst");
        var steward = _factory.ClientWithToken("steward-19c2", "steward");

        var meResponse = await analyst.GetAsync("/api/v1/me");
        Assert.True(meResponse.IsSuccessStatusCode, $"{(int)meResponse.StatusCode} {meResponse.Headers.WwwAuthenticate}");
        var me = await meResponse.Content.ReadFromJsonAsync<Me>();
        var codes = await analyst.GetAsync("/api/v1/codelists/genders");
        var dashboard = await steward.GetAsync("/hangfire");
        var keyStill = await (await _factory.ClientForAsync(Roles.Analyst)).GetAsync("/api/v1/me");
        var forged = _factory.CreateClient();
        // An unsigned token ("alg": "none") naming a steward: it must be refused, not read.
        static string Part(string json) => Base64UrlEncoder.Encode(json);
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            $"{Part("""{"alg":"none"}""")}.{Part($$"""{"sub":"x","iss":"{{BearerTokenFactory.Issuer}}","aud":"{{BearerTokenFactory.Audience}}","analytics_role":"steward"}""")}.");
        // The audit trail is appended in the background: wait for the analyst's requests to land in it.
        var audit = "";
        for (var waited = 0; waited < 100 && !audit.Contains("\"analyst-7f3a\"", StringComparison.Ordinal); waited++)
        {
            await Task.Delay(100);
            audit = await steward.GetStringAsync("/api/v1/audit?limit=1000");
        }

        Assert.Equal("analyst", me!.Role);
        Assert.Equal(HttpStatusCode.OK, codes.StatusCode);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keyStill.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/v1/me")).StatusCode);
        Assert.Contains("\"analyst-7f3a\"", audit);
        Assert.DoesNotContain("\"anonymous\"", audit);
    }
}
