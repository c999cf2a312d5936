using Analytics.Core.Cases;

namespace Analytics.Core.Synthetic;

/// <summary>One generated case and the pattern it was drawn from ("noise" for none).</summary>
public sealed record GeneratedCase(CaseSubmission Case, string PatternId);

/// <summary>A case as the platform keys it: authority + the authority's case reference.</summary>
public sealed record CaseKey(string Authority, string CaseReference);

/// <summary>The pattern a generated case was drawn from.</summary>
public sealed record CaseTruth(string Authority, string CaseReference, string PatternId);

/// <summary>An identifier deliberately shared by cases of different jurisdictions (first key = the case it was first generated for).</summary>
public sealed record PlantedLink(string IdentifierType, IReadOnlyList<CaseKey> CaseKeys);

/// <summary>What the generator planted, to score pattern discovery, linking and leak tests against.</summary>
public sealed record GroundTruth
{
    public int Seed { get; init; }
    public int Count { get; init; }
    public string? EmergingPatternId { get; init; }
    public IReadOnlyList<CaseTruth> Cases { get; init; } = [];
    public IReadOnlyList<PlantedLink> Links { get; init; } = [];

    /// <summary>
    /// Every raw identifier string produced, in every format written anywhere (structured fields and narratives):
    /// full names, phones in all four formats, e-mails (and their case variants), IBANs compact and spaced, cards
    /// compact and spaced, wallets, handles with and without "@", documents, plates, dates of birth (ISO and
    /// "12 March 2009"). Sorted ordinally, distinct.
    /// </summary>
    public IReadOnlyList<string> GeneratedIdentifiers { get; init; } = [];

    /// <summary>First names and surnames used alone in narratives (kept apart: short ones match ordinary words).</summary>
    public IReadOnlyList<string> NameParts { get; init; } = [];
}

/// <summary>
/// Places written into narratives (kept apart from <see cref="GroundTruth"/>, which describes patterns and identifiers):
/// street addresses as written, and the cities named as places of origin or exploitation.
/// </summary>
public sealed record PlantedPlaces(IReadOnlyList<string> Addresses, IReadOnlyList<string> Cities)
{
    /// <summary>The streets of <see cref="Addresses"/> without their numbers ("Via Padova", "Baker Street").</summary>
    public IReadOnlyList<string> Streets => Addresses.Select(SyntheticPlaces.StreetOf).Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>Generated cases with their ground truth.</summary>
public sealed record GeneratedDataset(IReadOnlyList<GeneratedCase> Cases, GroundTruth GroundTruth)
{
    /// <summary>Cities and street addresses the narratives mention, for leak scans.</summary>
    public PlantedPlaces Places { get; init; } = new([], []);
}
