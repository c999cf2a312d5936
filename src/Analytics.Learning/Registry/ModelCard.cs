using System.Buffers.Binary;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Analytics.Core.Cases;
using Analytics.Learning.Features;

namespace Analytics.Learning.Registry;

/// <summary>What data a model was trained on: a count and a digest, never the data itself.</summary>
/// <param name="CaseCount">Number of cases.</param>
/// <param name="Sha256">Hex SHA-256 over the sorted case keys (for profiles: over the sorted SHA-256 digests of their JSON).</param>
public sealed record DataSnapshot(int CaseCount, string Sha256)
{
    /// <summary>Digest of opaque case keys given by the caller (e.g. internal row ids), sorted ordinally first.</summary>
    public static DataSnapshot FromCaseIds(IEnumerable<string> caseIds)
    {
        ArgumentNullException.ThrowIfNull(caseIds);
        var sorted = caseIds.Order(StringComparer.Ordinal).ToList();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var id in sorted)
        {
            // Length-prefix each key so ["ab","c"] and ["a","bc"] differ.
            var bytes = Encoding.UTF8.GetBytes(id);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        return new DataSnapshot(sorted.Count, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>
    /// Digest of the profiles themselves, when the caller has no stable ids: the SHA-256 of each profile's canonical JSON,
    /// sorted, then hashed together. Only 32 bytes per profile are held, not its JSON text, so a million profiles read
    /// one at a time need 32 MB here; the order of the profiles does not change the digest.
    /// </summary>
    public static DataSnapshot FromProfiles(IEnumerable<CaseProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var digests = new List<(UInt128 Head, UInt128 Tail)>();
        Span<byte> digest = stackalloc byte[32];
        foreach (var p in profiles)
        {
            SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(p), digest);
            digests.Add((BinaryPrimitives.ReadUInt128BigEndian(digest), BinaryPrimitives.ReadUInt128BigEndian(digest[16..])));
        }
        // Big-endian halves compared head first: the byte order of the digests, as an ordinal sort of them would give.
        digests.Sort();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (head, tail) in digests)
        {
            BinaryPrimitives.WriteUInt128BigEndian(digest, head);
            BinaryPrimitives.WriteUInt128BigEndian(digest[16..], tail);
            hash.AppendData(digest);
        }
        return new DataSnapshot(digests.Count, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}

/// <summary>The feature schema a model reads.</summary>
public sealed record FeatureSchemaCard(string Version, IReadOnlyList<string> Names);

/// <summary>A model's metrics, with the one the promotion policy compares.</summary>
/// <param name="Primary">Name of the primary metric (higher is better): "macroF1" or "silhouette".</param>
/// <param name="Values">All metrics by name; must contain <paramref name="Primary"/>.</param>
public sealed record ModelMetrics(string Primary, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>The value of the primary metric.</summary>
    public double PrimaryValue => Values.TryGetValue(Primary, out var v) ? v : throw new InvalidOperationException($"Metrics lack the primary metric '{Primary}'.");
}

/// <summary>
/// The model card stored as <c>model-card.json</c> beside every model version. Its keys are exactly:
/// name, version, dataSnapshot, featureSchema, parameters, metrics, trainedAt, codeVersion.
/// </summary>
public sealed record ModelCard(
    string Name,
    string Version,
    DataSnapshot DataSnapshot,
    FeatureSchemaCard FeatureSchema,
    IReadOnlyDictionary<string, double> Parameters,
    ModelMetrics Metrics,
    DateTimeOffset TrainedAt,
    string CodeVersion)
{
    /// <summary>The documented top-level keys of model-card.json.</summary>
    public static readonly IReadOnlyList<string> Keys =
        ["name", "version", "dataSnapshot", "featureSchema", "parameters", "metrics", "trainedAt", "codeVersion"];

    /// <summary>Informational version of this library, recorded as the code version.</summary>
    public static string CurrentCodeVersion { get; } =
        typeof(ModelCard).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ModelCard).Assembly.GetName().Version?.ToString() ?? "unknown";
}

/// <summary>What the caller knows before a version number is assigned.</summary>
public sealed record ModelCardDraft(
    DataSnapshot DataSnapshot,
    FeatureSchema FeatureSchema,
    IReadOnlyDictionary<string, double> Parameters,
    ModelMetrics Metrics,
    DateTimeOffset TrainedAt);
