using System.Text.Json;
using Analytics.Benchmarks.Links;

namespace Analytics.Benchmarks.Tests;

public sealed class LinkBenchmarkTests
{
    [Fact]
    public async Task ThreeRunsOnASmallStore_AreReported_InMarkdownAndJson()
    {
        var dir = Directory.CreateTempSubdirectory("analytics-links-test-").FullName;
        try
        {
            var code = await LinkBenchmark.RunAsync(["--cases", "300", "--new", "30", "--work", Path.Combine(dir, "work"), "--out", Path.Combine(dir, "out")]);

            Assert.Equal(0, code);
            var markdown = await File.ReadAllTextAsync(Path.Combine(dir, "out", "links.md"));
            Assert.Contains("-- links --cases 300 --new 30", markdown);
            Assert.Contains("| first run |", markdown);
            Assert.Contains("| nothing changed (skipped) |", markdown);
            Assert.Contains("| after 30 new cases |", markdown);
            Assert.Contains("Load before:", markdown);

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "out", "links.json")));
            var runs = json.RootElement.GetProperty("runs").EnumerateArray().ToList();
            Assert.Equal(3, runs.Count);
            Assert.Equal(300, json.RootElement.GetProperty("stored").GetInt32());
            Assert.Equal(30, json.RootElement.GetProperty("newStored").GetInt32());
            var first = runs[0];
            Assert.False(first.GetProperty("Skipped").GetBoolean());
            Assert.True(first.GetProperty("Groups").GetInt32() > 0);
            Assert.Equal(first.GetProperty("Groups").GetInt32(), first.GetProperty("Rewritten").GetInt32());
            Assert.True(runs[1].GetProperty("Skipped").GetBoolean());
            Assert.False(runs[2].GetProperty("Skipped").GetBoolean());
            Assert.True(runs[2].GetProperty("LinkedCases").GetInt32() >= first.GetProperty("LinkedCases").GetInt32());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
