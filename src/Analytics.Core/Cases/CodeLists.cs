using System.Collections.Frozen;
using System.Text.Json;

namespace Analytics.Core.Cases;

/// <summary>
/// The agreed code lists (data-schemas/codelists/*.json), embedded in this assembly and loaded once.
/// List keys are the file names without extension; use the constants rather than literals.
/// </summary>
public static class CodeLists
{
    public const string Countries = "countries";
    public const string Genders = "genders";
    public const string AgeBands = "age-bands";
    public const string Stages = "stages";
    public const string Outcomes = "outcomes";
    public const string ExploitationTypes = "exploitation-types";
    public const string LabourSectors = "labour-sectors";
    public const string MeansOfControl = "means-of-control";
    public const string RecruitmentChannels = "recruitment-channels";
    public const string RelationsToVictim = "relations-to-victim";
    public const string Platforms = "platforms";
    public const string SuspectRoles = "suspect-roles";
    public const string EvidenceKinds = "evidence-kinds";
    public const string VulnerabilityFactors = "vulnerability-factors";
    public const string IdentifiedBy = "identified-by";
    public const string TransportModes = "transport-modes";
    public const string PaymentChannels = "payment-channels";
    public const string AmountBands = "amount-bands";
    public const string EvidenceInstruments = "evidence-instruments";
    public const string IdentifierTypes = "identifier-types";

    // Lazy<T> with the default mode is thread-safe: the resources are parsed exactly once.
    private static readonly Lazy<FrozenDictionary<string, CodeList>> _lists = new(Load);

    /// <summary>Names of every embedded code list.</summary>
    public static IReadOnlyCollection<string> Names => _lists.Value.Keys;

    /// <summary>True when <paramref name="code"/> is in <paramref name="list"/> (ordinal, case-sensitive).</summary>
    /// <exception cref="KeyNotFoundException">No code list has that name.</exception>
    public static bool Contains(string list, string code) => Get(list).Contains(code);

    /// <summary>The codes of <paramref name="list"/> in file order.</summary>
    /// <exception cref="KeyNotFoundException">No code list has that name.</exception>
    public static IReadOnlyList<string> Codes(string list) => Get(list).Codes;

    /// <summary>The English label of a code, or null when the code is not in the list.</summary>
    public static string? Label(string list, string code) =>
        Get(list).Labels.TryGetValue(code, out var label) ? label : null;

    internal static CodeList Get(string list) =>
        _lists.Value.TryGetValue(list, out var codeList)
            ? codeList
            : throw new KeyNotFoundException($"No code list named '{list}'.");

    private static FrozenDictionary<string, CodeList> Load()
    {
        const string prefix = "codelists/";
        var assembly = typeof(CodeLists).Assembly;
        var lists = new Dictionary<string, CodeList>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal) || !resource.EndsWith(".json", StringComparison.Ordinal))
                continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var document = JsonDocument.Parse(stream);
            var root = document.RootElement;
            var name = root.GetProperty("name").GetString()!;
            var expected = resource[prefix.Length..^".json".Length];
            if (name != expected)
                throw new InvalidOperationException($"Code list resource '{resource}' declares name '{name}'.");
            var codes = new List<string>();
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in root.GetProperty("codes").EnumerateArray())
            {
                var code = entry.GetProperty("code").GetString()!;
                if (!labels.TryAdd(code, entry.GetProperty("label").GetString()!))
                    throw new InvalidOperationException($"Code list '{name}' repeats code '{code}'.");
                codes.Add(code);
            }
            lists.Add(name, new CodeList(name, codes.ToArray(), labels.ToFrozenDictionary(StringComparer.Ordinal)));
        }
        return lists.ToFrozenDictionary(StringComparer.Ordinal);
    }
}

/// <summary>One loaded code list with a precomputed error message naming its allowed values.</summary>
internal sealed class CodeList
{
    private readonly FrozenSet<string> _set;

    public CodeList(string name, string[] codes, FrozenDictionary<string, string> labels)
    {
        Name = name;
        Codes = codes;
        Labels = labels;
        _set = codes.ToFrozenSet(StringComparer.Ordinal);
        // 249 countries would drown the message; name the standard instead.
        AllowedMessage = name == CodeLists.Countries
            ? "must be an upper-case ISO 3166-1 alpha-2 country code such as \"DE\" (code list countries)"
            : $"must be one of: {string.Join(", ", codes)} (code list {name})";
    }

    public string Name { get; }
    public string[] Codes { get; }
    public FrozenDictionary<string, string> Labels { get; }
    public string AllowedMessage { get; }

    public bool Contains(string? code) => code is not null && _set.Contains(code);
}
