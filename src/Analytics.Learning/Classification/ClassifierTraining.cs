using System.Globalization;
using System.Diagnostics;
using Analytics.Core.Cases;
using Analytics.Learning.Features;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;

namespace Analytics.Learning.Classification;

/// <summary>Trains and evaluates the FastTree classifiers.</summary>
public static class ClassifierTraining
{
    /// <summary>
    /// Trains a one-versus-all FastTree model of the primary (first-listed) exploitation type.
    /// Cases without an exploitation type are left out; exploitation-type and labour-sector columns
    /// are excluded because they encode the answer.
    /// </summary>
    /// <exception cref="ArgumentException">No usable cases, or fewer than two classes.</exception>
    public static CaseClassifier TrainExploitationType(IReadOnlyList<CaseProfile> profiles, ClassifierOptions? options = null) =>
        Train(ClassifierKind.ExploitationType, profiles, options ?? new ClassifierOptions(), null);

    /// <summary>
    /// <see cref="TrainExploitationType(IReadOnlyList{CaseProfile}, ClassifierOptions?)"/>, telling <paramref name="progress"/>
    /// what it is doing at the start of each phase and after each class model (plain text, counts only).
    /// </summary>
    public static CaseClassifier TrainExploitationType(IReadOnlyList<CaseProfile> profiles, ClassifierOptions? options, IProgress<string>? progress) =>
        Train(ClassifierKind.ExploitationType, profiles, options ?? new ClassifierOptions(), progress);

    /// <summary>
    /// Trains a binary FastTree model of "some victim is under 18". Cases where that is unknown (no
    /// child and at least one victim of unknown age) are left out; age columns are excluded.
    /// </summary>
    /// <exception cref="ArgumentException">No usable cases, or only one class.</exception>
    public static CaseClassifier TrainChildVictim(IReadOnlyList<CaseProfile> profiles, ClassifierOptions? options = null) =>
        Train(ClassifierKind.ChildVictim, profiles, options ?? new ClassifierOptions(), null);

    /// <summary>
    /// <see cref="TrainChildVictim(IReadOnlyList{CaseProfile}, ClassifierOptions?)"/>, telling <paramref name="progress"/>
    /// what it is doing at the start of each phase (plain text, counts only).
    /// </summary>
    public static CaseClassifier TrainChildVictim(IReadOnlyList<CaseProfile> profiles, ClassifierOptions? options, IProgress<string>? progress) =>
        Train(ClassifierKind.ChildVictim, profiles, options ?? new ClassifierOptions(), progress);

    /// <summary>True when a feature would leak the answer of <paramref name="kind"/>.</summary>
    public static bool IsLeaking(ClassifierKind kind, string feature) => kind switch
    {
        ClassifierKind.ExploitationType => feature.StartsWith("exploitation", StringComparison.Ordinal) || feature.StartsWith("sector", StringComparison.Ordinal),
        ClassifierKind.ChildVictim => feature.StartsWith("victim.age", StringComparison.Ordinal) || feature == "victim.child",
        _ => false,
    };

    private static string? Label(ClassifierKind kind, CaseProfile p) => kind switch
    {
        ClassifierKind.ExploitationType => p.ExploitationTypes.Count > 0 ? p.ExploitationTypes[0] : null,
        _ => FeatureSchema.HasChildVictim(p) switch { true => "child", false => "adult", null => null },
    };

    private static CaseClassifier Train(ClassifierKind kind, IReadOnlyList<CaseProfile> profiles, ClassifierOptions options, IProgress<string>? progress)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        // One pass for the labels; no profile object is kept (from CompactProfiles, each read decodes a short-lived one),
        // so the memory of training is that of its feature matrix, not of an object graph per case.
        var labelledAt = new List<int>();
        var labels = new List<string>();
        for (var i = 0; i < profiles.Count; i++)
        {
            if (Label(kind, profiles[i]) is not { } label)
                continue;
            labelledAt.Add(i);
            labels.Add(label);
        }
        if (labelledAt.Count == 0)
            throw new ArgumentException($"Cannot train the {kind} classifier: none of the {profiles.Count} case profiles has a known label.", nameof(profiles));
        var classes = kind == ClassifierKind.ChildVictim
            ? ["adult", "child"]
            : labels.Distinct().Order(StringComparer.Ordinal).ToList();
        var present = labels.Distinct().Count();
        if (present < 2)
            throw new ArgumentException($"Cannot train the {kind} classifier: the {labelledAt.Count} labelled case profiles hold only one class.", nameof(profiles));

