namespace Analytics.Learning.Classification;

/// <summary>Classification metrics computed from predicted class probabilities.</summary>
public static class ClassificationMetrics
{
    /// <summary>Macro-F1, accuracy, one-vs-rest AUC per class and the confusion matrix.</summary>
    public static ClassifierMetrics Compute(IReadOnlyList<string> classes, IReadOnlyList<int> actual, IReadOnlyList<double[]> probabilities, int trainCount)
    {
        var confusion = Confusion(classes.Count, actual, probabilities);
        var correct = Enumerable.Range(0, classes.Count).Sum(c => confusion[c][c]);
        var auc = new Dictionary<string, double>();
        for (var c = 0; c < classes.Count; c++)
        {
            var value = Auc(actual.Select(a => a == c).ToList(), probabilities.Select(p => p[c]).ToList());
            if (!double.IsNaN(value))
                auc[classes[c]] = value;
        }
        return new ClassifierMetrics(
            MacroF1(classes.Count, actual, probabilities),
            actual.Count == 0 ? 0 : correct / (double)actual.Count,
            auc,
            classes,
            confusion.Select(r => (IReadOnlyList<int>)r).ToList(),
            trainCount,
            actual.Count);
    }

    /// <summary>Unweighted mean of per-class F1 over the classes that occur in <paramref name="actual"/>.</summary>
    public static double MacroF1(int classCount, IReadOnlyList<int> actual, IReadOnlyList<double[]> probabilities)
    {
        var confusion = Confusion(classCount, actual, probabilities);
        var f1 = new List<double>();
        for (var c = 0; c < classCount; c++)
        {
            var support = confusion[c].Sum();
            if (support == 0)
                continue;
            var tp = confusion[c][c];
            var predicted = Enumerable.Range(0, classCount).Sum(a => confusion[a][c]);
            var precision = predicted == 0 ? 0 : tp / (double)predicted;
            var recall = tp / (double)support;
            f1.Add(precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
        }
        return f1.Count == 0 ? 0 : f1.Average();
    }

    /// <summary>
    /// ROC AUC as the Mann–Whitney statistic (ties count one half), or NaN without both positives and negatives.
    /// </summary>
    public static double Auc(IReadOnlyList<bool> positive, IReadOnlyList<double> score)
    {
        var order = Enumerable.Range(0, score.Count).OrderBy(i => score[i]).ToArray();
        var ranks = new double[score.Count];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && score[order[j + 1]] == score[order[i]])
                j++;
            var rank = (i + j) / 2.0 + 1;
            for (var t = i; t <= j; t++)
                ranks[order[t]] = rank;
            i = j + 1;
        }
        long pos = positive.Count(p => p), neg = positive.Count - pos;
        if (pos == 0 || neg == 0)
            return double.NaN;
        var sum = Enumerable.Range(0, positive.Count).Where(i => positive[i]).Sum(i => ranks[i]);
        return (sum - pos * (pos + 1) / 2.0) / (pos * (double)neg);
    }

    private static int[][] Confusion(int classCount, IReadOnlyList<int> actual, IReadOnlyList<double[]> probabilities)
    {
        var m = Enumerable.Range(0, classCount).Select(_ => new int[classCount]).ToArray();
        for (var i = 0; i < actual.Count; i++)
            m[actual[i]][ArgMax(probabilities[i])]++;
        return m;
    }

    private static int ArgMax(double[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return best;
    }
}
