using System.Text.Json;
using Analytics.Benchmarks.Rekey;

namespace Analytics.Benchmarks.Tests;

public sealed class RekeyBenchmarkTests
{
    [Fact]
    public async Task EachRotation_MovesEveryStoredCase_AndIsReported_InMarkdownAndJson()
    {
        var dir = Directory.CreateTempSubdirectory("analytics-rekey-test-").FullName;
        try
        {
            var code = await RekeyBenchmark.RunAsync(["--cases", "300", "--runs", "2", "--work", Path.Combine(dir, "work"), "--out", Path.Combine(dir, "out")]);

            Assert.Equal(0, code);
            var markdown = await File.ReadAllTextAsync(Path.Combine(dir, "out", "rekey.md"));
            Assert.Contains("-- rekey --cases 300 --runs 2", markdown);
            Assert.Contains("| rekey-tokens to key 2 |", markdown);
            Assert.Contains("| rekey-tokens to key 3 |", markdown);

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "out", "rekey.json")));
            var steps = json.RootElement.GetProperty("steps").EnumerateArray().ToList();
            Assert.Equal(3, steps.Count);
            Assert.Equal("300 cases", steps[0].GetProperty("Detail").GetString());
            // The job's own outcome: every case moved, once per rotation.
            Assert.StartsWith("300 cases moved to key bench-1", steps[1].GetProperty("Detail").GetString());
            Assert.StartsWith("300 cases moved to key bench-2", steps[2].GetProperty("Detail").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
