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
}
