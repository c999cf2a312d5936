namespace Analytics.Core.Statistics;

/// <summary>Exact one-sided Poisson test: is an observed count significantly above what a baseline rate predicts?</summary>
public static class PoissonTest
{
    public const string Name = "one-sided exact Poisson test (upper tail)";

    /// <summary>P(X ≥ <paramref name="observed"/>) for X ~ Poisson(<paramref name="expected"/>).</summary>
    public static double UpperTail(int observed, double expected)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(observed);
        ArgumentOutOfRangeException.ThrowIfNegative(expected);
        if (observed == 0) return 1.0;
        if (expected == 0) return 0.0;
        // 1 − P(X ≤ observed − 1), summed in log space so large expectations neither overflow nor underflow.
        var logTerm = -expected; // log P(X = 0)
        var cdf = Math.Exp(logTerm);
        for (var i = 1; i < observed; i++)
        {
            logTerm += Math.Log(expected) - Math.Log(i);
            cdf += Math.Exp(logTerm);
        }
        return Math.Clamp(1.0 - cdf, 0.0, 1.0);
    }
}
