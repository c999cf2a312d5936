using Analytics.Learning.Classification;
using Analytics.Learning.Features;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Analytics.Learning.Tests;

public sealed class FastTreeFittingTests
{
    private sealed class KeyRow
    {
        public float[] Features { get; set; } = [];
        public uint Label { get; set; }
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }

    private sealed class ProbabilityRow
    {
        public float Probability { get; set; }
    }

    /// <summary>Three classes over six binary columns, with noise so every model has something to learn.</summary>
    private static (List<float[]> Rows, List<int> Labels) Data(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<float[]>();
        var labels = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var label = random.Next(3);
            var row = new float[6];
            for (var j = 0; j < row.Length; j++)
                row[j] = random.NextDouble() < (j / 2 == label ? 0.8 : 0.15) ? 1 : 0;
            rows.Add(row);
            labels.Add(label);
        }
        return (rows, labels);
    }

    private static List<float[]> PerClass(MLContext ml, IReadOnlyList<ITransformer> models, IReadOnlyList<float[]> rows)
    {
        var input = MlRows.Load(ml, rows.Select(r => new FeatureRow { Features = r }), 6);
        var perModel = models.Select(m => ml.Data.CreateEnumerable<ProbabilityRow>(m.Transform(input), reuseRowObject: false).Select(p => p.Probability).ToArray()).ToArray();
        return Enumerable.Range(0, rows.Count).Select(i => perModel.Select(p => p[i]).ToArray()).ToList();
    }

    [Fact]
    public void FitOneVersusAll_GivesTheOneVersusAllTrainersProbabilities_OnAnyThreadCount()
    {
        var (rows, labels) = Data(600, 3);
        // All features: with a feature fraction below 1, ML.NET's one-versus-all trainer does not draw the same features
        // per tree as separate fits of the class models (each of which starts from the seed), so only the settings
        // without that draw can be compared probability for probability.
        var options = new ClassifierOptions { NumberOfTrees = 10, Threads = 2, FeatureFraction = 1 };
        var ml = new MLContext(options.Seed);
        var trees = FastTreeFitting.TrainerOptions(options, threads: 1);
        var data = MlRows.Load(ml, rows.Select((r, i) => new KeyRow { Features = r, Label = (uint)labels[i] }), 6, 3);
        var ova = ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(trees)).Fit(data);
        var probe = rows.Take(50).ToList();
        var expected = ml.Data.CreateEnumerable<ScoreRow>(ova.Transform(MlRows.Load(ml, probe.Select(r => new FeatureRow { Features = r }), 6)), reuseRowObject: false)
            .Select(s => s.Score).ToList();

        var parallel = PerClass(ml, FastTreeFitting.FitOneVersusAll(rows, labels, 3, 6, options), probe);
        var sequential = PerClass(ml, FastTreeFitting.FitOneVersusAll(rows, labels, 3, 6, options with { Threads = 1 }), probe);

        Assert.Equal(sequential, parallel);
        for (var i = 0; i < probe.Count; i++)
        {
            var sum = parallel[i].Sum();
            // ML.NET's one-versus-all model outputs the class models' probabilities normalised to sum to one.
            for (var c = 0; c < 3; c++)
                Assert.Equal(expected[i][c], parallel[i][c] / sum, 5);
        }
        Assert.True(parallel.Select(p => Array.IndexOf(p, p.Max())).Zip(labels).Count(t => t.First == t.Second) > 30);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SavedClassifier_LoadsWithTheSameProbabilities_InTheCurrentAndTheEarlierSingleModelLayout(bool earlierLayout)
    {
        var (rows, labels) = Data(600, 5);
        var options = new ClassifierOptions { NumberOfTrees = 10, Threads = 1 };
        var ml = new MLContext(options.Seed);
        var data = MlRows.Load(ml, rows.Select((r, i) => new KeyRow { Features = r, Label = (uint)labels[i] }), 6, 3);
        // Earlier versions stored one ML.NET one-versus-all transformer; the current one stores a model per class.
        IReadOnlyList<ITransformer> models = earlierLayout
            ? [ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(FastTreeFitting.TrainerOptions(options, options.Threads))).Fit(data)]
            : FastTreeFitting.FitOneVersusAll(rows, labels, 3, 6, options);
        var schema = new FeatureSchema(["RO", "IT"]);
        var classifier = new CaseClassifier(ClassifierKind.ExploitationType, schema, schema.Names.Take(6).ToList(), ["a", "b", "c"],
            new Dictionary<string, double>(), models, MlRows.Load(ml, rows.Select(r => new FeatureRow { Features = r }), 6).Schema);
        using var stream = new MemoryStream();
        classifier.Save(stream);
        stream.Position = 0;

        var loaded = CaseClassifier.Load(stream);

        Assert.Equal(models.Count, loaded.Models.Count);
        foreach (var row in rows.Take(40))
        {
            var before = classifier.Probabilities(row);
            Assert.Equal(before, loaded.Probabilities(row));
            Assert.Equal(1.0, before.Sum(), 6);
        }
        Assert.True(rows.Take(100).Zip(labels).Count(t => { var p = loaded.Probabilities(t.First); return Array.IndexOf(p, p.Max()) == t.Second; }) > 50);
    }

    [Fact]
    public void FitOneVersusAll_GivesAClassWithAHandfulOfRows_ALowProbabilityForUnrelatedRows()
    {
        var (rows, labels) = Data(600, 4);
        // A fourth class with three rows that look like class 0: too few for FastTree to isolate with five rows per leaf.
        for (var i = 0; i < 3; i++)
        {
            rows.Add([1, 1, 0, 0, 0, 0]);
            labels.Add(3);
        }
        var options = new ClassifierOptions { NumberOfTrees = 10, Threads = 2 };
        Assert.True(3 < FastTreeFitting.MinimumRowsPerSide(options));

        var models = FastTreeFitting.FitOneVersusAll(rows, labels, 4, 6, options);
        var probabilities = PerClass(new MLContext(options.Seed), models, rows.Take(200).ToList());

        // The tiny class gets a logistic regression; the others keep FastTree.
        Assert.Contains("LinearBinaryModelParameters", models[3].GetType().ToString(), StringComparison.Ordinal);
        Assert.All(models.Take(3), m => Assert.Contains("FastTree", m.GetType().ToString(), StringComparison.Ordinal));
        Assert.All(probabilities, p => Assert.InRange(p[3], 0.0, 0.1));
        Assert.True(probabilities.Zip(labels).Count(t => Array.IndexOf(t.First, t.First.Max()) == t.Second) > 100);
        Assert.Equal(probabilities, PerClass(new MLContext(options.Seed), FastTreeFitting.FitOneVersusAll(rows, labels, 4, 6, options with { Threads = 1 }), rows.Take(200).ToList()));
    }

    [Fact]
    public void FitOneVersusAll_DrawsEachTreesFeaturesFromTheSeed_WhenTreesSeeAShareOfTheFeatures()
    {
        var (rows, labels) = Data(600, 6);
        var probe = rows.Take(100).ToList();
        List<float[]> Fit(ClassifierOptions o) => PerClass(new MLContext(o.Seed), FastTreeFitting.FitOneVersusAll(rows, labels, 3, 6, o), probe);
        var sampled = new ClassifierOptions { NumberOfTrees = 10, FeatureFraction = 0.6, Seed = 1 };

        Assert.Equal(Fit(sampled), Fit(sampled with { Threads = 1 }));
        // Only the feature draw depends on the seed: with every feature the seed changes nothing, with 60 % it does.
        Assert.NotEqual(Fit(sampled), Fit(sampled with { Seed = 2 }));
        Assert.Equal(Fit(sampled with { FeatureFraction = 1 }), Fit(sampled with { FeatureFraction = 1, Seed = 2 }));
    }

    [Fact]
    public void FitBinary_GivesTheModelOfTheDenseRows_OnFlagsBandsAndCounts()
    {
        // FastTree is handed the rows sparse; the model must be the one it builds from the same rows dense, also for
        // columns that are rarely zero (an age band, counts) and with a share of the features per tree.
        var random = new Random(11);
        var rows = new List<float[]>();
        var labels = new List<bool>();
        for (var i = 0; i < 800; i++)
        {
            var band = random.Next(1, 7);
            var victims = random.Next(0, 4);
            var flag = random.NextDouble() < 0.2 ? 1f : 0f;
            var label = random.NextDouble() < (band > 3 ? 0.7 : 0.2) + 0.1 * flag;
            rows.Add([flag, band, victims, random.NextDouble() < 0.05 ? 1 : 0, victims * 0.5f, 0]);
            labels.Add(label);
        }
        var options = new ClassifierOptions { NumberOfTrees = 10, Threads = 2, FeatureFraction = 0.6 };
        var ml = new MLContext(options.Seed);
        var dense = MlRows.Load(ml, rows.Select((r, i) => new BoolLabelRow { Features = r, Label = labels[i] }), 6);
        var expected = ml.BinaryClassification.Trainers.FastTree(FastTreeFitting.TrainerOptions(options, options.Threads)).Fit(dense);

        var actual = FastTreeFitting.FitBinary(rows, labels, 6, options);

        var probe = rows.Take(200).ToList();
        var want = PerClass(ml, [expected], probe);
        Assert.Equal(want, PerClass(ml, [actual], probe));
        Assert.True(want.Select(p => p[0]).Distinct().Count() > 5);
    }

    [Fact]
    public void FitOneVersusAll_RejectsLabelsThatDoNotMatchTheRows()
    {
        var (rows, labels) = Data(20, 1);
        Assert.Throws<ArgumentException>(() => FastTreeFitting.FitOneVersusAll(rows, labels.Take(10).ToList(), 3, 6, new ClassifierOptions()));
    }
}
