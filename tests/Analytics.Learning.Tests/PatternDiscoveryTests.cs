using System.Diagnostics;
using Analytics.Core.Cases;
using Analytics.Learning.Patterns;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit.Abstractions;

namespace Analytics.Learning.Tests;

/// <summary>One discovery run over the planted data, shared by the tests that only read it.</summary>
public sealed class PlantedDiscovery
{
    public PlantedDiscovery()
    {
        (Profiles, Truth) = PlantedCases.Generate();
        var watch = Stopwatch.StartNew();
        Result = PatternDiscovery.Discover(Profiles);
        Elapsed = watch.Elapsed;
    }

    public List<CaseProfile> Profiles { get; }
    public List<int> Truth { get; }
    public PatternDiscoveryResult Result { get; }
    public TimeSpan Elapsed { get; }
}

public sealed class PatternDiscoveryTests(PlantedDiscovery planted, ITestOutputHelper output) : IClassFixture<PlantedDiscovery>
{
    [Fact]
    public void Discover_RecoversPlantedGroups_WhenGroupsAreSeparated()
    {
        output.WriteLine($"discovery (k 4..16) on {planted.Profiles.Count} profiles: {planted.Elapsed.TotalSeconds:0.00} s");
        foreach (var s in planted.Result.KScores)
            output.WriteLine($"k={s.K} silhouette={s.Silhouette:0.000} db={s.DaviesBouldin:0.000}");
        var ari = AdjustedRand.Index(planted.Truth, planted.Result.Assignments);
        output.WriteLine($"ARI={ari:0.000}");
        Assert.True(ari >= 0.8, $"adjusted Rand index {ari:0.000} < 0.8");
    }

    [Fact]
    public void Discover_PicksPlantedNumberOfPatterns_WithinOne()
    {
        Assert.InRange(planted.Result.Model.K, PlantedCases.Groups.Length - 1, PlantedCases.Groups.Length + 1);
    }

    [Fact]
    public void Discover_LabelsContainPlantedWords_ForEachPlantedGroup()
    {
        var labels = planted.Result.Model.Patterns.Where(p => !p.Suppressed).Select(p => p.Profile!.Label).ToList();
        foreach (var l in labels)
            output.WriteLine(l);
        Assert.Contains(labels, l => l.StartsWith("Girls 12–17", StringComparison.Ordinal) && l.Contains("RO→IT") && l.Contains("social media")
            && l.Contains("intimate partner") && l.Contains("sexual exploitation"));
        Assert.Contains(labels, l => l.StartsWith("Boys 15–17", StringComparison.Ordinal) && l.Contains("AL→GR") && l.Contains("forced criminality"));
        Assert.Contains(labels, l => l.StartsWith("Women 21–29", StringComparison.Ordinal) && l.Contains("NG→ES"));
        Assert.Contains(labels, l => l.StartsWith("Men 30–47", StringComparison.Ordinal) && l.Contains("labour exploitation"));
        Assert.Contains(labels, l => l.StartsWith("Children 0–11", StringComparison.Ordinal) && l.Contains("begging"));
        Assert.Contains(labels, l => l.StartsWith("Girls 12–14", StringComparison.Ordinal) && l.Contains("online sexual exploitation"));
    }

    [Fact]
    public void Discover_ProfilesListOverRepresentedValues_SortedByLiftTimesShare()
    {
        foreach (var pattern in planted.Result.Model.Patterns.Where(p => !p.Suppressed))
        {
            var profile = pattern.Profile!;
            Assert.NotEmpty(profile.Attributes);
            Assert.All(profile.Attributes, a => Assert.True(a.Lift > 1 && Math.Abs(a.Lift - a.ShareInPattern / a.ShareOverall) < 1e-9));
            var keys = profile.Attributes.Select(a => a.Lift * a.ShareInPattern).ToList();
            Assert.Equal(keys.OrderByDescending(x => x), keys);
            Assert.Equal(profile.Size, profile.Jurisdictions.Sum(j => j.Cases));
            Assert.Matches(@"^\d{4}-\d{2}$", profile.FirstSeen!);
            Assert.True(string.CompareOrdinal(profile.FirstSeen, profile.LastSeen) <= 0);
        }
        Assert.Equal(planted.Profiles.Count, planted.Result.Model.Patterns.Sum(p => p.Profile?.Size ?? 0));
    }

