using System.Globalization;
using Analytics.Benchmarks.Training;
using Analytics.Learning.Patterns;

namespace Analytics.Benchmarks.Tests;

public sealed class TrainingReportTests
{
    [Fact]
    public void Markdown_HoldsTheRunAndPointsToTheNotes_WithoutTheirSections()
    {
        var settings = new BenchSettings();
        var results = new List<StepResult>
        {
            new() { Step = "fasttree", Size = 100_000, Seconds = 9.0, CpuSeconds = 14.0, PeakMb = 284, Quality = new() { ["macroF1"] = 0.709, ["accuracy"] = 0.865 } },
        };

        var markdown = TrainingBenchmark.Markdown(settings, [100_000], results, "dotnet run -- training --sizes 100k", TimeSpan.FromSeconds(60), "1.0 before, 1.2 after");

        Assert.StartsWith("# Training benchmark: ML.NET next to scikit-learn", markdown, StringComparison.Ordinal);
        Assert.Contains($"| 100k | exploitation type: FastTree OVA vs HistGradientBoosting ({settings.Trees} iterations, {settings.Leaves} leaves) | 9.00 | 14.00 |", markdown, StringComparison.Ordinal);
        Assert.Contains(TrainingBenchmark.NotesPointer, markdown, StringComparison.Ordinal);
        // How training is made fast and the measured rounds are kept in training-notes.md, which a rerun leaves alone.
        var sections = markdown.Split('\n').Where(l => l.StartsWith("## ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["## How it is measured"], sections);
    }

    [Fact]
    public void Markdown_DescribesTheFittingTheCodeDoes()
    {
        var settings = new BenchSettings { Threads = 2 };
        var patterns = new PatternDiscoveryOptions();

        var markdown = TrainingBenchmark.Markdown(settings, [10_000], [], "training", TimeSpan.Zero, "?");

        var flat = string.Join(' ', markdown.Split('\n').Select(l => l.Trim()));
        Assert.Contains("the class models one after the other, each on 2 threads, the training rows handed to FastTree sparse", flat, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"feature fraction {settings.FeatureFraction} drawn with the classifier's seed"), flat, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture,
            $"one ML.NET k-means fit on all rows up to {patterns.FinalFitAllRowsUpTo:N0} (above that on a seeded half, at most {patterns.FinalFitSampleSize:N0})"), flat, StringComparison.Ordinal);
        Assert.Contains("(`--final-fit-sample N` fits on exactly N rows, 0 = all rows);", flat, StringComparison.Ordinal);

        var sampled = TrainingBenchmark.Markdown(settings with { FinalFitSample = 30_000 }, [10_000], [], "training", TimeSpan.Zero, "?");
        Assert.Contains("0 = all rows; this run: 30,000 rows)", sampled, StringComparison.Ordinal);
    }

    [Fact]
    public void Goals_JudgeWhatTheRunMeasured_AndLeaveTheRestUnjudged()
    {
        var results = new List<StepResult>
        {
            new() { Step = "kmeans-e2e", Size = 100_000, Seconds = 2.4, PeakMb = 400 },
            new() { Step = "kmeans-auto", Size = 100_000, Seconds = 1.8, PeakMb = 390 },
            new() { Step = "fasttree", Size = 100_000, Seconds = 8.9, PeakMb = 284 },
            new() { Engine = "sklearn", Step = "hgb", Size = 100_000, Seconds = 3.0, PeakMb = 356 },
            new() { Step = "prepare", Size = 1_000_000, Seconds = 60, PeakMb = 2_400 },
            new() { Step = "kmeans-e2e", Size = 1_000_000, Seconds = 16.5, PeakMb = 1_200 },
            new() { Step = "classifier", Size = 1_000_000, Seconds = 40, PeakMb = 900 },
        };

        var goals = TrainingBenchmark.Goals(results);
        TrainingBenchmark.TrainingGoal Goal(string start) => goals.Single(g => g.Goal.StartsWith(start, StringComparison.Ordinal));

        // Automatic k is the platform's own run and is preferred over the fixed-k one.
        Assert.Equal(new TrainingBenchmark.TrainingGoal("k-means end to end ≤ 2 s at 100k", 1.8, "s", true, "automatic k"), Goal("k-means end to end ≤ 2 s"));
        Assert.Equal(new TrainingBenchmark.TrainingGoal("k-means end to end ≤ 15 s at 1M", 16.5, "s", false, "fixed k"), Goal("k-means end to end ≤ 15 s"));
        Assert.Equal((8.9, false), (Goal("FastTree").Measured, Goal("FastTree").Met));
        // The export step is not training; the largest training step at 1M is the k-means one.
        Assert.Equal((1_200.0, true, "kmeans-e2e"), (Goal("training at 1M").Measured, Goal("training at 1M").Met, Goal("training at 1M").Note));

        var only10k = TrainingBenchmark.Goals([new StepResult { Step = "fasttree", Size = 10_000, Seconds = 2 }]);
        Assert.All(only10k, g => Assert.Null(g.Met));
        var markdown = TrainingBenchmark.Markdown(new BenchSettings(), [100_000], results, "training", TimeSpan.Zero, "?");
        Assert.Contains("| FastTree ≤ 5 s at 100k (one-versus-all fit) | 8.90 s | **no** |", markdown, StringComparison.Ordinal);
        Assert.Contains("| training at 1M under 1.5 GB (largest peak of the training steps) | 1,200 MB (kmeans-e2e) | yes |", markdown, StringComparison.Ordinal);
    }
}
