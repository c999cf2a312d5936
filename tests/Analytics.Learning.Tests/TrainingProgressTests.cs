using System.Globalization;
using Analytics.Learning.Classification;
using Analytics.Learning.Patterns;

namespace Analytics.Learning.Tests;

/// <summary>The train jobs show stewards what a long training is doing; the messages come from the training itself.</summary>
public sealed class TrainingProgressTests
{
    private sealed class Collected : IProgress<string>
    {
        public List<string> Messages { get; } = [];

        public void Report(string value) => Messages.Add(value);
    }

    [Fact]
    public void TrainExploitationType_ReportsEveryPhaseAndClassModel_InOrder_AndTrainsTheSameModel()
    {
        var profiles = PlantedCases.Generate(perGroup: 120, seed: 3).Profiles;
        var options = new ClassifierOptions { NumberOfTrees = 5, PermutationRounds = 1 };
        var progress = new Collected();

        var classifier = ClassifierTraining.TrainExploitationType(profiles, options, progress);

        var k = classifier.Classes.Count;
        var m = progress.Messages;
        Assert.Equal(4 + k, m.Count);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"building the features of {profiles.Count:N0} labelled cases"), m[0]);
        Assert.StartsWith($"fitting {k} class models on ", m[1], StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(1, k).Select(i => $"{m[1]}: {i} of {k} done"), m.Skip(2).Take(k));
        Assert.StartsWith("evaluating on ", m[2 + k], StringComparison.Ordinal);
        Assert.StartsWith("ranking the indicators on ", m[3 + k], StringComparison.Ordinal);
        Assert.Equal(ClassifierTraining.TrainExploitationType(profiles, options).Metrics.MacroF1, classifier.Metrics.MacroF1);
    }

    [Fact]
    public void TrainChildVictim_ReportsEveryPhase()
    {
        var profiles = PlantedCases.Generate(perGroup: 120, seed: 4).Profiles;
        var progress = new Collected();

        ClassifierTraining.TrainChildVictim(profiles, new ClassifierOptions { NumberOfTrees = 5, PermutationRounds = 1 }, progress);

        Assert.Equal(["building the features of", "fitting the model on", "evaluating on", "ranking the indicators on"],
            progress.Messages.Select(m => m[..m.IndexOfAny("0123456789".ToCharArray())].TrimEnd()));
    }

    [Fact]
    public void Discover_ReportsEveryPhase_WithTheChosenNumberOfPatterns()
    {
        var profiles = PlantedCases.Generate(perGroup: 60, seed: 5).Profiles;
        var progress = new Collected();

        var result = PatternDiscovery.Discover(profiles, new PatternDiscoveryOptions { Seed = 42, MinK = 3, MaxK = 6 }, progress);

        var k = result.Model.K;
        Assert.Equal(
            [
                string.Create(CultureInfo.InvariantCulture, $"building the features of {profiles.Count:N0} cases"),
                string.Create(CultureInfo.InvariantCulture, $"choosing the number of patterns (3 to 6) on a sample of {profiles.Count:N0} cases"),
                $"fitting {k} patterns with k-means",
                $"profiling the {k} patterns",
            ], progress.Messages);
    }
}
