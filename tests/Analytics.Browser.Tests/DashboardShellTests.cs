using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Analytics.Browser.Tests;

// The shell's routing and sign-out, the match form's rows, the links page's alerts and the API reference under the
// service's content policy: the same class (one service process and one browser) as DashboardTests.cs.
public sealed partial class DashboardTests
{
    [BrowserFact]
    public async Task RefusedKey_SendsTheReaderBackToSignIn_FromAPageThatCatchesItsOwnErrors()
    {
        var page = await service.SignInAsync("analyst");
        await DashboardFixture.OpenAsync(page, "patterns");
        // The key is revoked while the reader is signed in: every further request answers 401.
        await page.RouteAsync("**/api/v1/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 401,
            ContentType = "application/problem+json",
            Body = """{"title":"Unauthorized","status":401}""",
        }));

        await page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = "Routes" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("#/sign-in$"));
        await Expect(page.GetByLabel("API key or access token")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Signed out");
        await Expect(page.Locator("#nav a")).ToHaveCountAsync(0);
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('analytics.credential')"));
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task SkipLink_MovesFocusToTheContent_AndStaysOnThePage()
    {
        var page = await service.SignInAsync("analyst");
        await DashboardFixture.OpenAsync(page, "routes");

        await page.Locator("a.skip").FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("main")).ToBeFocusedAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#/routes$"));
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Routes");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task FilteredRoutesAddress_ShowsTheFilteredRoutes_AfterAReload()
    {
        var page = await service.SignInAsync("analyst");
        var filtered = await service.GetAsync<RouteReport>("/api/v1/insights/routes?from=2022", service.KeyOf("analyst"));

        await page.EvaluateAsync("() => { location.hash = '#/routes?from=2022'; }");
        await page.ReloadAsync();

        await Expect(page.Locator("main[data-ready='routes']")).ToHaveCountAsync(1);
        await Expect(page).ToHaveURLAsync(new Regex(@"#/routes\?from=2022$"));
        await Expect(page.GetByLabel("From year")).ToHaveValueAsync("2022");
        await Expect(page.Locator("#nav a[aria-current='page']")).ToHaveTextAsync("Routes");
        await Expect(page.GetByTestId("route-row")).ToHaveCountAsync(filtered.Flows.Count);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task MatchForm_KeepsIdsUniqueAndSelectsLabelled_AfterRowsAreRemovedAndAdded()
    {
        var page = await service.SignInAsync("analyst");
        await DashboardFixture.OpenAsync(page, "match");
        var addSuspect = page.GetByRole(AriaRole.Button, new() { Name = "Add a suspect" });
        var addVictim = page.GetByRole(AriaRole.Button, new() { Name = "Add a victim" });

        await addSuspect.ClickAsync();
        await addSuspect.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove suspect 1" }).ClickAsync();
        await addSuspect.ClickAsync();
        await addVictim.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove victim 2" }).ClickAsync();
        await addVictim.ClickAsync();

        await Expect(page.Locator("fieldset[data-role='suspect']")).ToHaveCountAsync(2);
        await Expect(page.Locator("fieldset[data-role='victim']")).ToHaveCountAsync(2);
        var ids = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('main [id]')].map(e => e.id)");
        Assert.Equal(ids.Length, ids.Distinct().Count());
        var unlabelled = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('fieldset.person select')].filter(s => s.labels.length !== 1).map(s => s.name)");
        Assert.Empty(unlabelled);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task LinksAlerts_AreNewestFirst_AndMarkAllAsRead_FocusesTheNoticeAndClearsTheUnreadFigure()
    {
        // The demo's first-run prosecutors start with unread alerts; take one that still has some.
        string? who = null;
        List<LinkAlert> alerts = [];
        foreach (var authority in new[] { "IT-DDA-MILANO", "RO-DIICOT" })
        {
            alerts = (await service.GetAsync<LinkAlertPage>("/api/v1/links/alerts?limit=1000&order=newest", service.KeyOf("prosecutor", authority))).Items.ToList();
            if (alerts.Any(a => !a.Read)) { who = authority; break; }
        }
        Assert.True(who is not null, "Neither first-run prosecutor has an unread alert in the demo data.");
        var page = await service.SignInAsync("prosecutor", who);
        await Expect(page.GetByTestId("alert-row")).ToHaveCountAsync(alerts.Count);
        await Expect(page.GetByTestId("alert-number")).ToHaveTextAsync(alerts.Select(a => a.Id.ToString()).ToArray());
        await Expect(page.GetByTestId("unread-count")).ToHaveTextAsync(alerts.Count(a => !a.Read).ToString());

        await page.GetByRole(AriaRole.Button, new() { Name = "Mark all as read" }).ClickAsync();

        await Expect(page.GetByTestId("alerts-notice")).ToBeFocusedAsync();
        await Expect(page.GetByTestId("alerts-notice")).ToHaveTextAsync($"{alerts.Count(a => !a.Read)} alerts marked as read.");
        await Expect(page.GetByTestId("unread-count")).ToHaveTextAsync("0");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task LinksAlerts_AreShownWithoutAnyHit_AndSayWhenTheListIsCut()
    {
        var page = await service.SignInAsync("prosecutor", "RO-DIICOT");
        // No hit any more (both sides' cases withdrawn), and more alerts than the page loads: every page says "next".
        await page.RouteAsync("**/api/v1/links/cases**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200, ContentType = "application/json", Body = """{"items":[],"next":null}""",
        }));
        await page.RouteAsync("**/api/v1/links/alerts**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200, ContentType = "application/json",
            Body = """{"items":[{"id":9,"caseId":"c-1","newJurisdictions":["IT"],"newAuthorities":["IT-DDA-MILANO"],"matchedTypes":["phone"],"createdAt":"2026-11-23T18:43:05Z","read":false,"ended":true}],"next":9}""",
        }));
        await page.ReloadAsync();

        await Expect(page.Locator("main[data-ready='links']")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("empty")).ToContainTextAsync("None of your cases has a hit");
        await Expect(page.GetByTestId("alert-row")).ToHaveCountAsync(20);
        await Expect(page.GetByTestId("alerts-cut")).ToContainTextAsync("Only your newest 20 alerts are shown");
        await Expect(page.GetByTestId("alert-row").First).ToContainTextAsync("ended");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task ApiReference_Renders_UnderItsContentPolicy()
    {
        var context = await service.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = service.BaseUrl });
        var page = await context.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) => { if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) violations.Add(message.Text); };
        page.PageError += (_, error) => violations.Add(error);

        var response = await page.GotoAsync("/docs/");

        Assert.Contains("script-src", response!.Headers["content-security-policy"]);
        await Expect(page.Locator("body")).ToContainTextAsync("Links", new() { Timeout = 30_000 });
        Assert.Empty(violations);
        await context.CloseAsync();
    }
}
