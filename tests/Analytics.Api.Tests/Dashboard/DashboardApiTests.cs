using System.Net;
using System.Net.Http.Json;
using Analytics.Api.Dashboard;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;

namespace Analytics.Api.Tests.Dashboard;

public sealed class DashboardApiTests : IClassFixture<AnalyticsFactory>
{
    private readonly AnalyticsFactory _factory;

    public DashboardApiTests(AnalyticsFactory factory) => _factory = factory;

    [Fact]
    public async Task Me_ReturnsRoleAndAuthority_OfTheKey()
    {
        var prosecutor = await _factory.ProsecutorAsync("IT", "IT-DDA-MILANO");
        var me = await prosecutor.GetFromJsonAsync<Me>("/api/v1/me");
        Assert.Equal(new[] { "prosecutor", "IT", "IT-DDA-MILANO" }, new[] { me!.Role, me.Jurisdiction, me.Authority });
        Assert.False(string.IsNullOrEmpty(me.KeyId));

        var analyst = await _factory.ClientForAsync(Roles.Analyst);
        Assert.Equal("analyst", (await analyst.GetFromJsonAsync<Me>("/api/v1/me"))!.Role);
    }

    [Fact]
    public async Task Me_Answers401_WithoutAKey()
    {
        var anonymous = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/codelists/genders")).StatusCode);
    }

    [Fact]
    public async Task CodeList_ReturnsCodesWithLabels_OnlyForFormLists()
    {
        var analyst = await _factory.ClientForAsync(Roles.Analyst);
        var types = await analyst.GetFromJsonAsync<List<CodeListEntry>>("/api/v1/codelists/exploitation-types");
        Assert.Contains(types!, t => t.Code == "labour" && t.Label == "Forced labour");
        var identifierTypes = await analyst.GetFromJsonAsync<List<CodeListEntry>>("/api/v1/codelists/identifier-types");
        Assert.Contains(identifierTypes!, t => t.Code == "iban" && t.Label == "IBAN");
        Assert.Equal(HttpStatusCode.NotFound, (await analyst.GetAsync("/api/v1/codelists/vulnerability-factors")).StatusCode);
    }

    [Fact]
    public async Task Root_ServesTheDashboard_WithoutAKey()
    {
        var anonymous = _factory.CreateClient();
        var page = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("js/app.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/js/pages/patterns.js")).StatusCode);
    }
}
