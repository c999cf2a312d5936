using System.Text.Json.Serialization;
using Analytics.Core.Cases;

namespace Analytics.Learning.Features;

/// <summary>
/// The versioned, ordered list of numeric features built from a <see cref="CaseProfile"/>.
/// The country vocabulary is learnt from the training data and kept in the schema, so a model
/// produces exactly the same columns at prediction time as it saw when it was trained.
/// </summary>
/// <remarks>
/// Encoding (version 1):
/// <list type="bullet">
/// <item>categorical and list-valued fields are one-hot / multi-hot, one 0/1 column per code
/// (<c>recruitment=social-media</c>);</item>
/// <item>missing information is its own column (<c>victim.age.unknown</c>, <c>recruitment.unknown</c>),
/// so "the source did not say" never looks like "no";</item>
/// <item>countries outside the learnt vocabulary fall into <c>…=other</c>;</item>
/// <item>counts are capped at 10 and scaled to 0..1, and the ordinal age of the youngest victim is
/// (band index + 1) / band count, 0 only together with <c>victim.age.unknown</c>, so no column
/// dwarfs the 0/1 columns in k-means distances.</item>
/// </list>
/// </remarks>
public sealed class FeatureSchema
{
    /// <summary>Version of the encoding rules; bump it whenever a column's meaning changes.</summary>
    public const string Version = "1";

    /// <summary>Default size of the learnt country vocabulary.</summary>
    public const int DefaultTopCountries = 20;

    private const int CountCap = 10;
    private static readonly IReadOnlyList<string> AgeBands = CodeLists.Codes(CodeLists.AgeBands);
    private static readonly HashSet<string> ChildBands = [.. AgeBands.Take(4)];

    private readonly Dictionary<string, int> _index;

