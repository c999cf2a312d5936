using System.Text.Json;

namespace Analytics.Api.Cases;

/// <summary>What a prosecutor gets back for each stored record.</summary>
/// <param name="CaseId">The platform's id of the case.</param>
/// <param name="Status">created, updated or unchanged (a replay of the same content).</param>
/// <param name="Version">Increases with every change.</param>
/// <param name="RecordSha256">SHA-256 of the canonical stored (pseudonymised) record.</param>
/// <param name="KeyId">Id of the pseudonymisation key that produced the tokens.</param>
/// <param name="Tokens">Tokens made from structured identifiers, by type.</param>
/// <param name="Scrubbed">Spans replaced in free text, by type.</param>
/// <param name="Warnings">
/// Identifiers that failed their type's check (a phone number that is no number, an IBAN whose mod-97 check fails, a card
/// number whose Luhn check fails), by JSON Pointer to the value, each with the reason. They are stored all the same,
/// tokenised from the text as written, so each links only to the same text: correct the value and send the case again to
/// link it. Empty when every identifier passed. Never repeats a value.
/// </param>
public sealed record Receipt(
    string CaseId,
    string Status,
    int Version,
    string RecordSha256,
    string KeyId,
    IReadOnlyDictionary<string, int> Tokens,
    IReadOnlyDictionary<string, int> Scrubbed,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Warnings);

public sealed record BatchLineResult(int Line, string Status, Receipt? Receipt, IDictionary<string, string[]>? Errors);

public sealed record BatchResult(int Lines, int Created, int Updated, int Unchanged, int Rejected, IReadOnlyList<BatchLineResult> Results);

public sealed record CaseDocument(string CaseId, string Status, int Version, string RecordSha256, string SubmittedAt, string UpdatedAt, JsonElement Record);

public sealed record CaseListItem(string CaseId, string Status, int Version, string UpdatedAt);

public sealed record CaseList(IReadOnlyList<CaseListItem> Items, string? Next);
