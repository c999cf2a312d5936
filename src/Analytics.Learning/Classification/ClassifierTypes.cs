namespace Analytics.Learning.Classification;

/// <summary>What a classifier predicts.</summary>
public enum ClassifierKind
{
    /// <summary>Primary (first-listed) exploitation type: FastTree one-versus-all.</summary>
    ExploitationType,
    /// <summary>Whether any victim is under 18: binary FastTree.</summary>
    ChildVictim,
}

/// <summary>Settings of classifier training; the defaults are the platform's defaults.</summary>
public sealed record ClassifierOptions
{
    /// <summary>Seed of the MLContext, the split and the permutations.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Boosted trees per binary model.</summary>
    public int NumberOfTrees { get; init; } = 40;
    /// <summary>Leaves per tree.</summary>
    public int NumberOfLeaves { get; init; } = 16;
    /// <summary>Minimum training rows in a leaf.</summary>
    public int MinimumExampleCountPerLeaf { get; init; } = 5;
    /// <summary>Boosting learning rate.</summary>
    public double LearningRate { get; init; } = 0.25;
    /// <summary>
    /// Share of the features each tree may split on (FastTree's FeatureFraction, drawn per tree with
    /// <see cref="Seed"/>): 0.6 builds each tree's histograms on 60 % of the columns, about a quarter less processor
    /// time at 100k cases for a macro-F1 within the spread of the feature-choice seed (docs/benchmarks/training-notes.md, sixth round).
    /// </summary>
    public double FeatureFraction { get; init; } = 0.6;
    /// <summary>Histogram bins per feature; the features are 0/1 or have at most 11 distinct values.</summary>
    public int MaximumBinCountPerFeature { get; init; } = 255;
    /// <summary>
    /// Training rows at most: above it a stratified, seeded subsample is trained on (every class keeps at least
    /// <see cref="ClassifierTraining.MinimumRowsPerClass"/> rows); the test split is never reduced. 0 = no cap.
    /// </summary>
    public int MaximumTrainingRows { get; init; } = 200_000;
    /// <summary>Threads for vectorising and for FastTree.</summary>
    public int Threads { get; init; } = 2;
    /// <summary>Share of each class held out for testing.</summary>
    public double TestFraction { get; init; } = 0.2;
    /// <summary>Permutations per feature for permutation importance.</summary>
    public int PermutationRounds { get; init; } = 2;
    /// <summary>At most this many test rows are used for permutation importance (a seeded sample).</summary>
    public int PermutationSampleSize { get; init; } = 2_000;
    /// <summary>Indicators kept per model.</summary>
    public int TopIndicators { get; init; } = 10;
    /// <summary>Size of the learnt country vocabulary.</summary>
    public int TopCountries { get; init; } = Features.FeatureSchema.DefaultTopCountries;
}

/// <summary>Test-set metrics of a classifier, computed from its scores.</summary>
/// <param name="MacroF1">Unweighted mean F1 over the classes present in the test set (primary metric).</param>
/// <param name="Accuracy">Share of test rows predicted correctly.</param>
/// <param name="Auc">One-vs-rest ROC AUC per class (classes absent from the test set are left out).</param>
/// <param name="Classes">Class names, the order of the confusion matrix.</param>
/// <param name="Confusion">Confusion[actual][predicted] counts on the test set.</param>
/// <param name="TrainCount">Training rows.</param>
/// <param name="TestCount">Test rows.</param>
public sealed record ClassifierMetrics(
    double MacroF1,
    double Accuracy,
    IReadOnlyDictionary<string, double> Auc,
    IReadOnlyList<string> Classes,
    IReadOnlyList<IReadOnlyList<int>> Confusion,
    int TrainCount,
    int TestCount)
{
    /// <summary>Flat metrics for the model card; the primary metric is "macroF1".</summary>
    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        var d = new Dictionary<string, double> { ["macroF1"] = MacroF1, ["accuracy"] = Accuracy, ["trainCount"] = TrainCount, ["testCount"] = TestCount };
        foreach (var (c, auc) in Auc)
            d["auc." + c] = auc;
        return d;
    }
}

/// <summary>How much the test metrics drop when one feature's values are shuffled.</summary>
/// <param name="Feature">Feature name.</param>
/// <param name="MacroF1Drop">Mean drop in macro-F1 (the ranking key).</param>
/// <param name="ProbabilityDrop">Mean drop in the probability given to the true class (breaks ties).</param>
public sealed record FeatureImportance(string Feature, double MacroF1Drop, double ProbabilityDrop);

/// <summary>A class with its predicted probability.</summary>
public sealed record ClassProbability(string Class, double Probability);
