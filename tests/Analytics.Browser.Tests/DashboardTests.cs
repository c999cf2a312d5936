using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Analytics.Browser.Tests;

/// <summary>
/// The dashboard in a real Chromium against the real service with demo data: each role signs in, each page is opened,
/// the figures shown are checked against the API's own answers, and a screenshot of each page is saved.
/// </summary>
public sealed partial class DashboardTests(DashboardFixture service) : IClassFixture<DashboardFixture>
{
    [BrowserTheory]
    [InlineData("analyst", null, "Patterns|Routes|Match", "patterns", "models")]
    [InlineData("steward", null, "Patterns|Routes|Match|Models & schedules|Privacy & audit", "patterns", "links")]
    [InlineData("prosecutor", "RO-DIICOT", "Links", "links", "patterns")]
    [InlineData("prosecutor", "IT-DDA-MILANO", "Links", "links", "privacy")]
    public async Task SignIn_ShowsThePagesOfTheRole_ForEachRole(string role, string? authority, string pages, string landing, string forbidden)
    {
        var page = await service.SignInAsync(role, authority);

        await Expect(page.Locator("#nav a")).ToHaveTextAsync(pages.Split('|'));
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"#/{landing}$"));
        if (authority is not null) await Expect(page.Locator(".who")).ToContainTextAsync(authority);
        // A page of another role, typed into the address bar, sends the reader back to the role's first page.
        await page.EvaluateAsync("path => { location.hash = path; }", $"#/{forbidden}");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"#/{landing}$"));
        if (role == "prosecutor") await service.ScreenshotAsync(page, $"links-{authority}");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task SignIn_ShowsAnError_WhenTheKeyIsUnknown()
    {
        var context = await service.Browser.NewContextAsync(new() { BaseURL = service.BaseUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("API key or access token").FillAsync("ak_000000000000.not-a-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Sign-in failed");
        await Expect(page.Locator("#nav a")).ToHaveCountAsync(0);
        await service.ScreenshotAsync(page, "sign-in-error");
        await context.CloseAsync();
    }

    [BrowserFact]
    public async Task Patterns_ShowsOneCardPerReleasedPattern_WithTheApisSizes()
    {
        var api = await service.GetAsync<PatternPage>("/api/v1/patterns?pageSize=100", service.KeyOf("analyst"));
        var emerging = await service.GetAsync<EmergingReport>("/api/v1/insights/emerging", service.KeyOf("analyst"));
        var page = await service.SignInAsync("analyst");

        var cards = page.GetByTestId("pattern-card");
        await Expect(cards).ToHaveCountAsync(api.Total);
        await Expect(page.GetByTestId("pattern-total")).ToHaveTextAsync(api.Total.ToString());
        await Expect(cards.First.GetByRole(AriaRole.Heading)).ToHaveTextAsync(api.Items[0].Label);
        await Expect(cards.First.GetByTestId("pattern-size")).ToHaveTextAsync(Shown.Count(api.Items[0].Size, false, api.DisclosureThreshold));
        await Expect(cards.GetByTestId("pattern-size")).ToHaveTextAsync(api.Items.Select(p => Shown.Count(p.Size, false, api.DisclosureThreshold)).ToArray());
        await Expect(page.GetByTestId("emerging")).ToHaveCountAsync(emerging.Patterns.Count(p => p.Emerging == true));
        await Expect(page.Locator(".spark svg")).ToHaveCountAsync(api.Total);
        await service.ScreenshotAsync(page, "patterns");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task PatternDetail_ShowsProfileTrendAndJurisdictions_WithSuppressedCellsAsLessThanK()
    {
        var list = await service.GetAsync<PatternPage>("/api/v1/patterns?pageSize=100", service.KeyOf("analyst"));
        var k = list.DisclosureThreshold;
        var pattern = list.Items.First(p => p.Jurisdictions.Any(j => j.Suppressed));
        var trend = await service.GetAsync<Trend>($"/api/v1/patterns/{pattern.Id}/trend?interval=quarter", service.KeyOf("analyst"));
        var page = await service.SignInAsync("analyst");

        await page.GetByRole(AriaRole.Link, new() { Name = pattern.Label, Exact = true }).ClickAsync();

        await Expect(page.GetByTestId("pattern-title")).ToHaveTextAsync(pattern.Label);
        await Expect(page.GetByTestId("attribute")).ToHaveCountAsync(pattern.Attributes.Count);
        await Expect(page.GetByTestId("jurisdiction-cases")).ToHaveTextAsync(pattern.Jurisdictions.Select(j => Shown.Count(j.Count, j.Suppressed, k)).ToArray());
        await Expect(page.GetByTestId("jurisdiction-cases").Filter(new() { HasText = $"< {k}" })).ToHaveCountAsync(pattern.Jurisdictions.Count(j => j.Suppressed));
        Assert.DoesNotContain("0", (await page.GetByTestId("jurisdiction-cases").AllTextContentsAsync()).Where(t => t.Trim() == "0"));
        await page.GetByText("Figures").ClickAsync();
        await Expect(page.GetByTestId("trend-cases")).ToHaveTextAsync(trend.Points.Select(p => Shown.Count(p.Cases, p.Suppressed, k)).ToArray());
        await service.ScreenshotAsync(page, "pattern-detail");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Routes_ShowsTheApisFlows_AndFiltersByPeriodAndType()
    {
        var all = await service.GetAsync<RouteReport>("/api/v1/insights/routes", service.KeyOf("analyst"));
        var filtered = await service.GetAsync<RouteReport>("/api/v1/insights/routes?from=2022&to=2024&exploitationType=labour", service.KeyOf("analyst"));
        Assert.Contains(all.Flows, f => f.Suppressed); // the demo data has small routes: the "< k" rendering is exercised
        var page = await service.SignInAsync("analyst");

        await page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = "Routes" }).ClickAsync();
        await Expect(page.GetByTestId("route-row")).ToHaveCountAsync(all.Flows.Count);
        await Expect(page.GetByTestId("route-cases")).ToHaveTextAsync(all.Flows.Select(f => Shown.Count(f.Cases, f.Suppressed, all.DisclosureThreshold)).ToArray());
        await Expect(page.Locator("svg.flow path.flow-link")).Not.ToHaveCountAsync(0);
        await service.ScreenshotAsync(page, "routes");

        await page.GetByLabel("From year").FillAsync("2022");
        await page.GetByLabel("To year").FillAsync("2024");
        await page.GetByLabel("Exploitation type").SelectOptionAsync("labour");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.GetByTestId("route-row")).ToHaveCountAsync(filtered.Flows.Count);
        await Expect(page.GetByTestId("route-cases")).ToHaveTextAsync(filtered.Flows.Select(f => Shown.Count(f.Cases, f.Suppressed, filtered.DisclosureThreshold)).ToArray());
        // The filter leaves small routes: they read "< k", and no cell reads 0.
        Assert.Contains(filtered.Flows, f => f.Suppressed);
        await Expect(page.GetByTestId("route-cases").Filter(new() { HasText = $"< {filtered.DisclosureThreshold}" })).ToHaveCountAsync(filtered.Flows.Count(f => f.Suppressed));
        Assert.DoesNotContain("0", (await page.GetByTestId("route-cases").AllTextContentsAsync()).Select(t => t.Trim()));
        await service.ScreenshotAsync(page, "routes-filtered");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Match_ShowsTheNearestPatternsPredictedTypesAndIndicators_OfTheApi_ForAProfileUsingEveryField()
    {
        // The same profile the form below builds, with every field POST /api/v1/match accepts.
        var profile = new
        {
            jurisdiction = "IT",
            periodFrom = "2023-04",
            victims = new[] { new { ageBand = "15-17", gender = "female", citizenship = "RO" }, new { ageBand = "12-14", gender = "male", citizenship = "MD" } },
            suspects = new[] { new { role = "recruiter", relationToVictim = "intimate-partner" } },
            recruitmentChannels = new[] { "social-media", "messaging-app" },
            meansOfControl = new[] { "debt-bondage" },
            exploitationTypes = Array.Empty<string>(),
            labourSectors = new[] { "hospitality" },
            evidenceKinds = new[] { "chat-logs" },
            platforms = new[] { "instagram" },
            paymentChannels = new[] { "money-transfer-service" },
            routeCountries = new[] { "RO", "AT", "IT" },
            exploitationCountries = new[] { "IT" },
        };
        var api = await service.SendAsync<MatchResult>(HttpMethod.Post, "/api/v1/match", service.KeyOf("analyst"), profile);
        var page = await service.SignInAsync("analyst");
        await page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = "Match" }).ClickAsync();

        await page.GetByLabel("Jurisdiction").SelectOptionAsync("IT");
        await page.GetByLabel("Start of the facts (month)").FillAsync("2023-04");
        await page.GetByLabel("Origin country").SelectOptionAsync("RO");
        await page.GetByLabel("Transit countries").SelectOptionAsync("AT");
        await page.GetByLabel("Destination country").SelectOptionAsync("IT");
        var victim1 = page.GetByRole(AriaRole.Group, new() { Name = "Victim 1" });
        await victim1.GetByLabel("Age band").SelectOptionAsync("15-17");
        await victim1.GetByLabel("Gender").SelectOptionAsync("female");
        await victim1.GetByLabel("Citizenship").SelectOptionAsync("RO");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a victim" }).ClickAsync();
        var victim2 = page.GetByRole(AriaRole.Group, new() { Name = "Victim 2" });
        await victim2.GetByLabel("Age band").SelectOptionAsync("12-14");
        await victim2.GetByLabel("Gender").SelectOptionAsync("male");
        await victim2.GetByLabel("Citizenship").SelectOptionAsync("MD");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a suspect" }).ClickAsync();
        var suspect = page.GetByRole(AriaRole.Group, new() { Name = "Suspect 1" });
        await suspect.GetByLabel("Role").SelectOptionAsync("recruiter");
        await suspect.GetByLabel("Relation to the victim").SelectOptionAsync("intimate-partner");
        foreach (var (group, label) in new[]
        {
            ("Recruitment channels", "Social media"), ("Recruitment channels", "Messaging app"), ("Means of control", "Debt bondage"),
            ("Labour sectors", "Hospitality"), ("Kinds of digital evidence", "Chat logs"), ("Platforms", "Instagram"),
            ("Payment channels", "Money transfer service"),
        })
        {
            await page.GetByRole(AriaRole.Group, new() { Name = group }).GetByLabel(label, new() { Exact = true }).CheckAsync();
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Match", Exact = true }).ClickAsync();

        await Expect(page.GetByTestId("nearest-pattern").GetByRole(AriaRole.Link)).ToHaveTextAsync(api.NearestPatterns.Select(p => p.Label).ToArray());
        await Expect(page.GetByTestId("nearest-distance")).ToHaveTextAsync(api.NearestPatterns.Select(p => p.Distance.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        var types = api.ExploitationTypes.OrderByDescending(t => t.Probability).ToList();
        await Expect(page.GetByTestId("predicted-type")).ToHaveCountAsync(types.Count);
        Assert.Equal(types.Select(t => t.Class), await page.GetByTestId("predicted-type").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.class)"));
        await Expect(page.GetByTestId("predicted-probability")).ToHaveTextAsync(types.Select(t => Shown.Percent(t.Probability)).ToArray());
        Assert.NotEmpty(api.DrivingFeatures);
        Assert.Equal(api.DrivingFeatures, await page.GetByTestId("driving-feature").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.feature)"));
        await Expect(page.GetByTestId("driving-feature").First).Not.ToContainTextAsync("=");
        await service.ScreenshotAsync(page, "match");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Models_ActivatesAVersionAndEditsASchedule_ThroughTheUi()
    {
        var steward = service.KeyOf("steward");
        var before = (await service.GetAsync<List<Model>>("/api/v1/models", steward)).Single(m => m.Name == "child-victim");

        var page = await service.SignInAsync("steward");
        await page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = "Models & schedules" }).ClickAsync();
        var card = page.GetByTestId("model-child-victim");
        await Expect(card.GetByTestId("active-version")).ToHaveTextAsync(before.Active!);

        // "Train now" queues a second version of the small child-victim classifier (pattern pages are unaffected); the
        // page follows the run on its own, without a reload, until it ends and the card shows the new version.
        await card.GetByTestId("train-child-victim").ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("Training of child-victim queued");
        await Expect(page.Locator(".notice")).ToContainTextAsync("Training of child-victim succeeded: version", new() { Timeout = 90_000 });
        var model = (await service.GetAsync<List<Model>>("/api/v1/models", steward)).Single(m => m.Name == "child-victim");
        Assert.True(model.Versions.Count == before.Versions.Count + 1, $"child-victim was not retrained.\n{service.LogTail()}");
        var latest = page.GetByTestId("job-runs").Locator("tbody tr", new() { HasText = "train:child-victim" }).First;
        await Expect(latest).ToContainTextAsync("succeeded");
        var target = model.Versions.First(v => v.Version != model.Active).Version;
        await Expect(card.GetByTestId($"activate-child-victim-{target}")).ToBeVisibleAsync();

        await card.GetByTestId($"activate-child-victim-{target}").ClickAsync();
        await Expect(page.GetByTestId("model-child-victim").GetByTestId("active-version")).ToHaveTextAsync(target);
        var after = (await service.GetAsync<List<Model>>("/api/v1/models", steward)).Single(m => m.Name == "child-victim");
        Assert.Equal(target, after.Active);

        var cron = page.GetByTestId("cron-refresh-aggregates");
        await cron.FillAsync("15 4 * * 1");
        var form = page.GetByTestId("schedule-refresh-aggregates");
        await Expect(form.Locator(".preview")).ToHaveTextAsync("At 04:15 UTC, on Monday.");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("Schedule of refresh-aggregates saved");
        var schedule = await service.GetAsync<Schedule>("/api/v1/schedules/refresh-aggregates", steward);
        Assert.Equal("15 4 * * 1", schedule.Cron);

        await cron.FillAsync("every day at noon");
        await Expect(page.GetByTestId("schedule-refresh-aggregates").Locator(".preview")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("bad"));
        await page.GetByTestId("schedule-refresh-aggregates").GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("five fields");
        Assert.Equal("15 4 * * 1", (await service.GetAsync<Schedule>("/api/v1/schedules/refresh-aggregates", steward)).Cron);

        await Expect(page.GetByTestId("job-runs").Locator("tbody tr")).Not.ToHaveCountAsync(0);
        await service.ScreenshotAsync(page, "models");
        await page.Context.CloseAsync();
    }
}
