using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Analytics.Browser.Tests;

// The shell's routing and sign-out, the match form's rows, the links page's alerts and the API reference under the
// service's content policy: the same class (one service process and one browser) as DashboardTests.cs.
public sealed partial class DashboardTests
{
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
