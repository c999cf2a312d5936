using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Analytics.Browser.Tests;

// The note on perturbed counts: the same class (one service process and one browser) as DashboardTests.cs.
public sealed partial class DashboardTests
{
    private const string NoteEnd = " are moved by up to ±2 so that two views cannot be subtracted to reveal a small count.";

    [BrowserFact]
    public async Task PerturbationNote_IsShown_OnAFilteredPatternListAndOnRoutes_NotOnTheUnfilteredList()
    {
        var key = service.KeyOf("analyst");
        var all = await service.GetAsync<PatternPage>("/api/v1/patterns?pageSize=100", key);
        // A jurisdiction some pattern has released cases in: the filtered list is not empty.
        var jurisdiction = all.Items.SelectMany(p => p.Jurisdictions).First(j => !j.Suppressed).Key;
        var filtered = await service.GetAsync<PatternPage>($"/api/v1/patterns?pageSize=100&jurisdiction={jurisdiction}", key);
        var routes = await service.GetAsync<RouteReport>("/api/v1/insights/routes", key);
        Assert.Equal(2, filtered.PerturbationRange);
        Assert.Equal(2, routes.PerturbationRange);
        Assert.NotEmpty(filtered.Items);
        var page = await service.SignInAsync("analyst");

        // Unfiltered: sizes and sparklines are exact, and no note says otherwise.
        await Expect(page.GetByTestId("pattern-card")).ToHaveCountAsync(all.Total);
        await Expect(page.GetByRole(AriaRole.Note)).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("pattern-matching")).ToHaveCountAsync(0);

        await page.GetByLabel("Jurisdiction").SelectOptionAsync(jurisdiction);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"#/patterns\\?jurisdiction={jurisdiction}$"));
        await Expect(page.GetByTestId("pattern-total")).ToHaveTextAsync(filtered.Total.ToString());
        await Expect(page.GetByTestId("pattern-matching")).ToHaveTextAsync(
            filtered.Items.Select(p => Shown.Count(p.Matching!.Cases, p.Matching.Suppressed, filtered.DisclosureThreshold)).ToArray());
        await Expect(page.Locator(".spark svg")).ToHaveCountAsync(filtered.Items.Count);
        await Expect(page.GetByRole(AriaRole.Note)).ToHaveTextAsync("Counts under a filter (matching cases and the monthly sparklines)" + NoteEnd);
        await CheckPageAsync(page, "patterns under a filter");
        await service.ScreenshotAsync(page, "patterns-filtered");

        // Every route flow is perturbed, filtered or not.
        await page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = "Routes" }).ClickAsync();
        await Expect(page.GetByTestId("route-row")).ToHaveCountAsync(routes.Flows.Count);
        await Expect(page.GetByRole(AriaRole.Note)).ToHaveTextAsync("Route flows" + NoteEnd);

        // Back to the whole list: the note goes with the filter.
        await page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = "Patterns" }).ClickAsync();
        await Expect(page.GetByTestId("pattern-card")).ToHaveCountAsync(all.Total);
        await Expect(page.GetByRole(AriaRole.Note)).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }
}
