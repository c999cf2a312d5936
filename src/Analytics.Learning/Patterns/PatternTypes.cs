namespace Analytics.Learning.Patterns;

/// <summary>Settings of pattern discovery; the defaults are the platform's defaults.</summary>
public sealed record PatternDiscoveryOptions
{
    /// <summary>Seed of the MLContext, the silhouette sample and every other random choice.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Smallest number of patterns tried.</summary>
    public int MinK { get; init; } = 4;
    /// <summary>Largest number of patterns tried.</summary>
    public int MaxK { get; init; } = 16;
    /// <summary>Rows in the seeded sample the silhouette is computed on (the first rows of the fit sample).</summary>
    public int SilhouetteSampleSize { get; init; } = 2000;
    /// <summary>Rows in the seeded sample every candidate k is fitted on; the chosen k is then fitted once (<see cref="FinalFitRows"/>).</summary>
    public int FitSampleSize { get; init; } = 5000;
    /// <summary>
    /// Most rows of the seeded sample the released ML.NET k-means is fitted on (the first rows of the same permutation, so
    /// it holds the fit sample); every row is then assigned to its nearest centre. 0 fits on all rows. See
    /// <see cref="FinalFitRows"/> for the whole rule. At 1,000,000 generated cases the 200,000-row fit's inertia over all
    /// rows was within 0.03 % of the fit on all rows, for 30 % less processor time (docs/benchmarks/training-notes.md, third round).
    /// </summary>
    public int FinalFitSampleSize { get; init; } = 200_000;
    /// <summary>Up to this many rows the released k-means is fitted on all of them.</summary>
    public int FinalFitAllRowsUpTo { get; init; } = 50_000;
    /// <summary>Above <see cref="FinalFitAllRowsUpTo"/> rows, the share of them the released k-means is fitted on.</summary>
    public double FinalFitShare { get; init; } = 0.5;

    /// <summary>
    /// Rows the released k-means is fitted on out of <paramref name="rows"/>: all of them up to
    /// <see cref="FinalFitAllRowsUpTo"/>; above, <see cref="FinalFitShare"/> of them, at least <see cref="FinalFitAllRowsUpTo"/>
    /// and at most <see cref="FinalFitSampleSize"/>. At 100,000 generated cases the 50,000-row fit's inertia over all rows
    /// was 0.3 % lower than the fit on all rows (a different local optimum), for half the fit's time.
    /// </summary>
    public int FinalFitRows(int rows) =>
        FinalFitSampleSize <= 0 || rows <= FinalFitAllRowsUpTo
            ? rows
            : Math.Min(rows, Math.Min(FinalFitSampleSize, Math.Max(FinalFitAllRowsUpTo, (int)(rows * FinalFitShare))));
    /// <summary>k-means stops when an iteration improves the inertia by less than this share (ML.NET's optimisation tolerance).</summary>
    public double Tolerance { get; init; } = 1e-4;
    /// <summary>Threads for vectorising, scoring candidate k and assigning rows (each result is the same for any count).</summary>
    public int Threads { get; init; } = 2;
    /// <summary>Silhouettes closer than this to the best count as a tie, broken by Davies–Bouldin.</summary>
    public double SilhouetteTieTolerance { get; init; } = 0.005;
    /// <summary>k-means runs per candidate k on the fit sample (each from a new k-means++ start); the lowest inertia wins.
    /// The final ML.NET fit runs this many times only when all rows fit in the sample.</summary>
    public int Restarts { get; init; } = 3;
    /// <summary>Maximum k-means iterations per run.</summary>
    public int MaxIterations { get; init; } = 100;
    /// <summary>Patterns with fewer cases than this are suppressed (disclosure threshold k).</summary>
    public int SuppressionThreshold { get; init; } = 10;
    /// <summary>Size of the learnt country vocabulary.</summary>
    public int TopCountries { get; init; } = Features.FeatureSchema.DefaultTopCountries;
    /// <summary>Most over-represented attributes kept per profile.</summary>
    public int MaxAttributes { get; init; } = 15;
    /// <summary>An attribute must hold for at least this share of a pattern to be listed.</summary>
    public double MinAttributeShare { get; init; } = 0.1;
}

/// <summary>Quality of the clustering for one candidate number of patterns.</summary>
public sealed record KScore(int K, double Silhouette, double DaviesBouldin);

/// <summary>One over-represented attribute value of a pattern.</summary>
/// <param name="Feature">Feature name, e.g. <c>recruitment=social-media</c>.</param>
/// <param name="ShareInPattern">Share of the pattern's cases with this value.</param>
/// <param name="ShareOverall">Share of all cases with this value.</param>
/// <param name="Lift">ShareInPattern / ShareOverall.</param>
public sealed record AttributeLift(string Feature, double ShareInPattern, double ShareOverall, double Lift);

/// <summary>Cases of a pattern from one submitting jurisdiction.</summary>
public sealed record JurisdictionCount(string Jurisdiction, int Cases);

/// <summary>What a released pattern looks like.</summary>
/// <param name="Size">Number of cases.</param>
/// <param name="Label">Human-readable label, e.g. "Girls 12–17 · social media · intimate partner · RO→IT · sexual exploitation".</param>
/// <param name="Attributes">Over-represented attribute values, by lift × share, descending.</param>
/// <param name="Jurisdictions">Submitting jurisdictions with their case counts (raw: the API applies disclosure control).</param>
/// <param name="FirstSeen">Earliest offence period start (yyyy-MM), if any.</param>
/// <param name="LastSeen">Latest offence period start (yyyy-MM), if any.</param>
public sealed record PatternProfile(
    int Size,
    string Label,
    IReadOnlyList<AttributeLift> Attributes,
    IReadOnlyList<JurisdictionCount> Jurisdictions,
    string? FirstSeen,
    string? LastSeen);

/// <summary>
/// A discovered pattern. A pattern smaller than the suppression threshold has
/// <see cref="Suppressed"/> set and no profile: callers must not show it.
/// </summary>
public sealed record Pattern(int Id, bool Suppressed, PatternProfile? Profile);

/// <summary>Distance from a case to a pattern's centre.</summary>
public sealed record PatternDistance(int PatternId, double Distance, bool Suppressed, string? Label);
