using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Analytics.Browser.Tests;

// Links, privacy & audit, the loading / empty / error states, the tablet width and accessibility: the same class
// (one service process and one browser) as DashboardTests.cs.
public sealed partial class DashboardTests
{
    [BrowserFact]
    public async Task Links_ShowsTheHitsOnTheAuthoritysOwnCases_WithTheApisTypesJurisdictionsAndAuthorities()
    {
        // The demo plants cross-border links between the catalogue's authorities; both first-run prosecutor keys belong to
        // catalogue authorities. The test takes the one with more hits and requires that it has some.
        var byAuthority = new List<(string Authority, List<CaseLinks> Hits, List<LinkAlert> Alerts)>();
        foreach (var authority in new[] { "RO-DIICOT", "IT-DDA-MILANO" })
        {
            var key = service.KeyOf("prosecutor", authority);
            var cases = await service.GetAsync<CaseLinksPage>("/api/v1/links/cases?limit=1000", key);
            var alerts = await service.GetAsync<LinkAlertPage>("/api/v1/links/alerts?limit=1000", key);
            byAuthority.Add((authority, cases.Items.Where(c => c.Hit).ToList(), alerts.Items.ToList()));
        }
        var (who, hits, alertList) = byAuthority.MaxBy(a => a.Hits.Count);
        Assert.True(hits.Count > 0, "Neither first-run prosecutor has a hit in the demo data.");
        Assert.Contains(hits, h => h.CrossBorder);
        var types = (await service.GetAsync<List<CodeListEntry>>("/api/v1/codelists/identifier-types", service.KeyOf("analyst"))).ToDictionary(t => t.Code, t => t.Label);

        var page = await service.SignInAsync("prosecutor", who);

        await Expect(page.GetByTestId("hit-count")).ToHaveTextAsync(hits.Count.ToString());
        await Expect(page.GetByTestId("cross-border-count")).ToHaveTextAsync(hits.Count(h => h.CrossBorder).ToString());
        await Expect(page.GetByTestId("hit-row")).ToHaveCountAsync(hits.Count);
        await Expect(page.GetByTestId("hit-case")).ToHaveTextAsync(hits.Select(h => new Regex("^" + Regex.Escape(h.CaseId))).ToArray());
        await Expect(page.GetByTestId("hit-types")).ToHaveTextAsync(hits.Select(h => h.MatchedTypes.Count == 0 ? "via linked cases" : string.Join(", ", h.MatchedTypes.Select(t => types[t]))).ToArray());
        // No authority is held back in the demo data.
        await Expect(page.GetByTestId("links-held")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("hit-jurisdictions")).ToHaveTextAsync(
            hits.Select(h => string.Join(" · ", h.Jurisdictions.Select(j => $"{j.Jurisdiction}{(j.Domestic ? " (domestic)" : "")}: {j.Cases}"))).ToArray());
        var contacts = hits.SelectMany(h => h.Jurisdictions).SelectMany(j => j.Authorities).Where(a => a != who).Distinct().ToList();
        Assert.NotEmpty(contacts);
        await Expect(page.GetByTestId("contact-count")).ToHaveTextAsync(contacts.Count.ToString());
        await Expect(page.GetByTestId("contact-row")).ToHaveCountAsync(contacts.Count);
        await Expect(page.GetByTestId("alert-row")).ToHaveCountAsync(alertList.Count);
        await Expect(page.GetByTestId("unread-count")).ToHaveTextAsync(alertList.Count(a => !a.Read).ToString());

        // Never an identifier: no e-mail address, phone number, IBAN or 64-hex token anywhere on the page.
        var text = await page.Locator("body").InnerTextAsync();
        var html = await page.ContentAsync();
        Assert.DoesNotMatch(new Regex(@"[\w.+-]+@[\w-]+\.\w+"), text);
        Assert.DoesNotMatch(new Regex(@"\+\d{8,}"), text);
        Assert.DoesNotMatch(new Regex(@"\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b"), text);
        Assert.DoesNotMatch(new Regex("[0-9a-f]{64}"), html);
        await service.ScreenshotAsync(page, "links");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Privacy_ShowsTheReportAndTheAuditVerification_WithTheApisFigures()
    {
        var steward = service.KeyOf("steward");
        var report = await service.GetAsync<PrivacyReport>("/api/v1/privacy/report", steward);
        var strict = await service.GetAsync<PrivacyReport>("/api/v1/privacy/report?k=25", steward);
        var before = await service.GetAsync<ChainVerification>("/api/v1/audit/verify", steward);
        var r = report.Risk;
        var page = await service.SignInAsync("steward");
        await page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = "Privacy & audit" }).ClickAsync();