    /// <summary>Creates the schema for a given country vocabulary (in column order).</summary>
    [JsonConstructor]
    public FeatureSchema(IReadOnlyList<string> countries)
    {
        Countries = [.. countries];
        Names = BuildNames(Countries);
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Names.Count; i++)
            _index.Add(Names[i], i);
    }

    /// <summary>Encoding version this schema was built with (always <see cref="Version"/>).</summary>
    [JsonPropertyName("version")]
    public string SchemaVersion => Version;

    /// <summary>The learnt country vocabulary (ISO alpha-2), most frequent first.</summary>
    public IReadOnlyList<string> Countries { get; }

    /// <summary>Feature names in column order.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Names { get; }

    /// <summary>Number of columns.</summary>
    [JsonIgnore]
    public int Count => Names.Count;

    /// <summary>
    /// Learns the country vocabulary from <paramref name="profiles"/>: the <paramref name="topCountries"/>
    /// most frequent countries over victim citizenship, route and exploitation countries
    /// (ties broken by code, so the result does not depend on input order).
    /// </summary>
    public static FeatureSchema Build(IEnumerable<CaseProfile> profiles, int topCountries = DefaultTopCountries)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        ArgumentOutOfRangeException.ThrowIfNegative(topCountries);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in profiles)
        {
            var seen = p.Victims.Select(v => v.Citizenship).OfType<string>()
                .Concat(p.RouteCountries).Concat(p.ExploitationCountries).Distinct(StringComparer.Ordinal);
            foreach (var c in seen)
                counts[c] = counts.GetValueOrDefault(c) + 1;
        }
        var top = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(topCountries).Select(kv => kv.Key).ToList();
        return new FeatureSchema(top);
    }

    /// <summary>Column index of a feature name, or -1.</summary>
    public int IndexOf(string name) => _index.GetValueOrDefault(name, -1);

    /// <summary>The feature vector of one profile, in <see cref="Names"/> order.</summary>
    public float[] Vectorize(CaseProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var v = new float[Names.Count];

        // Victims: multi-hot over all victims of the case; an unknown column is set as soon as one
        // victim lacks the value (or when the case lists no victim at all).
        foreach (var victim in profile.Victims)
        {
            SetCode(v, "victim.gender", CodeLists.Genders, victim.Gender);
            SetCountry(v, "victim.citizenship", victim.Citizenship);
            SetCode(v, "victim.age", CodeLists.AgeBands, victim.AgeBand);
        }
        if (profile.Victims.Count == 0)
        {
            Set(v, "victim.gender.unknown");
            Set(v, "victim.citizenship.unknown");
            Set(v, "victim.age.unknown");
        }
        var knownBands = profile.Victims.Select(x => x.AgeBand).OfType<string>()
            .Select(b => IndexOfBand(b)).Where(i => i >= 0).ToList();
        if (knownBands.Count > 0)
            v[_index["victim.age.youngest"]] = (knownBands.Min() + 1f) / AgeBands.Count;
        if (profile.Victims.Any(x => x.AgeBand is not null && ChildBands.Contains(x.AgeBand)))
            Set(v, "victim.child");

        v[_index["victims.count"]] = Scaled(profile.Victims.Count);
        v[_index["suspects.count"]] = Scaled(profile.Suspects.Count);
        v[_index["route.count"]] = Scaled(profile.RouteCountries.Count);

        SetList(v, "recruitment", CodeLists.RecruitmentChannels, profile.RecruitmentChannels);
        SetList(v, "control", CodeLists.MeansOfControl, profile.MeansOfControl);
        SetList(v, "exploitation", CodeLists.ExploitationTypes, profile.ExploitationTypes);
        // Sectors only apply to labour exploitation: an empty list is "unknown" there and "not applicable" elsewhere.
        foreach (var sector in profile.LabourSectors)
            SetCode(v, "sector", CodeLists.LabourSectors, sector);
        if (profile.LabourSectors.Count == 0 && profile.ExploitationTypes.Contains("labour"))
            Set(v, "sector.unknown");

        SetCountry(v, "origin", Origin(profile));
        SetCountry(v, "destination", Destination(profile));

        SetList(v, "evidence", CodeLists.EvidenceKinds, profile.EvidenceKinds);
        SetList(v, "platform", CodeLists.Platforms, profile.Platforms);
        SetList(v, "payment", CodeLists.PaymentChannels, profile.PaymentChannels);

        foreach (var suspect in profile.Suspects)
        {
            SetCode(v, "suspect.role", CodeLists.SuspectRoles, suspect.Role);
            SetCode(v, "suspect.relation", CodeLists.RelationsToVictim, suspect.RelationToVictim);
        }
        if (profile.Suspects.Count == 0)
        {
            Set(v, "suspect.role.unknown");
            Set(v, "suspect.relation.unknown");
        }
        return v;
    }

    /// <summary>Origin of a case: the first route country, or null when the route is unknown.</summary>
    public static string? Origin(CaseProfile profile) => profile.RouteCountries.Count > 0 ? profile.RouteCountries[0] : null;

    /// <summary>Destination of a case: the last route country, else the last exploitation country, else null.</summary>
    public static string? Destination(CaseProfile profile) =>
        profile.RouteCountries.Count > 1 ? profile.RouteCountries[^1]
        : profile.ExploitationCountries.Count > 0 ? profile.ExploitationCountries[^1]
        : null;

    /// <summary>True when any victim of the case is in one of the four child age bands (under 18).</summary>
    public static bool? HasChildVictim(CaseProfile profile)
    {
        if (profile.Victims.Any(x => x.AgeBand is not null && ChildBands.Contains(x.AgeBand)))
            return true;
        // Only "no" when every victim's age is known to be adult; otherwise the answer is unknown.
        return profile.Victims.Count > 0 && profile.Victims.All(x => x.AgeBand is not null && IndexOfBand(x.AgeBand) >= 0) ? false : null;
    }

    /// <summary>True for age bands under 18.</summary>
    public static bool IsChildBand(string? band) => band is not null && ChildBands.Contains(band);

    /// <summary>Index of an age band in the code list, or -1.</summary>
    public static int IndexOfBand(string band)
    {
        for (var i = 0; i < AgeBands.Count; i++)
            if (AgeBands[i] == band)
                return i;
        return -1;
    }

    private static float Scaled(int count) => Math.Min(count, CountCap) / (float)CountCap;

    private void Set(float[] v, string name) => v[_index[name]] = 1f;

    private void SetList(float[] v, string prefix, string list, IReadOnlyList<string> values)
    {
        foreach (var value in values)
            SetCode(v, prefix, list, value);
        if (values.Count == 0)
            Set(v, prefix + ".unknown");
    }

    private void SetCode(float[] v, string prefix, string list, string? code)
    {
        if (code is null)
            Set(v, prefix + ".unknown");
        else if (_index.TryGetValue(prefix + "=" + code, out var i))
            v[i] = 1f;
        // A code outside the list (an older list version) counts as "other" where the list has one.
        else if (_index.TryGetValue(prefix + "=other", out var other))
            v[other] = 1f;
        else
            Set(v, prefix + ".unknown");
    }

    private void SetCountry(float[] v, string prefix, string? country)
    {
        if (country is null)
            Set(v, prefix + ".unknown");
        else if (_index.TryGetValue(prefix + "=" + country, out var i))
            v[i] = 1f;
        else
            Set(v, prefix + "=other");
    }

    private static IReadOnlyList<string> BuildNames(IReadOnlyList<string> countries)
    {
        var names = new List<string>();
        void Codes(string prefix, string list, bool unknown = true)
        {
            names.AddRange(CodeLists.Codes(list).Select(c => prefix + "=" + c));
            if (unknown)
                names.Add(prefix + ".unknown");
        }
        void Countries(string prefix)
        {
            names.AddRange(countries.Select(c => prefix + "=" + c));
            names.Add(prefix + "=other");
            names.Add(prefix + ".unknown");
        }

        Codes("victim.gender", CodeLists.Genders);
        Countries("victim.citizenship");
        Codes("victim.age", CodeLists.AgeBands);
        names.Add("victim.age.youngest");
        names.Add("victim.child");
        names.Add("victims.count");
        names.Add("suspects.count");
        names.Add("route.count");
        Codes("recruitment", CodeLists.RecruitmentChannels);
        Codes("control", CodeLists.MeansOfControl);
        Codes("exploitation", CodeLists.ExploitationTypes);
        Codes("sector", CodeLists.LabourSectors);
        Countries("origin");
        Countries("destination");
        Codes("evidence", CodeLists.EvidenceKinds);
        Codes("platform", CodeLists.Platforms);
        Codes("payment", CodeLists.PaymentChannels);
        Codes("suspect.role", CodeLists.SuspectRoles);
        Codes("suspect.relation", CodeLists.RelationsToVictim);
        return names;
    }

    /// <summary>True for 0/1 indicator columns (everything except counts and the ordinal age).</summary>
    public static bool IsIndicator(string name) =>
        name is not ("victim.age.youngest" or "victims.count" or "suspects.count" or "route.count");
}
