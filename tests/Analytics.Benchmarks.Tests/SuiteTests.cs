using System.Text.Json;
using Analytics.Benchmarks.Suite;

namespace Analytics.Benchmarks.Tests;

public sealed class SuiteTests : IDisposable
{
    // Debian bookworm's OpenSSL 3.0 output of `openssl speed -seconds 1 -hmac sha256`, trimmed.
    private const string OpensslTable = """
        version: 3.0.19
        options: bn(64,64)
        CPUINFO: OPENSSL_ia32cap=0xfffa3203078bffff:0x40069c219c07ab
        The 'numbers' are in 1000s of bytes per second processed.
        type             16 bytes     64 bytes    256 bytes   1024 bytes   8192 bytes  16384 bytes
        hmac(sha256)     36238.25k   133200.00k   444546.67k   916738.33k  1283953.53k  1252898.13k
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("analytics-suite-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ParseSpeed_ReadsEveryBlockSize_FromOpensslTable()
    {
        var rates = HmacPeer.ParseSpeed(OpensslTable, "hmac(sha256)");

        Assert.Equal([16, 64, 256, 1024, 8192, 16384], rates.Keys.Order());
        Assert.Equal(36238.25, rates[16]);
        Assert.Equal(133200.00, rates[64]);
    }

    [Fact]
    public void ParseSpeed_ReturnsNothing_WhenTheAlgorithmRowIsMissing()
    {
        Assert.Empty(HmacPeer.ParseSpeed(OpensslTable, "hmac(sha512)"));
        Assert.Empty(HmacPeer.ParseSpeed("Error: unknown option '-hmac'", "hmac(sha256)"));
    }

    [Fact]
    public async Task RunAsync_MeasuresTheTokeniser_AndOpensslOrSaysWhyNot()
    {
        var report = await HmacPeer.RunAsync(0.1, CancellationToken.None);

        Assert.Equal(HmacPeer.InputSizes, report.Sizes.Select(s => s.InputBytes));
        Assert.All(report.Sizes, s => Assert.True(s.TokeniserPerSecond > 1_000 && s.DotnetHmacPerSecond > 1_000));
        // Either openssl gave a figure for every size, or the report carries the reason it did not.
        Assert.True(report.Sizes.All(s => s.OpensslPerSecond > 0) ? report.OpensslProblem is null : report.OpensslProblem is not null);
    }

    [Fact]
    public void ReplaceResults_ReplacesOnlyBetweenMarkers_AndAppendsWhenThereAreNone()
    {
        var document = $"# Benchmarks\n\nhand-written\n\n{SuiteReport.BeginMarker}\n\nold figures\n\n{SuiteReport.EndMarker}\n\ntrailer\n";

        var replaced = SuiteReport.ReplaceResults(document, "new figures\n");
        var twice = SuiteReport.ReplaceResults(replaced, "newer figures\n");
        var appended = SuiteReport.ReplaceResults("# Benchmarks\n", "figures\n");

        Assert.Contains("hand-written", replaced);
        Assert.Contains("trailer", replaced);
        Assert.DoesNotContain("old figures", replaced);
        Assert.Contains("new figures", replaced);
        Assert.DoesNotContain("new figures", twice);
        Assert.Single(twice.Split(SuiteReport.EndMarker)[..^1]);
        Assert.StartsWith("# Benchmarks", appended);
        Assert.EndsWith($"figures\n\n{SuiteReport.EndMarker}\n", appended);
    }

    [Fact]
    public void Build_GivesRatiosToGoalsAndPeers_FromFilesTheRunWrote()
    {
        var started = DateTimeOffset.UtcNow.AddSeconds(-5);
        Write("ingest", "ingestion.json", new
        {
            http = new object[]
            {
                new { batchSize = 1, concurrency = 16, casesPerSecond = 1_250.0, serverCpuUsPerCase = 600.0, clientCpuUsPerCase = 100.0 },
                new { batchSize = 1000, concurrency = 2, casesPerSecond = 12_000.0, serverCpuUsPerCase = 150.0, clientCpuUsPerCase = 10.0 },
            },
            cores = 2,
            cpu = new[] { new { name = "pseudonymise", cpuUsPerCase = 50.0 } },
            steadyStateRssMb = 450.0,
            peakRssMb = 500.0,
        });
        Write("training-10k", "training.json", new
        {
            results = new object[]
            {
                new { engine = "ml.net", step = "kmeans", size = 10_000, seconds = 1.0, peakMb = 100.0, quality = new { inertia = 58_000.0 } },
                new { engine = "sklearn", step = "kmeans", size = 10_000, seconds = 4.0, peakMb = 200.0, quality = new { inertia = 58_100.0 } },
            },
        });
        // The queries part failed in this run: a file in its folder (left by an earlier run, say) must not be reported.
        Write("queries", "queries.json", new { cases = 10_000, results = new[] { new { Endpoint = "GET /api/v1/patterns", P50Ms = 1.0, P99Ms = 2.0, RequestsPerSecond = 9_000.0 } } });

        var parts = new List<PartRun>
        {
            new("ingest", "ok", 60, 120, null, 200, null) { Output = Path.Combine(_dir, "ingest") },
            new("queries", "failed", 10, 160, null, 80, "exit code 3") { Output = Path.Combine(_dir, "queries") },
            new("training 10k", "ok", 40, 60, null, 50, null) { Output = Path.Combine(_dir, "training-10k") },
        };
        var options = SuiteOptions.Parse(["--sizes", "10k"]);
        var load = new LoadFigures(3, 9, 5, 4, "before", "after", 2);
        var result = SuiteReport.Build(new SuiteInputs("all", started, DateTimeOffset.UtcNow, 100, 600, new MachineInfo(2, "cpu", 24, "os", ".NET", "abc"), load, options, parts, null, _dir));

        var single = result.Comparisons.Single(c => c.Figure.StartsWith("HTTP single", StringComparison.Ordinal));
        Assert.Equal(0.5, single.Ratio);
        Assert.False(single.Met);
        var batch = result.Comparisons.Single(c => c.Figure.StartsWith("HTTP NDJSON", StringComparison.Ordinal));
        Assert.Equal(1.2, batch.Ratio);
        Assert.True(batch.Met);
        var pseudo = result.Comparisons.Single(c => c.Figure.StartsWith("Pseudonymisation", StringComparison.Ordinal));
        Assert.Equal((0.5, true), (pseudo.Ratio, pseudo.Met));
        var memory = result.Comparisons.Single(c => c.Figure.StartsWith("Service memory", StringComparison.Ordinal));
        Assert.Equal((1.5, false), (memory.Ratio, memory.Met));
        Assert.DoesNotContain(result.Comparisons, c => c.Area == "queries");
        Assert.Contains(result.Notes, n => n.Contains("queries: failed", StringComparison.Ordinal));

        var kmeans = Assert.Single(result.Training);
        Assert.Equal((0.25, 0.5, 58_000.0, 58_100.0), (kmeans.TimeRatio, kmeans.MemoryRatio, kmeans.Quality, kmeans.PeerQuality));
        Assert.Contains(result.Memory, m => m.Part == "ingest" && m.Process == "service" && m.PeakMb == 500);
        Assert.Contains(result.Notes, n => n.Contains("shared with other work", StringComparison.Ordinal));
        // 600 + 100 µs per single case: two cores give at most 2,857 cases/s, above the goal, so no note; the batches' 160 µs is no limit either.
        Assert.DoesNotContain(result.Notes, n => n.StartsWith("Ingest,", StringComparison.Ordinal));

        var markdown = SuiteReport.Markdown(result);
        Assert.Contains("| HTTP single-case POSTs, 16 concurrent (cases/s) | 1,250 cases/s | ≥ 2,500 cases/s | 0.50× | higher | **no** |", markdown);
        Assert.Contains("the machine was shared with other work while measuring", markdown);
    }

    [Fact]
    public void Build_ReportsTheTrainingStepsThatFinished_WhenAPartRanOutOfBudget()
    {
        var started = DateTimeOffset.UtcNow.AddSeconds(-5);
        // What the training command leaves in its work folder when stopped during the ML.NET FastTree step.
        Write(Path.Combine("training-10k", "data", "10k"), "result-kmeans.json", new { engine = "ml.net", step = "kmeans", size = 10_000, seconds = 2.0, peakMb = 70.0, quality = new { inertia = 58_017.0 } });
        Write(Path.Combine("training-10k", "data", "10k"), "result-sklearn-kmeans.json", new { engine = "sklearn", step = "kmeans", size = 10_000, seconds = 1.0, peakMb = 160.0, quality = new { inertia = 58_027.0 } });
        Write(Path.Combine("training-10k", "data", "10k"), "result-sklearn-hgb.json", new { engine = "sklearn", step = "hgb", size = 10_000, seconds = 15.0, peakMb = 170.0, quality = new { macroF1 = 0.5 } });
        var parts = new List<PartRun> { new("training 10k", "over budget", 120, 120, null, 44, "stopped after 120 s") { Output = Path.Combine(_dir, "training-10k") } };

        var result = SuiteReport.Build(new SuiteInputs("all", started, DateTimeOffset.UtcNow, 120, 600, new MachineInfo(2, "cpu", 24, "os", ".NET", "abc"),
            new LoadFigures(1, 1, 1, 1, "", "", 2), SuiteOptions.Parse(["--sizes", "10k"]), parts, null, _dir));

        var kmeans = result.Training.Single(t => t.QualityMetric == "inertia");
        Assert.Equal((2.0, 1.0, 2.0), (kmeans.Seconds, kmeans.PeerSeconds, kmeans.TimeRatio));
        var trees = result.Training.Single(t => t.QualityMetric == "macroF1");
        Assert.Equal((null, 15.0, null), (trees.Seconds, trees.PeerSeconds, trees.TimeRatio));
        Assert.Contains(result.Memory, m => m.Process == "scikit-learn steps, 10k" && m.PeakMb == 170);
        Assert.Single(result.Notes, n => n.StartsWith("Part training 10k", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_KeepsTheDefaultRunWithinTenMinutes_AndMakesOneMillionOptIn()
    {
        var defaults = SuiteRunner.Plan(SuiteOptions.Parse([]), _dir);
        var withMillion = SuiteRunner.Plan(SuiteOptions.Parse(["--sizes", "10k,100k,1m"]), _dir);

        Assert.True(defaults.Sum(p => p.Budget) <= SuiteRunner.TargetSeconds);
        Assert.Equal(["hmac", "ingest", "queries", "training 10k", "training 100k"], defaults.Select(p => p.Name));
        Assert.Contains(withMillion, p => p.Name == "training 1M");
        Assert.True(withMillion.Sum(p => p.Budget) > SuiteRunner.TargetSeconds);
    }

    [Fact]
    public void Parse_RejectsUnknownPartsAndOptions()
    {
        Assert.Throws<ArgumentException>(() => SuiteOptions.Parse(["--parts", "ingest,nope"]));
        Assert.Throws<ArgumentException>(() => SuiteOptions.Parse(["--fast"]));
        Assert.Throws<ArgumentException>(() => SuiteOptions.Parse(["--sizes", "ten"]));
        Assert.Equal([10_000], SuiteOptions.Parse(["--quick"]).Sizes);
    }

    [Fact]
    public void Build_SaysWhenTheCpuPerCaseAloneRulesABatchGoalOut()
    {
        var started = DateTimeOffset.UtcNow.AddSeconds(-5);
        Write("ingest", "ingestion.json", new
        {
            http = new object[] { new { batchSize = 1000, concurrency = 2, casesPerSecond = 5_500.0, serverCpuUsPerCase = 305.0, clientCpuUsPerCase = 15.0 } },
            cores = 2,
        });
        var parts = new List<PartRun> { new("ingest", "ok", 60, 120, null, 200, null) { Output = Path.Combine(_dir, "ingest") } };
        var result = SuiteReport.Build(new SuiteInputs("all --parts ingest", started, DateTimeOffset.UtcNow, 100, 600, new MachineInfo(2, "cpu", 24, "os", ".NET", "abc"),
            new LoadFigures(1, 1, 1, 1, "before", "after", 2), SuiteOptions.Parse(["--parts", "ingest"]), parts, null, _dir));

        // 305 + 15 µs per case: two cores give at most 2 s ÷ 320 µs = 6,250 cases/s.
        var note = Assert.Single(result.Notes, n => n.StartsWith("Ingest,", StringComparison.Ordinal));
        Assert.Equal("Ingest, NDJSON batches of 1,000: 305 µs of service and 15 µs of load-client processor time per case; " +
                     "at that cost the 2 cores give at most 6,250 cases/s, below the goal of 10,000.", note);
    }

    private void Write(string folder, string file, object content)
    {
        var dir = Path.Combine(_dir, folder);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, file), JsonSerializer.Serialize(content));
    }
}
