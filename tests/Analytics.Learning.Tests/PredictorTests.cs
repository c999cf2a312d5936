using Analytics.Core.Cases;
using Analytics.Learning.Classification;
using Analytics.Learning.Patterns;
using Analytics.Learning.Prediction;
using Analytics.Learning.Registry;

namespace Analytics.Learning.Tests;

/// <summary>Two predictors trained on different data, so their outputs can be told apart.</summary>
public sealed class TwoPredictors
{
    public TwoPredictors()
    {
        (Profiles, _) = PlantedCases.Generate(perGroup: 60, seed: 21);
        var options = new PatternDiscoveryOptions { MinK = 5, MaxK = 7 };
        var classifier = new ClassifierOptions { NumberOfTrees = 20, PermutationRounds = 1 };
        A = new CasePredictor(PatternDiscovery.Discover(Profiles, options).Model,
            ClassifierTraining.TrainExploitationType(Profiles, classifier), ClassifierTraining.TrainChildVictim(Profiles, classifier));
        var (other, _) = PlantedCases.Generate(perGroup: 40, noise: 0.3, seed: 22);
        B = new CasePredictor(PatternDiscovery.Discover(other, options with { Seed = 5 }).Model,
            ClassifierTraining.TrainExploitationType(other, classifier with { NumberOfTrees = 5, Seed = 5 }));
    }

    public List<CaseProfile> Profiles { get; }
    public CasePredictor A { get; }
    public CasePredictor B { get; }
}

public sealed class PredictorTests(TwoPredictors models) : IClassFixture<TwoPredictors>
{
    [Fact]
    public void Predict_ReturnsPatternsTypesAndPresentDrivers()
    {
        var profile = models.Profiles[0]; // planted group "girls-ro-it"
        var prediction = models.A.Predict(profile);
        Assert.Equal(3, prediction.NearestPatterns.Count);
        Assert.Contains("RO→IT", prediction.NearestPatterns[0].Label);
        Assert.Equal("sexual", prediction.ExploitationTypes[0].Class);
        Assert.True(prediction.ChildVictimProbability > 0.5);
        var vector = models.A.ExploitationType.Schema.Vectorize(profile);
        Assert.All(prediction.DrivingFeatures, f => Assert.NotEqual(0f, vector[models.A.ExploitationType.Schema.IndexOf(f)]));
    }

    [Fact]
    public async Task ModelHolder_EveryResultFromOneModel_WhileSwappingUnderConcurrentPredictions()
    {
        var inputs = models.Profiles.Where((_, i) => i % 7 == 0).ToList();
        string Key(CasePrediction p) => string.Join("|", p.ExploitationTypes.Select(t => $"{t.Class}:{t.Probability:R}"))
            + "#" + string.Join("|", p.NearestPatterns.Select(n => $"{n.PatternId}:{n.Distance:R}"));
        var expected = new Dictionary<string, string[]>
        {
            ["a"] = inputs.Select(p => Key(models.A.Predict(p))).ToArray(),
            ["b"] = inputs.Select(p => Key(models.B.Predict(p))).ToArray(),
        };
        Assert.NotEqual(expected["a"], expected["b"]);

        var holder = new ModelHolder<CasePredictor>();
        holder.Swap(models.A, "a");
        using var done = new CancellationTokenSource();
        var swapper = Task.Run(() =>
        {
            for (var i = 0; i < 20; i++)
            {
                holder.Swap(i % 2 == 0 ? models.B : models.A, i % 2 == 0 ? "b" : "a");
                Thread.Sleep(5);
            }
            done.Cancel();
        });
        var versions = new System.Collections.Concurrent.ConcurrentBag<string>();
        var mismatches = 0;
        var calls = 0;
        Parallel.For(0, 4, _ =>
        {
            var i = 0;
            while (!done.IsCancellationRequested || i < inputs.Count)
            {
                var index = i++ % inputs.Count;
                var (version, key) = holder.Use(s => (s.Version, Key(s.Model.Predict(inputs[index]))));
                versions.Add(version);
                Interlocked.Increment(ref calls);
                if (expected[version][index] != key)
                    Interlocked.Increment(ref mismatches);
            }
        });
        await swapper;
        Assert.Equal(0, mismatches);
        Assert.Contains("a", versions);
        Assert.Contains("b", versions);
        Assert.True(calls > inputs.Count);
    }

    [Fact]
    public void LoadActive_SwapsInRegistryActiveVersion()
    {
        var root = Path.Combine(Path.GetTempPath(), "learning-holder-" + Guid.NewGuid().ToString("N"));
        try
        {
            var registry = new ModelRegistry(root);
            var model = models.A.ExploitationType;
            var draft = new ModelCardDraft(DataSnapshot.FromProfiles(models.Profiles), model.Schema, model.Parameters,
                new ModelMetrics("macroF1", model.Metrics.ToDictionary()), DateTimeOffset.UtcNow);
            registry.Register("exploitation-type", draft, model.Save);
            var holder = new ModelHolder<CaseClassifier>();
            Assert.Equal("v1", holder.LoadActive(registry, "exploitation-type", CaseClassifier.Load));
            Assert.Equal(model.Predict(models.Profiles[5]), holder.Use(s => s.Model.Predict(models.Profiles[5])));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Use_Throws_WhenNothingLoaded()
    {
        Assert.Throws<InvalidOperationException>(() => new ModelHolder<CasePredictor>().Use(s => s.Version));
    }
}
