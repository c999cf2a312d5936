using System.Text.Json;
using Analytics.Benchmarks.Refresh;

namespace Analytics.Benchmarks.Tests;

public sealed class RefreshBenchmarkTests
{
    [Fact]
    public async Task RefreshRunsOnASmallStore_AreReported_InMarkdownAndJson()
    {
        var dir = Directory.CreateTempSubdirectory("analytics-refresh-test-").FullName;
        try
        {
            var code = await RefreshBenchmark.RunAsync(["--cases", "400", "--runs", "2", "--work", Path.Combine(dir, "work"), "--out", Path.Combine(dir, "out")]);

            Assert.Equal(0, code);
            var markdown = await File.ReadAllTextAsync(Path.Combine(dir, "out", "refresh.md"));
            Assert.Contains("-- refresh --cases 400 --runs 2", markdown);
            Assert.Contains("| refresh-aggregates, run 1 |", markdown);
            Assert.Contains("| refresh-aggregates, run 2 |", markdown);
            Assert.Contains("| record keys, run 2 |", markdown);
            Assert.Contains("Median of the runs:", markdown);

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "out", "refresh.json")));
            Assert.Equal(400, json.RootElement.GetProperty("activeCases").GetInt32());
            var runs = json.RootElement.GetProperty("runs").EnumerateArray().ToList();
            Assert.Equal(4, runs.Count);
            // Every refresh ran over the stored cases and refreshed the pattern cells of the trained model.
            Assert.All(runs.Take(2), r => Assert.StartsWith("400 cases:", r.GetProperty("Detail").GetString()));
            Assert.All(runs.Take(2), r => Assert.Contains("for patterns version v1", r.GetProperty("Detail").GetString()));
            Assert.All(runs.Skip(2), r => Assert.Equal("400 record keys", r.GetProperty("Detail").GetString()));
            Assert.All(runs, r => Assert.True(r.GetProperty("Seconds").GetDouble() >= 0));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ASecondRunOnTheSameWorkDirectory_ReusesItsStoreAndModel()
    {
        var dir = Directory.CreateTempSubdirectory("analytics-refresh-test-").FullName;
        try
        {
            string[] args = ["--cases", "300", "--runs", "1", "--work", Path.Combine(dir, "work"), "--out", Path.Combine(dir, "out")];
            Assert.Equal(0, await RefreshBenchmark.RunAsync(args));
            Assert.Equal(0, await RefreshBenchmark.RunAsync(args));

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "out", "refresh.json")));
            Assert.True(json.RootElement.GetProperty("reusedStore").GetBoolean());
            Assert.Empty(json.RootElement.GetProperty("preparation").EnumerateArray());
            Assert.StartsWith("300 cases:", json.RootElement.GetProperty("runs")[0].GetProperty("Detail").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ABadSize_IsRefused()
    {
        Assert.Equal(2, await RefreshBenchmark.RunAsync(["--cases", "0"]));
        Assert.Equal(2, await RefreshBenchmark.RunAsync(["--runs", "none"]));
    }
}
