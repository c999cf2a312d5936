using System.Security.Cryptography;
using System.Text.Json;
using Analytics.Core.Cases;
using Analytics.Core.Pseudonymisation;
using Analytics.Data.Cases;

namespace Analytics.Data.Ingestion;

/// <summary>Who is submitting: a prosecutor may only submit for its own jurisdiction and authority.</summary>
public sealed record Submitter(string Jurisdiction, string Authority);

/// <summary>A record that passed validation and pseudonymisation, ready to store. Holds no raw identifier.</summary>
public sealed record PreparedCase(CaseWrite Write, PseudonymisedCase Pseudonymised);

/// <summary>
/// The single path every record takes, from the API and from the importers alike:
/// parse → validate → check the submitter → pseudonymise in memory → canonical form and hash.
/// </summary>
public sealed class CaseIngestion(CasePseudonymiser pseudonymiser, TimeProvider time)
{
    private static readonly JsonSerializerOptions ProfileJson = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Parses and prepares one JSON record. Errors name fields by JSON Pointer and never echo submitted values.</summary>
    public (PreparedCase? Case, IReadOnlyList<ValidationError> Errors) Prepare(ReadOnlySpan<byte> utf8Json, Submitter? submitter)
    {
        var parsed = CaseJson.Parse(utf8Json);
        if (parsed.Submission is null) return (null, parsed.Errors);
        return Prepare(parsed.Submission, submitter);
    }

    public (PreparedCase? Case, IReadOnlyList<ValidationError> Errors) Prepare(CaseSubmission submission, Submitter? submitter)
    {
        var errors = CaseValidator.Validate(submission).ToList();
        if (submitter is not null)
        {
            if (!string.Equals(submission.Jurisdiction, submitter.Jurisdiction, StringComparison.Ordinal))
                errors.Add(new("/jurisdiction", $"must be your own jurisdiction ({submitter.Jurisdiction})"));
            if (!string.Equals(submission.Authority, submitter.Authority, StringComparison.Ordinal))
                errors.Add(new("/authority", $"must be your own authority ({submitter.Authority})"));
        }
        if (errors.Count > 0) return (null, errors);

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var pseudonymised = pseudonymiser.Pseudonymise(submission, today);
        var record = pseudonymised.Record;
        var canonical = CaseJson.Serialize(record);
        var write = new CaseWrite(
            record.Jurisdiction,
            record.Authority,
            record.CaseReferenceToken,
            record.KeyId,
            record.Stage,
            record.PeriodFrom,
            record.PeriodTo,
            record.Victims.Count,
            record.Suspects.Count,
            JsonSerializer.SerializeToUtf8Bytes(CaseProfile.From(record), ProfileJson),
            canonical,
            Convert.ToHexStringLower(SHA256.HashData(canonical)),
            pseudonymised.Tokens)
        {
            CaseRefGenerations = pseudonymiser.CaseReferenceGenerations(submission),
        };
        return (new PreparedCase(write, pseudonymised), []);
    }
}
