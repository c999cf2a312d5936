namespace Analytics.Browser.Tests;

// The parts of the API's answers the tests compare with what the dashboard shows.

public sealed record Released(string Key, int? Count, bool Suppressed);

public sealed record Attribute(string Feature, double Share, double Lift);

public sealed record Pattern(int Id, string Label, int Size, IReadOnlyList<Attribute> Attributes, IReadOnlyList<Released> Jurisdictions);

public sealed record PatternPage(string ModelVersion, int DisclosureThreshold, int Total, IReadOnlyList<Pattern> Items);

public sealed record TrendPoint(string Period, int? Cases, bool Suppressed);

public sealed record Trend(int DisclosureThreshold, IReadOnlyList<TrendPoint> Points);

public sealed record EmergingPattern(int PatternId, bool Emerging);

public sealed record EmergingReport(IReadOnlyList<EmergingPattern> Patterns);

public sealed record Flow(string Route, string Origin, string Destination, int? Cases, bool Suppressed);

public sealed record RouteReport(int DisclosureThreshold, IReadOnlyList<Flow> Flows);

public sealed record Nearest(int PatternId, string Label, double Distance);

public sealed record ClassProbability(string Class, double Probability);

public sealed record MatchResult(IReadOnlyList<Nearest> NearestPatterns, IReadOnlyList<ClassProbability> ExploitationTypes, IReadOnlyList<string> DrivingFeatures);

public sealed record ModelVersion(string Version, string Status);

public sealed record Model(string Name, string? Active, IReadOnlyList<ModelVersion> Versions);

public sealed record Schedule(string Job, string Cron);

public static class Shown
{
    /// <summary>What the dashboard must show for a released count: the number, or "&lt; k" when suppressed (never zero).</summary>
    public static string Count(int? count, bool suppressed, int k) =>
        suppressed || count is null ? $"< {k}" : count.Value.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-GB"));
}
