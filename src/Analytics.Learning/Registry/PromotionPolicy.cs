namespace Analytics.Learning.Registry;

/// <summary>Whether a candidate replaces the active model, and why.</summary>
public sealed record PromotionDecision(bool Promote, string Reason);

/// <summary>
/// Automatic promotion rule: a candidate becomes active only when its primary metric is not worse than
/// the active model's minus a tolerance; otherwise it stays a candidate for a data steward to review.
/// </summary>
public static class PromotionPolicy
{
    /// <summary>Default tolerance on the primary metric.</summary>
    public const double DefaultTolerance = 0.02;

    /// <summary>Decides on <paramref name="candidate"/> against <paramref name="active"/> (null when nothing is active yet).</summary>
    public static PromotionDecision Decide(ModelMetrics candidate, ModelMetrics? active, double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        if (double.IsNaN(candidate.PrimaryValue))
            return new(false, $"Candidate {candidate.Primary} is not a number.");
        if (active is null)
            return new(true, "No active version.");
        if (active.Primary != candidate.Primary)
            return new(false, $"Primary metrics differ ({candidate.Primary} vs {active.Primary}); a steward must compare.");
        var floor = active.PrimaryValue - tolerance;
        return candidate.PrimaryValue >= floor
            ? new(true, $"{candidate.Primary} {candidate.PrimaryValue:0.####} >= active {active.PrimaryValue:0.####} - {tolerance}.")
            : new(false, $"{candidate.Primary} {candidate.PrimaryValue:0.####} < active {active.PrimaryValue:0.####} - {tolerance}; kept as candidate.");
    }
}