        var clock = Stopwatch.StartNew();
        var seconds = new Dictionary<string, double>();
        void Phase(string name)
        {
            seconds[name] = clock.Elapsed.TotalSeconds;
            clock.Restart();
        }
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"building the features of {labelledAt.Count:N0} labelled cases"));
        var classIndex = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var y = labels.Select(l => classIndex[l]).ToArray();
        var schema = FeatureSchema.Build(new ProfileSubset(profiles, labelledAt), options.TopCountries);
        var features = schema.Names.Where(n => !IsLeaking(kind, n)).ToList();
        var columns = features.Select(schema.IndexOf).ToArray();
        var (train, test) = StratifiedSplit(y, options.TestFraction, options.Seed);
        if (test.Count == 0)
            throw new ArgumentException($"Cannot train the {kind} classifier: too few labelled case profiles ({labelledAt.Count}) for a test set.", nameof(profiles));
        var fitted = StratifiedSubsample(y, train, options.MaximumTrainingRows, options.Seed);
        // Only the rows trained or tested on are vectorised (leaking columns dropped), into one float array on the
        // configured threads: above the training-row cap, the rest of the training split is never read again.
        var used = MergeSorted(fitted, test);
        var x = FeatureMatrix.Build(schema, new ProfileSubset(profiles, used.Select(i => labelledAt[i]).ToArray()), options.Threads, columns);
        var fittedRows = Positions(used, fitted);
        var testRows = Positions(used, test);
        Phase("features");

        // The trainers read the rows through a view over the matrix: each row is copied only while it is being read.
        var trainX = new MatrixRows(x, fittedRows);
        var trainY = fitted.Select(i => y[i]).ToList();
        IReadOnlyList<ITransformer> models;
        if (kind == ClassifierKind.ChildVictim)
        {
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"fitting the model on {fitted.Count:N0} cases"));
            models = [FastTreeFitting.FitBinary(trainX, trainY.Select(c => c == 1).ToList(), features.Count, options)];
        }
        else
        {
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"fitting {classes.Count} class models on {fitted.Count:N0} cases"));
            models = FastTreeFitting.FitOneVersusAll(trainX, trainY, classes.Count, features.Count, options,
                progress is null ? null : done => progress.Report(string.Create(CultureInfo.InvariantCulture,
                    $"fitting {classes.Count} class models on {fitted.Count:N0} cases: {done} of {classes.Count} done")));
        }
        Phase("fit");

        var parameters = new Dictionary<string, double>
        {
            ["seed"] = options.Seed,
            ["trees"] = options.NumberOfTrees,
            ["leaves"] = options.NumberOfLeaves,
            ["minimumExampleCountPerLeaf"] = options.MinimumExampleCountPerLeaf,
            ["learningRate"] = options.LearningRate,
            ["testFraction"] = options.TestFraction,
            ["permutationRounds"] = options.PermutationRounds,
            ["permutationSampleSize"] = options.PermutationSampleSize,
            ["topCountries"] = options.TopCountries,
            ["featureFraction"] = options.FeatureFraction,
            ["maximumBinCountPerFeature"] = options.MaximumBinCountPerFeature,
            ["maximumTrainingRows"] = options.MaximumTrainingRows,
            ["trainingRowsAvailable"] = train.Count,
            ["trainingRowsUsed"] = fitted.Count,
        };
        // Labelled cases per class ("cases.<class>"): what is released about a class the model learnt from a handful of
        // cases would tell about those cases, so the API withholds such a class's probability.
        foreach (var group in labels.GroupBy(l => l, StringComparer.Ordinal))
            parameters[CaseClassifier.CasesParameter + group.Key] = group.Count();
        var classifier = new CaseClassifier(kind, schema, features, classes, parameters, models,
            MlRows.Load(new MLContext(), Array.Empty<FeatureRow>(), features.Count).Schema);

        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"evaluating on {test.Count:N0} held-out cases"));
        var testY = test.Select(i => y[i]).ToList();
        var probabilities = classifier.Probabilities(x.ToDataView(testRows), testRows.Length);
        classifier.Metrics = ClassificationMetrics.Compute(classes, testY, probabilities, fitted.Count);
        Phase("evaluation");
        // Importance is estimated on a seeded sample of the test set: its cost grows with rows × features × rounds,
        // and a few thousand rows rank features as well as a hundred thousand.
        var sample = Enumerable.Range(0, testRows.Length).ToArray();
        if (sample.Length > options.PermutationSampleSize)
        {
            new Random(options.Seed).Shuffle(sample);
            sample = sample[..options.PermutationSampleSize];
            Array.Sort(sample);
        }
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"ranking the indicators on {sample.Length:N0} held-out cases"));
        classifier.Indicators = PermutationImportance(classifier, classes.Count,
            sample.Select(i => x.Row(testRows[i]).ToArray()).ToList(), sample.Select(i => testY[i]).ToList(), sample.Select(i => probabilities[i]).ToList(), options);
        Phase("importance");
        classifier.TrainingSeconds = seconds;
        return classifier;
    }

    /// <summary>The union of two ascending index lists, ascending.</summary>
    private static int[] MergeSorted(List<int> a, List<int> b)
    {
        var merged = new List<int>(a.Count + b.Count);
        int i = 0, j = 0;
        while (i < a.Count || j < b.Count)
        {
            var next = j >= b.Count || (i < a.Count && a[i] <= b[j]) ? a[i++] : b[j++];
            if (merged.Count == 0 || merged[^1] != next)
                merged.Add(next);
        }
        return [.. merged];
    }

    /// <summary>Where each of the ascending <paramref name="rows"/> sits in the ascending <paramref name="within"/>.</summary>
    private static int[] Positions(int[] within, List<int> rows)
    {
        var positions = new int[rows.Count];
        var at = 0;
        for (var r = 0; r < rows.Count; r++)
        {
            while (within[at] != rows[r])
                at++;
            positions[r] = at;
        }
        return positions;
    }

    /// <summary>Some of a list's profiles, by index, without copying them (nor decoding compact ones ahead of use).</summary>
    private sealed class ProfileSubset(IReadOnlyList<CaseProfile> profiles, IReadOnlyList<int> indices) : IReadOnlyList<CaseProfile>
    {
        public CaseProfile this[int index] => profiles[indices[index]];
        public int Count => indices.Count;
        public IEnumerator<CaseProfile> GetEnumerator()
        {
            for (var i = 0; i < indices.Count; i++)
                yield return profiles[indices[i]];
        }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// Rows of a matrix as a read-only list of vectors: each read returns a fresh copy of one row, so a trainer's pass
    /// over it holds one row at a time instead of a copy of every row. Safe to read from several threads.
    /// </summary>
    private sealed class MatrixRows(FeatureMatrix matrix, int[] rows) : IReadOnlyList<float[]>
    {
        public float[] this[int index] => matrix.Row(rows[index]).ToArray();
        public int Count => rows.Length;
        public IEnumerator<float[]> GetEnumerator()
        {
            for (var i = 0; i < rows.Length; i++)
                yield return this[i];
        }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>The FastTree settings every binary model of the platform is trained with.</summary>
    public static FastTreeBinaryTrainer.Options FastTreeOptions(ClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = options.NumberOfTrees,
            NumberOfLeaves = options.NumberOfLeaves,
            MinimumExampleCountPerLeaf = options.MinimumExampleCountPerLeaf,
            LearningRate = options.LearningRate,
            FeatureFraction = options.FeatureFraction,
            MaximumBinCountPerFeature = options.MaximumBinCountPerFeature,
            // The binned training set stays in memory; no temporary files.
            DiskTranspose = false,
            Seed = options.Seed,
            // The per-tree choice of features follows the classifier's seed too (FastTree's own default is a fixed 123).
            FeatureSelectionSeed = options.Seed,
            NumberOfThreads = options.Threads,
        };
    }

    /// <summary>
    /// At most <paramref name="cap"/> of <paramref name="rows"/>, drawn per class in proportion to the class's share by a
    /// seeded shuffle (every class keeps at least min(its rows, <see cref="MinimumRowsPerClass"/>)); all rows when they fit.
    /// Returned in ascending order.
    /// </summary>
    public static List<int> StratifiedSubsample(IReadOnlyList<int> labels, IReadOnlyList<int> rows, int cap, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(rows);
        if (cap <= 0 || rows.Count <= cap)
            return [.. rows];
        var random = new Random(seed);
        var kept = new List<int>(cap + MinimumRowsPerClass);
        foreach (var group in rows.GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            random.Shuffle(members);
            var take = Math.Min(members.Length, Math.Max(MinimumRowsPerClass, (int)Math.Round(cap * (double)members.Length / rows.Count)));
            kept.AddRange(members[..take]);
        }
        kept.Sort();
        return kept;
    }

    /// <summary>Rows a rare class keeps when training rows are capped.</summary>
    public const int MinimumRowsPerClass = 500;

    /// <summary>Per class, a seeded shuffle puts round(TestFraction × n) rows (at least one when n ≥ 2) in the test set.</summary>
    public static (List<int> Train, List<int> Test) StratifiedSplit(IReadOnlyList<int> labels, double testFraction, int seed)
    {
        var random = new Random(seed);
        var train = new List<int>();
        var test = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var rows = group.ToArray();
            random.Shuffle(rows);
            var n = rows.Length < 2 ? 0 : Math.Clamp((int)Math.Round(rows.Length * testFraction), 1, rows.Length - 1);
            test.AddRange(rows[..n]);
            train.AddRange(rows[n..]);
        }
        train.Sort();
        test.Sort();
        return (train, test);
    }

    /// <summary>
    /// Seeded permutation importance on the test set: each varying column is shuffled
    /// <see cref="ClassifierOptions.PermutationRounds"/> times and the mean drop in macro-F1 (then in the
    /// probability of the true class) ranks the features.
    /// </summary>
    private static IReadOnlyList<FeatureImportance> PermutationImportance(CaseClassifier classifier, int classCount,
        List<float[]> x, List<int> y, List<double[]> baseline, ClassifierOptions options)
    {
        var random = new Random(options.Seed);
        var baseF1 = ClassificationMetrics.MacroF1(classCount, y, baseline);
        var baseProbability = Enumerable.Range(0, y.Count).Average(i => baseline[i][y[i]]);
        var importances = new List<FeatureImportance>();
        var rounds = Math.Max(1, options.PermutationRounds);
        for (var j = 0; j < classifier.Features.Count; j++)
        {
            var column = x.Select(r => r[j]).ToArray();
            if (column.All(v => v == column[0]))
                continue; // Shuffling a constant column changes nothing.
            double f1Drop = 0, probabilityDrop = 0;
            // A row whose shuffled value equals its own scores exactly as before, so only the rows the shuffle changed are
            // scored again (for a 0/1 column with a share p of ones, about 2p(1 − p) of them); all rounds of one feature go
            // in a single batch.
            var changed = new List<(int Round, int Row)>();
            var batch = new List<float[]>();
            for (var r = 0; r < rounds; r++)
            {
                var shuffled = (float[])column.Clone();
                random.Shuffle(shuffled);
                for (var i = 0; i < x.Count; i++)
                {
                    if (shuffled[i] == column[i])
                        continue;
                    var copy = (float[])x[i].Clone();
                    copy[j] = shuffled[i];
                    batch.Add(copy);
                    changed.Add((r, i));
                }
            }
            var scored = batch.Count == 0 ? [] : classifier.Probabilities(batch);
            var at = 0;
            for (var r = 0; r < rounds; r++)
            {
                var permuted = new List<double[]>(baseline);
                for (; at < changed.Count && changed[at].Round == r; at++)
                    permuted[changed[at].Row] = scored[at];
                f1Drop += baseF1 - ClassificationMetrics.MacroF1(classCount, y, permuted);
                probabilityDrop += baseProbability - Enumerable.Range(0, y.Count).Average(i => permuted[i][y[i]]);
            }
            importances.Add(new FeatureImportance(classifier.Features[j], f1Drop / rounds, probabilityDrop / rounds));
        }
        return importances.Where(i => i.MacroF1Drop > 0 || i.ProbabilityDrop > 0)
            .OrderByDescending(i => i.MacroF1Drop).ThenByDescending(i => i.ProbabilityDrop).ThenBy(i => i.Feature, StringComparer.Ordinal)
            .Take(options.TopIndicators).ToList();
    }
}
