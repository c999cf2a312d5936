using Analytics.Core.Cases;
using Analytics.Learning.Classification;
using Analytics.Learning.Features;
using Microsoft.ML;

namespace Analytics.Learning.Tests;

/// <summary>
/// Training reads compact profiles (the train job's input) and only the rows it trains and tests on, through views over one
/// matrix; the models and metrics must be those of a list of profile objects and of the per-row copies it replaced.
/// </summary>
public sealed class ClassifierCompactTests
{
    // The training-row cap is below the training split, so the subsample (and the matrix of used rows only) is exercised.
    private static readonly ClassifierOptions Options = new() { NumberOfTrees = 10, PermutationRounds = 1, MaximumTrainingRows = 2_000 };

    private static readonly List<CaseProfile> Profiles = PlantedCases.Generate(perGroup: 600, seed: 11).Profiles;

    private static CompactProfiles Compact(IEnumerable<CaseProfile> profiles)
    {
        var compact = new CompactProfiles();
        foreach (var p in profiles)
            compact.Add(p);
        return compact;
    }

    private static void AssertSameMetrics(ClassifierMetrics expected, ClassifierMetrics actual)
    {
        Assert.Equal(expected.Classes, actual.Classes);
        Assert.Equal(expected.Confusion, actual.Confusion);
        Assert.Equal(expected.Auc, actual.Auc);
        Assert.Equal(expected.MacroF1, actual.MacroF1);
        Assert.Equal(expected.Accuracy, actual.Accuracy);
        Assert.Equal(expected.TrainCount, actual.TrainCount);
        Assert.Equal(expected.TestCount, actual.TestCount);
    }

    [Theory]
    [InlineData(ClassifierKind.ExploitationType)]
    [InlineData(ClassifierKind.ChildVictim)]
    public void Train_SameModelAndMetrics_FromCompactProfilesAsFromList(ClassifierKind kind)
    {
        var compact = Compact(Profiles);
        Func<IReadOnlyList<CaseProfile>, ClassifierOptions, CaseClassifier> train = kind == ClassifierKind.ExploitationType
            ? ClassifierTraining.TrainExploitationType
            : ClassifierTraining.TrainChildVictim;

        var fromList = train(Profiles, Options);
        var fromCompact = train(compact, Options);

        // The cap took effect: fewer rows trained on than the training split holds.
        Assert.True(fromList.Parameters["trainingRowsUsed"] < fromList.Parameters["trainingRowsAvailable"]);
        AssertSameMetrics(fromList.Metrics, fromCompact.Metrics);
        // A model that learnt something (rare noise classes keep macro-F1 low on this data).
        Assert.True(fromList.Metrics.Accuracy > 0.8, $"accuracy {fromList.Metrics.Accuracy:0.000}");
        Assert.Equal(fromList.Features, fromCompact.Features);
        Assert.Equal(fromList.Indicators, fromCompact.Indicators);
        Assert.NotEmpty(fromList.Indicators);
        foreach (var p in Profiles.Take(50))
            Assert.Equal(fromList.Predict(p), fromCompact.Predict(p));
    }

    [Fact]
    public void TrainExploitationType_SameMetrics_AsCopiedRowsOfAFullMatrix()
    {
        var trained = ClassifierTraining.TrainExploitationType(Compact(Profiles), Options);

        // The earlier path: every labelled profile as an object, the full matrix, and the train and test rows copied out.
        var labelled = Profiles.Where(p => p.ExploitationTypes.Count > 0).ToList();
        var classes = labelled.Select(p => p.ExploitationTypes[0]).Distinct().Order(StringComparer.Ordinal).ToList();
        var y = labelled.Select(p => classes.IndexOf(p.ExploitationTypes[0])).ToList();
        var schema = FeatureSchema.Build(labelled, Options.TopCountries);
        var features = schema.Names.Where(n => !ClassifierTraining.IsLeaking(ClassifierKind.ExploitationType, n)).ToList();
        var x = FeatureMatrix.Build(schema, labelled, Options.Threads, features.Select(schema.IndexOf).ToArray());
        var (train, test) = ClassifierTraining.StratifiedSplit(y, Options.TestFraction, Options.Seed);
        var fitted = ClassifierTraining.StratifiedSubsample(y, train, Options.MaximumTrainingRows, Options.Seed);
        var models = FastTreeFitting.FitOneVersusAll(fitted.Select(i => x.Row(i).ToArray()).ToList(), fitted.Select(i => y[i]).ToList(),
            classes.Count, features.Count, Options);
        var reference = new CaseClassifier(ClassifierKind.ExploitationType, schema, features, classes, trained.Parameters, models,
            MlRows.Load(new MLContext(), Array.Empty<FeatureRow>(), features.Count).Schema);
        var probabilities = reference.Probabilities(test.Select(i => x.Row(i).ToArray()).ToList());
        var expected = ClassificationMetrics.Compute(classes, test.Select(i => y[i]).ToList(), probabilities, fitted.Count);

        AssertSameMetrics(expected, trained.Metrics);
        Assert.Equal(features, trained.Features);
    }
}
