using Analytics.Core.Cases;

namespace Analytics.Core.Pseudonymisation;

/// <summary>
/// Result of pseudonymising one submission in memory: the record to store plus what the receipt reports.
/// </summary>
/// <param name="Record">The pseudonymised record.</param>
/// <param name="Tokens">Every distinct token in the record (structured fields and narrative placeholders).</param>
/// <param name="TokenCounts">Tokens produced from structured identifiers, by type (e.g. "phone" → 2).</param>
/// <param name="ScrubbedCounts">Spans replaced in free text, by type.</param>
public sealed record PseudonymisedCase(
    StoredCase Record,
    IReadOnlyList<string> Tokens,
    IReadOnlyDictionary<string, int> TokenCounts,
    IReadOnlyDictionary<string, int> ScrubbedCounts)
{
    /// <summary>
    /// Structured identifiers, by type, that failed their normaliser (bad checksum, invalid number) and were
    /// tokenised from their trimmed raw form instead; worth reporting back on the receipt.
    /// </summary>
    public IReadOnlyDictionary<string, int> UnvalidatedCounts { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// The same identifiers by JSON Pointer to the value that failed (e.g. "/suspects/0/identifiers/1/value"), each with
    /// the reason (<see cref="IdentifierWarnings"/>); in the record's order. Never holds a submitted value.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Warnings { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
}
