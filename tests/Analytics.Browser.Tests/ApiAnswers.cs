namespace Analytics.Browser.Tests;

// The parts of the API's answers the tests compare with what the dashboard shows.

public sealed record Released(string Key, int? Count, bool Suppressed);

public sealed record Attribute(string Feature, double Share, double Lift);

public sealed record FilteredCount(int? Cases, bool Suppressed);

public sealed record Pattern(int Id, string Label, int Size, IReadOnlyList<Attribute> Attributes, IReadOnlyList<Released> Jurisdictions, FilteredCount? Matching = null);

public sealed record PatternPage(string ModelVersion, int DisclosureThreshold, int Total, IReadOnlyList<Pattern> Items, int PerturbationRange = 0);

public sealed record TrendPoint(string Period, int? Cases, bool Suppressed);

public sealed record Trend(int DisclosureThreshold, IReadOnlyList<TrendPoint> Points);

public sealed record EmergingPattern(int PatternId, bool? Emerging);

public sealed record EmergingReport(IReadOnlyList<EmergingPattern> Patterns);

public sealed record Flow(string Route, string Origin, string Destination, int? Cases, bool Suppressed);

public sealed record RouteReport(int DisclosureThreshold, IReadOnlyList<Flow> Flows, int PerturbationRange = 0);

public sealed record Nearest(int PatternId, string Label, double Distance);

public sealed record ClassProbability(string Class, double Probability);

public sealed record MatchResult(IReadOnlyList<Nearest> NearestPatterns, IReadOnlyList<ClassProbability> ExploitationTypes, double? ChildVictimProbability, IReadOnlyList<string> DrivingFeatures);

public sealed record CodeListEntry(string Code, string Label);

public sealed record LinkedJurisdiction(string Jurisdiction, bool Domestic, int Cases, IReadOnlyList<string> Authorities);

public sealed record CaseLinks(string CaseId, bool Hit, bool CrossBorder, IReadOnlyList<string> MatchedTypes, IReadOnlyList<LinkedJurisdiction> Jurisdictions);

public sealed record CaseLinksPage(IReadOnlyList<CaseLinks> Items, string? Next);

public sealed record LinkAlert(long Id, string CaseId, IReadOnlyList<string> NewJurisdictions, IReadOnlyList<string> NewAuthorities, IReadOnlyList<string> MatchedTypes, bool Read);

public sealed record LinkAlertPage(IReadOnlyList<LinkAlert> Items, long? Next);

public sealed record ClassSizeBucket(string Size, int Classes, long Records);

public sealed record RiskSummary(int K, long Records, int Classes, int SmallestClassSize, int KAchieved, bool SatisfiesK, int ClassesBelowK, long RecordsBelowK,
    IReadOnlyList<ClassSizeBucket> ClassSizes);

public sealed record PrivacyReport(long Cases, RiskSummary Risk);

public sealed record ChainVerification(long Entries, bool Valid, long? FirstBrokenSeq);

public sealed record JobRun(string JobId, string StartedAt, string Outcome, string? Detail = null);

public sealed record ModelVersion(string Version, string Status);

public sealed record Model(string Name, string? Active, IReadOnlyList<ModelVersion> Versions);

public sealed record Schedule(string Job, string Cron);

public static class Shown
{
    private static readonly System.Globalization.CultureInfo _enGb = System.Globalization.CultureInfo.GetCultureInfo("en-GB");

    /// <summary>A plain number as the dashboard writes it (en-GB grouping).</summary>
    public static string Number(long value) => value.ToString("N0", _enGb);

    /// <summary>A probability as the dashboard writes it with one decimal: 0.4567 → "45.7 %".</summary>
    public static string Percent(double value) => (value * 100).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " %";

    /// <summary>What the dashboard must show for a released count: the number, or "&lt; k" when suppressed (never zero).</summary>
    public static string Count(int? count, bool suppressed, int k) =>
        suppressed || count is null ? $"< {k}" : count.Value.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-GB"));
}

public sealed record KeyRingAnswer(string? ActiveKeyId, bool Moving, long CasesToMove, IReadOnlyList<RingKeyAnswer> Keys);

public sealed record RingKeyAnswer(int Position, string KeyId, bool Active, long Cases);
