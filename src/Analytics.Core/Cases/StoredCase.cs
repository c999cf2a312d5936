namespace Analytics.Core.Cases;

// The pseudonymised form of a case: the only form that is ever persisted.
// No field here may hold a raw direct identifier; identifiers survive only as keyed tokens.

/// <summary>A pseudonymised case record as stored and returned to its own authority.</summary>
public sealed record StoredCase
{
    public string SchemaVersion { get; init; } = "1";
    public string Jurisdiction { get; init; } = "";
    public string Authority { get; init; } = "";
    public string CaseReferenceToken { get; init; } = "";
    public string KeyId { get; init; } = "";
    public string Stage { get; init; } = "";
    public string? Outcome { get; init; }
    /// <summary>Year-month (yyyy-MM).</summary>
    public string? PeriodFrom { get; init; }
    /// <summary>Year-month (yyyy-MM).</summary>
    public string? PeriodTo { get; init; }
    public IReadOnlyList<string> LegalBasis { get; init; } = [];
    public IReadOnlyList<StoredVictim> Victims { get; init; } = [];
    public IReadOnlyList<StoredSuspect> Suspects { get; init; } = [];
    public ModusOperandi ModusOperandi { get; init; } = new();
    public IReadOnlyList<RouteLeg> Route { get; init; } = [];
    public IReadOnlyList<string> ExploitationCountries { get; init; } = [];
    public DigitalEvidence DigitalEvidence { get; init; } = new();
    public IReadOnlyList<StoredFinancialFlow> FinancialFlows { get; init; } = [];
    /// <summary>Narrative with every recognised identifier replaced by a typed placeholder such as <c>[phone:…]</c>.</summary>
    public string? Summary { get; init; }
}

public sealed record StoredVictim
{
    public string? AgeBand { get; init; }
    public string? Gender { get; init; }
    public string? Citizenship { get; init; }
    public IReadOnlyList<string> Vulnerabilities { get; init; } = [];
    public string? IdentifiedBy { get; init; }
    public IReadOnlyList<string> Tokens { get; init; } = [];
}

public sealed record StoredSuspect
{
    public string Role { get; init; } = "";
    public string? AgeBand { get; init; }
    public string? Gender { get; init; }
    public string? Citizenship { get; init; }
    public string? RelationToVictim { get; init; }
    public IReadOnlyList<string> Tokens { get; init; } = [];
}

public sealed record StoredFinancialFlow
{
    public string AmountBand { get; init; } = "";
    public string Channel { get; init; } = "";
    public IReadOnlyList<string> Tokens { get; init; } = [];
}

/// <summary>One offending field, named by RFC 6901 JSON Pointer relative to the submitted record.</summary>
public sealed record ValidationError(string Pointer, string Message);
