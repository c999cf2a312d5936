using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Analytics.Browser.Tests;

// Hangfire's dashboard opened from the steward's page through a browser session: the same class (one service process
// and one browser) as DashboardTests.cs.
public sealed partial class DashboardTests
{
    [BrowserFact]
    public async Task JobDashboard_OpensFromTheModelsPage_RunsItsOwnPosts_AndSignOutEndsItsSession()
    {
        var page = await service.SignInAsync("steward");
        await DashboardFixture.OpenAsync(page, "models");

        // Hangfire's page polls its statistics with a POST from its own script: the cross-site check must let it through.
        var stats = page.WaitForResponseAsync(r => r.Url.EndsWith("/hangfire/stats", StringComparison.Ordinal) && r.Request.Method == "POST");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the job dashboard" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/hangfire/?$"));
        await Expect(page.Locator("body")).ToContainTextAsync("Analytics jobs");
        await Expect(page.Locator("body")).ToContainTextAsync("Recurring Jobs");
        Assert.Equal(200, (await stats).Status);
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "analytics_hangfire");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/hangfire", cookie.Path);
        Assert.Null(await page.EvaluateAsync<string?>("() => document.cookie || null"));
        await service.ScreenshotAsync(page, "hangfire");

        // Back on the dashboard (still signed in: the key is in this tab's sessionStorage), signing out ends the session.
        await page.GoBackAsync();
        await Expect(page.GetByTestId("role")).ToHaveTextAsync("steward");
        await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync(),
            r => r.Url.EndsWith("/api/v1/hangfire-session", StringComparison.Ordinal) && r.Request.Method == "DELETE" && r.Status == 204);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "analytics_hangfire");
        // The cookie the browser had, sent again as it was, no longer opens the job dashboard.
        using var bare = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri(service.BaseUrl) };
        using var replay = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        replay.Headers.Add("Cookie", $"{cookie.Name}={cookie.Value}");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await bare.SendAsync(replay)).StatusCode);
        var direct = await page.GotoAsync("/hangfire");
        Assert.Equal(401, direct!.Status);
        await page.Context.CloseAsync();
    }
}
