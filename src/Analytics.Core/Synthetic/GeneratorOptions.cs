namespace Analytics.Core.Synthetic;

/// <summary>Settings of <see cref="CaseGenerator"/>. The same options always produce the same cases.</summary>
public sealed record GeneratorOptions
{
    /// <summary>Seed of the single <see cref="System.Random"/> that drives every choice.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Number of cases to generate.</summary>
    public int Count { get; init; } = 1000;

    /// <summary>Share of cases drawn from no pattern (pattern id <see cref="PlantedPatterns.NoiseId"/>).</summary>
    public double NoiseShare { get; init; } = 0.1;

    /// <summary>Share of cases that reuse an identifier of an earlier case of another jurisdiction.</summary>
    public double LinkShare { get; init; } = 0.05;

    /// <summary>First month of the offence periods (yyyy-MM).</summary>
    public string StartMonth { get; init; } = "2019-01";

    /// <summary>Last month of the offence periods (yyyy-MM).</summary>
    public string EndMonth { get; init; } = "2024-12";

    /// <summary>
    /// Appended to every case reference, so that several runs with other seeds (slices of one large dataset) never
    /// reuse an authority's reference.
    /// </summary>
    public string? ReferenceSuffix { get; init; }

    /// <summary>A pattern whose monthly rate is three times higher in the last three months of the range.</summary>
    public string? EmergingPatternId { get; init; }
}
