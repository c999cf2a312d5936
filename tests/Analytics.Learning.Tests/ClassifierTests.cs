using System.Diagnostics;
using Analytics.Core.Cases;
using Analytics.Learning.Classification;
using Xunit.Abstractions;

namespace Analytics.Learning.Tests;

/// <summary>Both classifiers trained once on the planted data.</summary>
public sealed class PlantedClassifiers
{
    public PlantedClassifiers()
    {
        (Profiles, _) = PlantedCases.Generate();
        var watch = Stopwatch.StartNew();
        Exploitation = ClassifierTraining.TrainExploitationType(Profiles);
        ExploitationTime = watch.Elapsed;
        watch.Restart();
        Child = ClassifierTraining.TrainChildVictim(Profiles);
        ChildTime = watch.Elapsed;
    }

    public List<CaseProfile> Profiles { get; }
    public CaseClassifier Exploitation { get; }
    public CaseClassifier Child { get; }
    public TimeSpan ExploitationTime { get; }
    public TimeSpan ChildTime { get; }
}

public sealed class ClassifierTests(PlantedClassifiers trained, ITestOutputHelper output) : IClassFixture<PlantedClassifiers>
{
    [Fact]
    public void TrainExploitationType_MacroF1WellAboveChance_OnPlantedData()
    {
        var m = trained.Exploitation.Metrics;
        output.WriteLine($"exploitation: {trained.ExploitationTime.TotalSeconds:0.00} s, macroF1={m.MacroF1:0.000} acc={m.Accuracy:0.000} classes={m.Classes.Count}");
        output.WriteLine("indicators: " + string.Join(", ", trained.Exploitation.Indicators.Select(i => $"{i.Feature} {i.MacroF1Drop:0.000}")));
        // Always predicting the majority class gives F1 > 0 for one class only; the rare noise
        // classes (10% random codes, one or two test rows each) cap macro-F1 well below 1.
        var majority = m.Confusion.Select((r, i) => (Support: r.Sum(), i)).MaxBy(x => x.Support);
        var share = majority.Support / (double)m.TestCount;
        var classesInTest = m.Confusion.Count(r => r.Sum() > 0);
        var majorityMacroF1 = 2 * share / (1 + share) / classesInTest;
        output.WriteLine($"majority-class macroF1={majorityMacroF1:0.000}");
        Assert.True(m.Accuracy >= 0.8, $"accuracy {m.Accuracy:0.000}");
        Assert.True(m.MacroF1 >= 0.4 && m.MacroF1 >= 5 * majorityMacroF1, $"macro-F1 {m.MacroF1:0.000}");
        Assert.True(m.Auc["sexual"] >= 0.9);
        Assert.Equal(m.TestCount, m.Confusion.Sum(r => r.Sum()));
    }

    [Fact]
    public void TrainExploitationType_ExcludesLeakingFeatures()
    {
        Assert.DoesNotContain(trained.Exploitation.Features, f => f.StartsWith("exploitation", StringComparison.Ordinal) || f.StartsWith("sector", StringComparison.Ordinal));
        Assert.DoesNotContain(trained.Child.Features, f => f.StartsWith("victim.age", StringComparison.Ordinal) || f == "victim.child");
        Assert.Contains("victim.gender=female", trained.Child.Features);
    }

    [Fact]
    public void TrainChildVictim_SeparatesChildrenFromAdults_OnPlantedData()
    {
        var m = trained.Child.Metrics;
        output.WriteLine($"child: {trained.ChildTime.TotalSeconds:0.00} s, macroF1={m.MacroF1:0.000} auc={m.Auc["child"]:0.000}");
        output.WriteLine("indicators: " + string.Join(", ", trained.Child.Indicators.Select(i => i.Feature)));
        Assert.True(m.MacroF1 >= 0.8, $"macro-F1 {m.MacroF1:0.000}");
        Assert.True(m.Auc["child"] >= 0.9);
    }

    [Fact]
    public void TrainExploitationType_ReportsTopIndicators_FromPlantedSignals()
    {
        Assert.NotEmpty(trained.Exploitation.Indicators);
        Assert.All(trained.Exploitation.Indicators, i => Assert.Contains(i.Feature, trained.Exploitation.Features));
        var ordered = trained.Exploitation.Indicators.Select(i => i.MacroF1Drop).ToList();
        Assert.Equal(ordered.OrderByDescending(x => x), ordered);
    }

    [Fact]
    public void Predict_GivesPlantedType_ForTypicalCase()
    {
        var group = PlantedCases.Groups[3];
        var (profiles, _) = PlantedCases.Generate(perGroup: 20, noise: 0, seed: 99, groups: [group]);
        var hits = profiles.Count(p => trained.Exploitation.Predict(p)[0].Class == "labour");
        Assert.True(hits >= 18, $"{hits}/20");
        var probabilities = trained.Exploitation.Predict(profiles[0]);
        Assert.Equal(1.0, probabilities.Sum(p => p.Probability), 6);
    }

    [Fact]
    public void StratifiedSplit_HoldsOutAboutTwentyPercentOfEachClass()
    {
        var labels = Enumerable.Repeat(0, 100).Concat(Enumerable.Repeat(1, 10)).Concat([2]).ToList();
        var (train, test) = ClassifierTraining.StratifiedSplit(labels, 0.2, 1);
        Assert.Equal(20, test.Count(i => labels[i] == 0));
        Assert.Equal(2, test.Count(i => labels[i] == 1));
        Assert.DoesNotContain(test, i => labels[i] == 2);
        Assert.Equal(labels.Count, train.Count + test.Count);
        Assert.Equal(test, ClassifierTraining.StratifiedSplit(labels, 0.2, 1).Test);
    }

    [Fact]
    public void Auc_IsOneForPerfectRankingAndHalfForTies()
    {
        Assert.Equal(1.0, ClassificationMetrics.Auc([false, false, true, true], [0.1, 0.2, 0.8, 0.9]));
        Assert.Equal(0.5, ClassificationMetrics.Auc([false, true], [0.5, 0.5]));
        Assert.True(double.IsNaN(ClassificationMetrics.Auc([true, true], [0.1, 0.2])));
    }

    [Fact]
    public void TrainExploitationType_ThrowsClearError_WhenNoData()
    {
        var error = Assert.Throws<ArgumentException>(() => ClassifierTraining.TrainExploitationType([]));
        Assert.Contains("none of the 0 case profiles", error.Message);
    }

    [Fact]
    public void SaveLoad_KeepsPredictionsAndMetrics()
    {
        using var stream = new MemoryStream();
        trained.Exploitation.Save(stream);
        stream.Position = 0;
        var loaded = CaseClassifier.Load(stream);
        Assert.Equal(trained.Exploitation.Metrics.MacroF1, loaded.Metrics.MacroF1);
        foreach (var p in trained.Profiles.Take(30))
            Assert.Equal(trained.Exploitation.Predict(p)[0], loaded.Predict(p)[0]);
    }
}
