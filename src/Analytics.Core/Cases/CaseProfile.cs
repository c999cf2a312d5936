namespace Analytics.Core.Cases;

/// <summary>
/// The narrow, categorical view of a stored case that aggregates and features read: no tokens, no narrative.
/// Stored beside the case row so scans never touch the wide record.
/// </summary>
public sealed record CaseProfile
{
    public string Jurisdiction { get; init; } = "";
    public string? PeriodFrom { get; init; }
    public IReadOnlyList<ProfileVictim> Victims { get; init; } = [];
    public IReadOnlyList<ProfileSuspect> Suspects { get; init; } = [];
    public IReadOnlyList<string> RecruitmentChannels { get; init; } = [];
    public IReadOnlyList<string> MeansOfControl { get; init; } = [];
    public IReadOnlyList<string> ExploitationTypes { get; init; } = [];
    public IReadOnlyList<string> LabourSectors { get; init; } = [];
    public IReadOnlyList<string> RouteCountries { get; init; } = [];
    public IReadOnlyList<string> ExploitationCountries { get; init; } = [];
    public IReadOnlyList<string> EvidenceKinds { get; init; } = [];
    public IReadOnlyList<string> Platforms { get; init; } = [];
    public IReadOnlyList<string> PaymentChannels { get; init; } = [];

    public static CaseProfile From(StoredCase c) => new()
    {
        Jurisdiction = c.Jurisdiction,
        PeriodFrom = c.PeriodFrom,
        Victims = c.Victims.Select(v => new ProfileVictim(v.AgeBand, v.Gender, v.Citizenship)).ToList(),
        Suspects = c.Suspects.Select(s => new ProfileSuspect(s.Role, s.RelationToVictim)).ToList(),
        RecruitmentChannels = c.ModusOperandi.RecruitmentChannels,
        MeansOfControl = c.ModusOperandi.MeansOfControl,
        ExploitationTypes = c.ModusOperandi.ExploitationTypes,
        LabourSectors = c.ModusOperandi.LabourSectors,
        // Ordered origin → transit → destination, without repeats.
        RouteCountries = c.Route.Count == 0 ? [] : c.Route.Select(l => l.From).Append(c.Route[^1].To).Distinct().ToList(),
        ExploitationCountries = c.ExploitationCountries,
        EvidenceKinds = c.DigitalEvidence.Kinds,
        Platforms = c.DigitalEvidence.Platforms,
        PaymentChannels = c.FinancialFlows.Select(f => f.Channel).Distinct().ToList(),
    };
}

public sealed record ProfileVictim(string? AgeBand, string? Gender, string? Citizenship);

public sealed record ProfileSuspect(string Role, string? RelationToVictim);
