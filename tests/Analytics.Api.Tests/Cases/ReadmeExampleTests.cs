using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Analytics.Api.Cases;
using Analytics.Api.Tests.Infrastructure;

namespace Analytics.Api.Tests.Cases;

/// <summary>The README's "Submitting a case" example, run as written: its receipt counts and stored summary are what the service gives.</summary>
public sealed partial class ReadmeExampleTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    private static string Root()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Analytics.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("Analytics.sln not found above the test folder.");
    }

    // The first fenced block after the given line of the README.
    private static string BlockAfter(string readme, string line)
    {
        var at = readme.IndexOf(line, StringComparison.Ordinal);
        Assert.True(at >= 0, $"README.md no longer has the line '{line}'");
        var start = readme.IndexOf('\n', readme.IndexOf("```", at, StringComparison.Ordinal)) + 1;
        return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
    }

    private static Dictionary<string, int> Counts(JsonElement counts) =>
        counts.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());

    [GeneratedRegex(@"\[(\w+):[a-z2-7]{26}\]")]
    private static partial Regex Token();

    [Fact]
    public async Task SubmittingTheExampleCase_GivesTheReceiptCountsAndTheSummaryTheReadmeShows()
    {
        var root = Root();
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        var shown = JsonDocument.Parse(BlockAfter(readme, "The service answers `201 Created` with a receipt:")).RootElement;
        var stored = BlockAfter(readme, "returns what was stored, which is only the pseudonymised form");
        var shownSummary = Regex.Match(stored, "\"summary\": \"(?<s>[^\"]*)\"").Groups["s"].Value;
        shownSummary = Regex.Replace(shownSummary, @"\s*\n\s*", " ");

        var client = await factory.ProsecutorAsync("RO", "RO-DIICOT");
        var response = await client.SubmitCaseAsync(await File.ReadAllTextAsync(Path.Combine(root, "docs", "examples", "case-ro.json")));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(shown.GetProperty("status").GetString(), receipt.GetProperty("status").GetString());
        Assert.Equal(Counts(shown.GetProperty("tokens")), Counts(receipt.GetProperty("tokens")));
        Assert.Equal(Counts(shown.GetProperty("scrubbed")), Counts(receipt.GetProperty("scrubbed")));

        var record = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/cases/{receipt.GetProperty("caseId").GetString()}")).RootElement.GetProperty("record");
        // Tokens depend on the key; everything else of the summary is as shown.
        Assert.Equal(Token().Replace(shownSummary, "[$1:…]"), Token().Replace(record.GetProperty("summary").GetString()!, "[$1:…]"));
    }
}