    [Fact]
    public void Discover_SameAssignmentsAndMetrics_WhenRunTwiceWithSameSeed()
    {
        var options = new PatternDiscoveryOptions { MinK = 5, MaxK = 7, Seed = 11 };
        var (profiles, _) = PlantedCases.Generate(perGroup: 60, seed: 3);
        var first = PatternDiscovery.Discover(profiles, options);
        var second = PatternDiscovery.Discover(profiles, options);
        Assert.Equal(first.Assignments, second.Assignments);
        Assert.Equal(first.KScores, second.KScores);
        Assert.Equal(first.Model.Silhouette, second.Model.Silhouette);
    }

    [Fact]
    public void Discover_RecoversPlantedGroupsReproducibly_WhenKIsChosenOnASample()
    {
        // 6 × 150 rows, k chosen on 300 of them, then one ML.NET fit on all 900.
        var options = new PatternDiscoveryOptions { FitSampleSize = 300, SilhouetteSampleSize = 200, Seed = 3 };
        var (profiles, truth) = PlantedCases.Generate(seed: 9);
        var first = PatternDiscovery.Discover(profiles, options);
        var second = PatternDiscovery.Discover(profiles, options);
        Assert.Equal(300, first.Model.Parameters["fitSampleSize"]);
        Assert.Equal(1, first.Model.Parameters["finalRuns"]);
        Assert.Equal(profiles.Count, first.Assignments.Count);
        var ari = AdjustedRand.Index(truth, first.Assignments);
        output.WriteLine($"k={first.Model.K} ARI={ari:0.000}");
        Assert.True(ari >= 0.8, $"adjusted Rand index {ari:0.000} < 0.8");
        Assert.Equal(first.Assignments, second.Assignments);
        Assert.Equal(first.KScores, second.KScores);
        Assert.Equal(first.Model.DaviesBouldin, second.Model.DaviesBouldin);
    }

    [Fact]
    public void Discover_FitsOnSampleAndAssignsEveryRowToItsNearestCentre_WhenFinalFitSampleIsSmaller()
    {
        // 6 × 150 rows; ML.NET k-means fitted on 600 of them, then all 900 assigned to the nearest centre.
        var options = new PatternDiscoveryOptions { FitSampleSize = 300, SilhouetteSampleSize = 200, FinalFitSampleSize = 600, FinalFitAllRowsUpTo = 600, Seed = 3 };
        var (profiles, truth) = PlantedCases.Generate(seed: 9);
        var first = PatternDiscovery.Discover(profiles, options);
        var second = PatternDiscovery.Discover(profiles, options);
        Assert.Equal(600, first.Model.Parameters["finalFitRows"]);
        Assert.Equal(profiles.Select(first.Model.Assign), first.Assignments);
        var ari = AdjustedRand.Index(truth, first.Assignments);
        output.WriteLine($"k={first.Model.K} ARI={ari:0.000}");
        Assert.True(ari >= 0.8, $"adjusted Rand index {ari:0.000} < 0.8");
        Assert.Equal(first.Assignments, second.Assignments);
        Assert.Equal(first.Model.DaviesBouldin, second.Model.DaviesBouldin);

        // The stored ML.NET model assigns every row as the centres do (its cluster ids are 1-based).
        var matrix = Features.FeatureMatrix.Build(first.Model.Schema, profiles);
        var predicted = first.Model.Transformer.Transform(matrix.ToDataView()).GetColumn<uint>("PredictedLabel").ToList();
        Assert.Equal(first.Assignments, predicted.Select(p => (int)p - 1));
    }