        await Expect(page.GetByTestId("privacy-records")).ToHaveTextAsync(Shown.Number(r.Records));
        await Expect(page.GetByTestId("privacy-classes")).ToHaveTextAsync(Shown.Number(r.Classes));
        await Expect(page.GetByTestId("privacy-smallest")).ToHaveTextAsync(Shown.Number(r.SmallestClassSize));
        await Expect(page.GetByTestId("privacy-k-achieved")).ToHaveTextAsync(Shown.Number(r.KAchieved));
        await Expect(page.GetByTestId("privacy-classes-below")).ToHaveTextAsync(Shown.Number(r.ClassesBelowK));
        await Expect(page.GetByTestId("privacy-records-below")).ToHaveTextAsync(Shown.Number(r.RecordsBelowK));
        await Expect(page.GetByTestId("k-verdict")).ToContainTextAsync(r.SatisfiesK ? $"is {r.K}-anonymous" : $"is not {r.K}-anonymous");
        await Expect(page.GetByTestId("class-size-groups")).ToHaveTextAsync(r.ClassSizes.Select(b => Shown.Number(b.Classes)).ToArray());
        await Expect(page.GetByTestId("class-size-records")).ToHaveTextAsync(r.ClassSizes.Select(b => Shown.Number(b.Records)).ToArray());
        await Expect(page.GetByTestId("risk-prosecutor")).ToBeVisibleAsync();

        // The chain grows with every request (this page's included), so the page verifies at least as many entries.
        Assert.True(before.Valid);
        await Expect(page.GetByTestId("audit-verdict")).ToContainTextAsync("intact");
        var shown = long.Parse((await page.GetByTestId("audit-entries").TextContentAsync())!.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(shown, before.Entries, before.Entries + 200);
        // The key ring as the API gives it: ids (never a secret) and the cases under each.
        var ring = await service.GetAsync<KeyRingAnswer>("/api/v1/pseudonymisation/keys", steward);
        var key = Assert.Single(ring.Keys);
        await Expect(page.GetByTestId("key-id")).ToHaveTextAsync($"{key.KeyId} (active)");
        await Expect(page.GetByTestId("key-cases")).ToHaveTextAsync(Shown.Number(key.Cases));
        await Expect(page.GetByTestId("keys-verdict")).ToHaveTextAsync($"All {Shown.Number(key.Cases)} cases are under the active key {key.KeyId}.");
        Assert.False(ring.Moving);
        Assert.True(key.Cases > 0);
        await service.ScreenshotAsync(page, "privacy");

        await page.GetByLabel("Required k").FillAsync("25");
        await page.GetByRole(AriaRole.Button, new() { Name = "Compute" }).ClickAsync();
        await Expect(page.GetByTestId("privacy-classes-below")).ToHaveTextAsync(Shown.Number(strict.Risk.ClassesBelowK));
        await Expect(page.GetByTestId("privacy-records-below")).ToHaveTextAsync(Shown.Number(strict.Risk.RecordsBelowK));
        await Expect(page.GetByTestId("k-verdict")).ToContainTextAsync(strict.Risk.SatisfiesK ? "is 25-anonymous" : "is not 25-anonymous");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Routes_ShowsLoadingEmptyAndErrorStates()
    {
        var page = await service.SignInAsync("analyst");
        await page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = "Routes" }).ClickAsync();
        await Expect(page.GetByTestId("route-row").First).ToBeVisibleAsync();

