using Analytics.Learning.Features;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;

namespace Analytics.Learning.Classification;

/// <summary>
/// Fits the platform's calibrated binary FastTree models. The one-versus-all models are trained one after the other, each
/// on every thread allowed: FastTree sums each tree's histograms feature by feature on its threads, and on two cores that
/// took a fifth less time and a quarter less processor time than two one-thread models side by side
/// (docs/benchmarks/training-notes.md, ninth round).
/// </summary>
public static class FastTreeFitting
{
    /// <summary>
    /// One calibrated binary FastTree model per class (class c against all others), in class order: the models ML.NET's
    /// one-versus-all trainer builds, with the same settings and seed (except for a class with fewer training rows than
    /// <see cref="MinimumRowsPerSide"/>: see there). The models are trained in class order, each on
    /// <see cref="ClassifierOptions.Threads"/> threads with its own seeded context; FastTree's threads split the work by
    /// feature, so the result does not depend on the thread count.
    /// </summary>
    /// <param name="rows">Training feature vectors, all of length <paramref name="featureCount"/>.</param>
    /// <param name="labels">Class index (0 … <paramref name="classCount"/> − 1) of each row.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="featureCount">Length of every feature vector.</param>
    /// <param name="options">FastTree settings (<see cref="ClassifierTraining.FastTreeOptions"/>) and thread count.</param>
    /// <param name="fitted">Called after each class model with the number fitted so far.</param>
    public static IReadOnlyList<ITransformer> FitOneVersusAll(IReadOnlyList<float[]> rows, IReadOnlyList<int> labels, int classCount, int featureCount, ClassifierOptions options,
        Action<int>? fitted = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        if (rows.Count != labels.Count)
            throw new ArgumentException($"{rows.Count} rows but {labels.Count} labels.", nameof(labels));
        var sparse = MlRows.Sparse(rows, featureCount);
        var models = new ITransformer[classCount];
        for (var c = 0; c < classCount; c++)
        {
            var positive = c;
            models[c] = Fit(rows, sparse, i => labels[i] == positive, featureCount, options, Math.Max(1, options.Threads));
            fitted?.Invoke(c + 1);
        }
        return models;
    }

    /// <summary>One calibrated binary FastTree model of "label is true", on <see cref="ClassifierOptions.Threads"/> threads.</summary>
    public static ITransformer FitBinary(IReadOnlyList<float[]> rows, IReadOnlyList<bool> labels, int featureCount, ClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        if (rows.Count != labels.Count)
            throw new ArgumentException($"{rows.Count} rows but {labels.Count} labels.", nameof(labels));
        return Fit(rows, MlRows.Sparse(rows, featureCount), i => labels[i], featureCount, options, Math.Max(1, options.Threads));
    }

    /// <summary>
    /// A side (the class, or the rest) with fewer training rows than this (two leaves' worth) gets an L2-regularised
    /// logistic regression instead of FastTree. FastTree cannot isolate fewer rows than its leaves need, starts every
    /// row at a probability of one half and, with no split to make, stays there: its model of a class with a handful of
    /// rows gave unrelated cases a probability near one half, enough to take the top place after normalisation.
    /// </summary>
    public static int MinimumRowsPerSide(ClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return 2 * options.MinimumExampleCountPerLeaf;
    }

    /// <summary>
    /// One calibrated binary model. FastTree reads the rows sparse (<paramref name="sparse"/>, the same rows): it turns
    /// them into columns and bins every column before the first tree, once per model, and with only the non-zero values
    /// to copy, sort and bin that takes about a fifth less time. The models are the same as from the dense rows
    /// (docs/benchmarks/training-notes.md, tenth round).
    /// </summary>
    private static ITransformer Fit(IReadOnlyList<float[]> rows, VBuffer<float>[] sparse, Func<int, bool> positive, int featureCount, ClassifierOptions options, int threads)
    {
        var ml = new MLContext(options.Seed);
        var positives = Enumerable.Range(0, rows.Count).Count(positive);
        if (Math.Min(positives, rows.Count - positives) < MinimumRowsPerSide(options))
        {
            var dense = MlRows.Load(ml, Enumerable.Range(0, rows.Count).Select(i => new BoolLabelRow { Features = rows[i], Label = positive(i) }), featureCount);
            return ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                L2Regularization = 1f,
                NumberOfThreads = 1,
            }).Fit(dense);
        }
        var data = MlRows.Load(ml, Enumerable.Range(0, rows.Count).Select(i => new SparseBoolLabelRow { Features = sparse[i], Label = positive(i) }), featureCount);
        return ml.BinaryClassification.Trainers.FastTree(TrainerOptions(options, threads)).Fit(data);
    }

    /// <summary>FastTree settings of one binary model: <see cref="ClassifierTraining.FastTreeOptions"/> on <paramref name="threads"/> threads.</summary>
    public static FastTreeBinaryTrainer.Options TrainerOptions(ClassifierOptions options, int threads)
    {
        var trees = ClassifierTraining.FastTreeOptions(options);
        trees.NumberOfThreads = threads;
        return trees;
    }
}