    [Theory]
    [InlineData(10_000, 10_000)]
    [InlineData(50_000, 50_000)]
    [InlineData(60_000, 50_000)]
    [InlineData(100_000, 50_000)]
    [InlineData(300_000, 150_000)]
    [InlineData(1_000_000, 200_000)]
    public void FinalFitRows_AreAllUpTo50k_ThenHalf_AtMost200k(int rows, int expected) =>
        Assert.Equal(expected, new PatternDiscoveryOptions().FinalFitRows(rows));

    [Fact]
    public void FinalFitRows_AreAll_WhenTheSampleIsTurnedOff() =>
        Assert.Equal(1_000_000, new PatternDiscoveryOptions { FinalFitSampleSize = 0 }.FinalFitRows(1_000_000));

    [Fact]
    public void Discover_ScoresTheSingleCandidateWithTheModelsMetrics_WhenKIsFixed()
    {
        var (profiles, _) = PlantedCases.Generate(perGroup: 60, seed: 3);
        var result = PatternDiscovery.Discover(profiles, new PatternDiscoveryOptions { MinK = 6, MaxK = 6, Seed = 11 });
        var score = Assert.Single(result.KScores);
        Assert.Equal(new KScore(6, result.Model.Silhouette, result.Model.DaviesBouldin), score);
        Assert.True(score.Silhouette > 0.2, $"silhouette {score.Silhouette:0.000}");
    }

    [Fact]
    public void Discover_SuppressesPatternsAndWithholdsProfile_WhenSmallerThanThreshold()
    {
        var (profiles, _) = PlantedCases.Generate(perGroup: 40, seed: 5);
        var result = PatternDiscovery.Discover(profiles, new PatternDiscoveryOptions { MinK = 6, MaxK = 6, SuppressionThreshold = 1000 });
        Assert.All(result.Model.Patterns, p =>
        {
            Assert.True(p.Suppressed);
            Assert.Null(p.Profile);
        });
        Assert.All(result.Model.Nearest(profiles[0]), d => Assert.Null(d.Label));
    }

    [Fact]
    public void Discover_ThrowsClearError_WhenNoProfiles()
    {
        var error = Assert.Throws<ArgumentException>(() => PatternDiscovery.Discover([]));
        Assert.Contains("at least", error.Message);
    }

    [Fact]
    public void Nearest_ReturnsOwnPatternFirst_ForATrainingCase()
    {
        var model = planted.Result.Model;
        for (var i = 0; i < planted.Profiles.Count; i += 97)
        {
            var nearest = model.Nearest(planted.Profiles[i]);
            Assert.Equal(planted.Result.Assignments[i], nearest[0].PatternId);
            Assert.True(nearest[0].Distance <= nearest[1].Distance);
        }
    }

    [Fact]
    public void NearestPattern_IsTheFirstOfNearest_WithTheSameDistance_ReusingOneVector()
    {
        var model = planted.Result.Model;
        var vector = new float[model.Schema.Count];
        for (var i = 0; i < planted.Profiles.Count; i += 13)
        {
            var nearest = model.Nearest(planted.Profiles[i], 1)[0];
            Assert.Equal((nearest.PatternId, nearest.Distance), model.NearestPattern(planted.Profiles[i], vector));
        }
    }

    [Fact]
    public void SaveLoad_KeepsAssignmentsAndProfiles()
    {
        var model = planted.Result.Model;
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = PatternModel.Load(stream);
        Assert.Equal(model.Schema.Names, loaded.Schema.Names);
        Assert.Equal(planted.Profiles.Take(50).Select(model.Assign), planted.Profiles.Take(50).Select(loaded.Assign));
        Assert.Equal(model.Patterns.Select(p => p.Profile?.Label), loaded.Patterns.Select(p => p.Profile?.Label));
    }
}