        // Empty: a period without cases.
        await page.GetByLabel("From year").FillAsync("1991");
        await page.GetByLabel("To year").FillAsync("1991");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.GetByTestId("empty")).ToHaveTextAsync("No route matches these filters.");
        await Expect(page.GetByTestId("route-row")).ToHaveCountAsync(0);

        // Loading, then an error: the service is slow and then fails.
        var release = new TaskCompletionSource();
        await page.RouteAsync("**/api/v1/insights/routes**", async route =>
        {
            await release.Task;
            await route.FulfillAsync(new RouteFulfillOptions
            {
                Status = 503,
                ContentType = "application/problem+json",
                Body = """{"title":"Service unavailable","detail":"The database is being migrated.","status":503}""",
            });
        });
        await page.GetByLabel("From year").FillAsync("");
        await page.GetByLabel("To year").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Loading routes…");
        release.SetResult();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Service unavailable");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The database is being migrated.");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// The sign-in page and every page of the steward and the prosecutor, at tablet width (768 × 1024): no page scrolls
    /// sideways; each input, select and text area has a label (a &lt;label&gt;, aria-label or aria-labelledby); every
    /// piece of text meets WCAG AA contrast against its background (4.5:1, 3:1 for large text); and no raw "null",
    /// "undefined", "NaN" or "[object Object]" is shown. One pass over the pages serves all four checks.
    /// </summary>
    [BrowserFact]
    public async Task EveryPage_FitsATabletIsLabelledAndReadable_ForEveryRole()
    {
        var tablet = new ViewportSize { Width = 768, Height = 1024 };
        var signIn = await service.Browser.NewPageAsync(new() { BaseURL = service.BaseUrl, ViewportSize = tablet });
        await signIn.GotoAsync("/");
        await Expect(signIn.GetByLabel("API key or access token")).ToBeVisibleAsync();
        await CheckPageAsync(signIn, "sign-in");
        await signIn.Context.CloseAsync();

        foreach (var (role, authority) in new[] { ("steward", (string?)null), ("prosecutor", "RO-DIICOT") })
        {
            var page = await service.SignInAsync(role, authority, width: tablet.Width, height: tablet.Height);
            foreach (var path in DashboardFixture.PagesOf[role])
            {
                await DashboardFixture.OpenAsync(page, path);
                if (path == "match")
                {
                    await page.GetByRole(AriaRole.Button, new() { Name = "Add a suspect" }).ClickAsync();
                    await page.GetByRole(AriaRole.Button, new() { Name = "Match", Exact = true }).ClickAsync();
                    await Expect(page.GetByTestId("predicted-type").First).ToBeVisibleAsync();
                }
                await CheckPageAsync(page, path);
                await service.ScreenshotAsync(page, $"{path}-768");
            }
            await page.Context.CloseAsync();
        }
    }

    private static async Task CheckPageAsync(IPage page, string path)
    {
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"The {path} page scrolls {overflow} px sideways at {page.ViewportSize?.Width} px.");
        var unlabelled = await page.EvaluateAsync<string[]>(UnlabelledControls);
        Assert.True(unlabelled.Length == 0, $"Unlabelled controls on {path}: {string.Join(", ", unlabelled)}");
        var lowContrast = await page.EvaluateAsync<string[]>(LowContrastText);
        Assert.True(lowContrast.Length == 0, $"Text below WCAG AA contrast on {path}: {string.Join(" | ", lowContrast.Take(5))}");
        var text = await page.Locator("body").InnerTextAsync();
        Assert.DoesNotMatch(new Regex(@"\b(null|undefined|NaN)\b|\[object Object\]"), text);
    }

    [BrowserFact]
    public async Task Keyboard_SignsInReachesAPageAndAppliesAFilter_WithoutAMouse()
    {
        var context = await service.Browser.NewContextAsync(new() { BaseURL = service.BaseUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await Expect(page.GetByLabel("API key or access token")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(service.KeyOf("analyst"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("role")).ToHaveTextAsync("analyst");
        await Expect(page.GetByTestId("pattern-card").First).ToBeVisibleAsync();

        // Tab to the "Routes" link in the navigation and follow it with Enter.
        var routes = page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = "Routes" });
        await TabUntilFocusedAsync(page, routes);
        Assert.NotEqual("none", await routes.EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle")); // focus is visible
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("#/routes$"));
        await Expect(page.GetByTestId("route-row").First).ToBeVisibleAsync();

        // Tab to the exploitation type, choose "labour" with the arrow keys, then activate "Show" with the space bar.
        var type = page.GetByLabel("Exploitation type");
        await TabUntilFocusedAsync(page, type);
        var labourIndex = await type.EvaluateAsync<int>("s => [...s.options].findIndex(o => o.value === 'labour')");
        for (var i = 0; i < labourIndex; i++) await page.Keyboard.PressAsync("ArrowDown");
        await Expect(type).ToHaveValueAsync("labour");
        var show = page.GetByRole(AriaRole.Button, new() { Name = "Show" });
        await TabUntilFocusedAsync(page, show);
        await page.Keyboard.PressAsync("Space");
        await Expect(page).ToHaveURLAsync(new Regex("exploitationType=labour"));
        var filtered = await service.GetAsync<RouteReport>("/api/v1/insights/routes?exploitationType=labour", service.KeyOf("analyst"));
        await Expect(page.GetByTestId("route-row")).ToHaveCountAsync(filtered.Flows.Count);
        await context.CloseAsync();
    }

    private static async Task TabUntilFocusedAsync(IPage page, ILocator target, int maxTabs = 60)
    {
        for (var i = 0; i < maxTabs; i++)
        {
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement")) return;
            await page.Keyboard.PressAsync("Tab");
        }
        Assert.Fail($"{target} was not reached within {maxTabs} presses of Tab.");
    }

    private const string UnlabelledControls = """
        () => [...document.querySelectorAll('input, select, textarea')]
            .filter(e => e.type !== 'hidden')
            .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
            .map(e => e.id || e.name || e.outerHTML.slice(0, 60))
        """;

    // WCAG 2 relative luminance and contrast ratio; the background is the first opaque one up the tree.
    private const string LowContrastText = """
        () => {
            const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
            const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
            const backgrounds = new Map();
            const background = (e) => {
                if (!e) return [255, 255, 255];
                if (!backgrounds.has(e)) {
                    const c = rgb(getComputedStyle(e).backgroundColor);
                    backgrounds.set(e, c.length >= 3 && (c.length === 3 || c[3] > 0.5) ? c : background(e.parentElement));
                }
                return backgrounds.get(e);
            };
            const bad = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let t = walker.nextNode(); t; t = walker.nextNode()) {
                const e = t.parentElement;
                if (!t.textContent.trim() || !e || e.closest('svg, .skip, .sr-only, option')) continue;
                const style = getComputedStyle(e);
                if (style.visibility === 'hidden' || style.display === 'none' || e.getClientRects().length === 0) continue;
                const fg = lum(rgb(style.color)), bg = lum(background(e));
                const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
                const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
                const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
                if (ratio < needed) bad.push(`${t.textContent.trim().slice(0, 30)} (${ratio.toFixed(2)}:1)`);
            }
            return bad;
        }
        """;
}
