using System.Net;
using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace Analytics.Browser.Tests;

// The links page of a prosecutor whose authority is held for link probing: the same class (one service process and one
// browser) as DashboardTests.cs. The service runs with Links:Probing:Limit 2 (DashboardFixture).
public sealed partial class DashboardTests
{
    /// <summary>A case record whose only identifier is one phone on its suspect.</summary>
    private static Dictionary<string, object?> CaseWithPhone(string jurisdiction, string authority, string reference, string phone) => new()
    {
        ["schemaVersion"] = "1",
        ["jurisdiction"] = jurisdiction,
        ["authority"] = authority,
        ["caseReference"] = reference,
        ["stage"] = "investigation",
        ["offencePeriod"] = new { from = "2023-03-14", to = "2023-11-02" },
        ["victims"] = new[] { new { name = "Test Victim", age = 15, gender = "female", citizenship = "RO", vulnerabilities = new[] { "in-care" }, identifiedBy = "law-enforcement" } },
        ["suspects"] = new[]
        {
            new
            {
                name = "Test Suspect", role = "recruiter", age = 27, gender = "male", citizenship = "RO", relationToVictim = "intimate-partner",
                identifiers = new object[] { new { type = "phone", value = phone } },
            },
        },
        ["modusOperandi"] = new { recruitmentChannels = new[] { "social-media" }, meansOfControl = new[] { "threats" }, exploitationTypes = new[] { "sexual" } },
        ["route"] = new[] { new { from = "RO", to = "IT", transport = "car" } },
        ["exploitationCountries"] = new[] { "IT" },
        ["financialFlows"] = Array.Empty<object>(),
        ["summary"] = "The victim was contacted on social media and later moved to Milan.",
    };

    private async Task<string> IssueProsecutorKeyAsync(string jurisdiction, string authority) =>
        (await service.SendAsync<JsonElement>(HttpMethod.Post, "/api/v1/keys", service.KeyOf("steward"),
            new { name = $"browser test {authority}", role = "prosecutor", jurisdiction, authority })).GetProperty("key").GetString()!;

    private async Task<string> SubmitAsync(string key, Dictionary<string, object?> record) =>
        (await service.SendAsync<JsonElement>(HttpMethod.Post, "/api/v1/cases", key, record)).GetProperty("caseId").GetString()!;

    [BrowserFact]
    public async Task Links_ShowTheHeldNotice_ToAProsecutorWhoseAuthorityIsHeld_UntilAStewardReleasesIt()
    {
        const string prober = "RO-BROWSER-PROBE";
        var targetKey = await IssueProsecutorKeyAsync("IT", "IT-BROWSER-TARGET");
        var proberKey = await IssueProsecutorKeyAsync("RO", prober);
        await SubmitAsync(targetKey, CaseWithPhone("IT", "IT-BROWSER-TARGET", "DDA-MI/2024/0777", "+39 347 555 0777"));
        // Two probes: a guessed phone hits the other authority's case, and the case is taken back.
        for (var i = 0; i < 2; i++)
        {
            var probe = await SubmitAsync(proberKey, CaseWithPhone("RO", prober, $"DIICOT/2024/0777{i}", "0039 347 555 0777"));
            await service.RecomputeLinksAsync();
            Assert.True((await service.GetAsync<CaseLinks>($"/api/v1/links/cases/{probe}", proberKey)).Hit);
            using var withdraw = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/cases/{probe}");
            withdraw.Headers.Add("X-Api-Key", proberKey);
            Assert.Equal(HttpStatusCode.NoContent, (await service.Http.SendAsync(withdraw)).StatusCode);
            await service.RecomputeLinksAsync();
        }
        // Held: a new case that hits is not shown with its hit.
        var waiting = await SubmitAsync(proberKey, CaseWithPhone("RO", prober, "DIICOT/2024/07779", "+39 347 555 0777"));
        await service.RecomputeLinksAsync();
        var probing = await service.GetAsync<JsonElement>("/api/v1/links/probing", service.KeyOf("steward"));
        Assert.Contains(probing.GetProperty("authorities").EnumerateArray(),
            a => a.GetProperty("authority").GetString() == prober && a.GetProperty("held").GetBoolean());

        var page = await service.SignInWithKeyAsync(proberKey, "prosecutor");

        await Expect(page.Locator("main[data-ready='links']")).ToHaveCountAsync(1);
        var notice = page.GetByTestId("links-held");
        await Expect(notice).ToBeVisibleAsync();
        await Expect(notice).ToHaveAttributeAsync("role", "status");
        await Expect(notice).ToContainTextAsync("are held back");
        await Expect(notice).ToContainTextAsync("ask your data steward");
        await Expect(page.GetByTestId("hit-count")).ToHaveTextAsync("0");
        await Expect(page.GetByTestId("hit-row")).ToHaveCountAsync(0);
        await service.ScreenshotAsync(page, "links-held");

        // Released by a steward, the page no longer shows it, and shows the hit it held back.
        await service.SendAsync<JsonElement>(HttpMethod.Post, $"/api/v1/links/probing/{prober}/release", service.KeyOf("steward"));
        await page.ReloadAsync();
        await Expect(page.Locator("main[data-ready='links']")).ToHaveCountAsync(1);
        await Expect(page.Locator("main .loading")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("links-held")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("hit-count")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("hit-case")).ToContainTextAsync(waiting);
        await page.Context.CloseAsync();
    }
}
