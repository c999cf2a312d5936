using System.Text.Json.Serialization;

namespace Analytics.Core.Cases;

// What a prosecutor submits (schema: data-schemas/case-submission.v1.schema.json).
// Holds raw identifiers: it lives only in memory during ingestion and is never persisted or logged.

/// <summary>A case record as submitted, before pseudonymisation.</summary>
public sealed record CaseSubmission
{
    public string SchemaVersion { get; init; } = "1";
    public string Jurisdiction { get; init; } = "";
    public string Authority { get; init; } = "";
    public string CaseReference { get; init; } = "";
    public string Stage { get; init; } = "";
    public string? Outcome { get; init; }
    public Period? OffencePeriod { get; init; }
    public IReadOnlyList<string> LegalBasis { get; init; } = [];
    public IReadOnlyList<Victim> Victims { get; init; } = [];
    public IReadOnlyList<Suspect> Suspects { get; init; } = [];
    public ModusOperandi? ModusOperandi { get; init; }
    public IReadOnlyList<RouteLeg> Route { get; init; } = [];
    public IReadOnlyList<string> ExploitationCountries { get; init; } = [];
    public DigitalEvidence? DigitalEvidence { get; init; }
    public IReadOnlyList<FinancialFlow> FinancialFlows { get; init; } = [];
    public string? Summary { get; init; }
}

/// <summary>Offence period as ISO dates (yyyy-MM-dd or yyyy-MM); stored as year-month only.</summary>
public sealed record Period
{
    public string? From { get; init; }
    public string? To { get; init; }
}

public sealed record Victim
{
    public string? Name { get; init; }
    public int? Age { get; init; }
    /// <summary>An exact date of birth (yyyy-MM-dd); used only to derive an age band.</summary>
    public string? DateOfBirth { get; init; }
    /// <summary>Already-banded age when the source has no exact age (e.g. CTDC "12-14").</summary>
    public string? AgeBand { get; init; }
    public string? Gender { get; init; }
    public string? Citizenship { get; init; }
    public IReadOnlyList<string> Vulnerabilities { get; init; } = [];
    public string? IdentifiedBy { get; init; }
    public IReadOnlyList<Identifier> Identifiers { get; init; } = [];
}

public sealed record Suspect
{
    public string? Name { get; init; }
    public string Role { get; init; } = "";
    public int? Age { get; init; }
    public string? AgeBand { get; init; }
    public string? Gender { get; init; }
    public string? Citizenship { get; init; }
    public string? RelationToVictim { get; init; }
    public IReadOnlyList<Identifier> Identifiers { get; init; } = [];
}

/// <summary>A direct identifier. <see cref="Platform"/> qualifies handles; <see cref="Country"/> documents, plates and phones.</summary>
public sealed record Identifier
{
    public string Type { get; init; } = "";
    public string Value { get; init; } = "";
    public string? Platform { get; init; }
    public string? Country { get; init; }
}

public sealed record ModusOperandi
{
    public IReadOnlyList<string> RecruitmentChannels { get; init; } = [];
    public IReadOnlyList<string> MeansOfControl { get; init; } = [];
    public IReadOnlyList<string> ExploitationTypes { get; init; } = [];
    public IReadOnlyList<string> LabourSectors { get; init; } = [];
}

public sealed record RouteLeg
{
    public string From { get; init; } = "";
    public string To { get; init; } = "";
    public string? Transport { get; init; }
}

public sealed record DigitalEvidence
{
    public IReadOnlyList<string> Kinds { get; init; } = [];
    public IReadOnlyList<string> Platforms { get; init; } = [];
    public IReadOnlyList<EvidenceRequest> CrossBorderRequests { get; init; } = [];
}

public sealed record EvidenceRequest
{
    public string Instrument { get; init; } = "";
    public string Country { get; init; } = "";
}

public sealed record FinancialFlow
{
    public string AmountBand { get; init; } = "";
    public string Channel { get; init; } = "";
    public IReadOnlyList<Identifier> Identifiers { get; init; } = [];
}
