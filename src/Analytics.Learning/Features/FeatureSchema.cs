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
    private readonly Fields _fields;

    /// <summary>Creates the schema for a given country vocabulary (in column order).</summary>
    [JsonConstructor]
    public FeatureSchema(IReadOnlyList<string> countries)
    {
        Countries = [.. countries];
        Names = BuildNames(Countries);
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Names.Count; i++)
            _index.Add(Names[i], i);
        _fields = new Fields(Names, _index);
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
        // A case names few countries: its distinct ones are kept in one reused list, no per-case allocation.
        var seen = new List<string>(16);
        void See(string? country)
        {
            if (country is null)
                return;
            foreach (var s in seen)
                if (string.Equals(s, country, StringComparison.Ordinal))
                    return;
            seen.Add(country);
        }
        foreach (var p in profiles)
        {
            seen.Clear();
            for (var i = 0; i < p.Victims.Count; i++)
                See(p.Victims[i].Citizenship);
            for (var i = 0; i < p.RouteCountries.Count; i++)
                See(p.RouteCountries[i]);
            for (var i = 0; i < p.ExploitationCountries.Count; i++)
                See(p.ExploitationCountries[i]);
            foreach (var c in seen)
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, c, out _)++;
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
        var v = new float[Names.Count];
        Vectorize(profile, v);
        return v;
    }

    /// <summary>
    /// Writes the feature vector of one profile into <paramref name="v"/> (length <see cref="Count"/>), which is
    /// cleared first. Allocation-free: every code is looked up in a per-field table built with the schema.
    /// </summary>
    public void Vectorize(CaseProfile profile, Span<float> v)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (v.Length != Names.Count)
            throw new ArgumentException($"The feature vector needs {Names.Count} values; got {v.Length}.", nameof(v));
        v.Clear();
        var f = _fields;

        // Victims: multi-hot over all victims of the case; an unknown column is set as soon as one
        // victim lacks the value (or when the case lists no victim at all).
        var youngest = int.MaxValue;
        var child = false;
        var victims = profile.Victims;
        for (var n = 0; n < victims.Count; n++)
        {
            var victim = victims[n];
            f.VictimGender.SetCode(v, victim.Gender);
            f.VictimCitizenship.SetCountry(v, victim.Citizenship);
            f.VictimAge.SetCode(v, victim.AgeBand);
            if (victim.AgeBand is { } band)
            {
                var i = IndexOfBand(band);
                if (i >= 0 && i < youngest)
                    youngest = i;
                child |= ChildBands.Contains(band);
            }
        }
        if (profile.Victims.Count == 0)
        {
            v[f.VictimGender.Unknown] = 1f;
            v[f.VictimCitizenship.Unknown] = 1f;
            v[f.VictimAge.Unknown] = 1f;
        }
        if (youngest != int.MaxValue)
            v[f.Youngest] = (youngest + 1f) / AgeBands.Count;
        if (child)
            v[f.Child] = 1f;

        v[f.VictimsCount] = Scaled(profile.Victims.Count);
        v[f.SuspectsCount] = Scaled(profile.Suspects.Count);
        v[f.RouteCount] = Scaled(profile.RouteCountries.Count);

        f.Recruitment.SetList(v, profile.RecruitmentChannels);
        f.Control.SetList(v, profile.MeansOfControl);
        f.Exploitation.SetList(v, profile.ExploitationTypes);
        // Sectors only apply to labour exploitation: an empty list is "unknown" there and "not applicable" elsewhere.
        for (var n = 0; n < profile.LabourSectors.Count; n++)
            f.Sector.SetCode(v, profile.LabourSectors[n]);
        if (profile.LabourSectors.Count == 0 && profile.ExploitationTypes.Contains("labour"))
            v[f.Sector.Unknown] = 1f;

        f.Origin.SetCountry(v, Origin(profile));
        f.Destination.SetCountry(v, Destination(profile));

        f.Evidence.SetList(v, profile.EvidenceKinds);
        f.Platform.SetList(v, profile.Platforms);
        f.Payment.SetList(v, profile.PaymentChannels);

        var suspects = profile.Suspects;
        for (var n = 0; n < suspects.Count; n++)
        {
            var suspect = suspects[n];
            f.SuspectRole.SetCode(v, suspect.Role);
            f.SuspectRelation.SetCode(v, suspect.RelationToVictim);
        }
        if (profile.Suspects.Count == 0)
        {
            v[f.SuspectRole.Unknown] = 1f;
            v[f.SuspectRelation.Unknown] = 1f;
        }
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

    /// <summary>Column lookups of one one-hot / multi-hot field (e.g. all <c>recruitment=…</c> columns).</summary>
    private sealed class Field
    {
        public Dictionary<string, int> Codes { get; } = new(StringComparer.Ordinal);
        public int Unknown { get; set; } = -1;
        public int Other { get; set; } = -1;

        /// <summary>A known code sets its column; a code outside the list (an older list version) counts as
        /// "other" where the list has one, else as unknown; null is unknown.</summary>
        public void SetCode(Span<float> v, string? code)
        {
            if (code is null)
                v[Unknown] = 1f;
            else if (Codes.TryGetValue(code, out var i))
                v[i] = 1f;
            else
                v[Other >= 0 ? Other : Unknown] = 1f;
        }

        /// <summary>A country outside the learnt vocabulary falls into "other"; null is unknown.</summary>
        public void SetCountry(Span<float> v, string? country)
        {
            if (country is null)
                v[Unknown] = 1f;
            else if (Codes.TryGetValue(country, out var i))
                v[i] = 1f;
            else
                v[Other] = 1f;
        }

        public void SetList(Span<float> v, IReadOnlyList<string> values)
        {
            for (var i = 0; i < values.Count; i++)
                SetCode(v, values[i]);
            if (values.Count == 0)
                v[Unknown] = 1f;
        }
    }

    private sealed class Fields
    {
        public Fields(IReadOnlyList<string> names, Dictionary<string, int> index)
        {
            var fields = new Dictionary<string, Field>(StringComparer.Ordinal);
            Field Of(string prefix) => fields.TryGetValue(prefix, out var f) ? f : fields[prefix] = new Field();
            for (var i = 0; i < names.Count; i++)
            {
                var name = names[i];
                var eq = name.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    var field = Of(name[..eq]);
                    field.Codes[name[(eq + 1)..]] = i;
                    if (name[(eq + 1)..] == "other")
                        field.Other = i;
                }
                else if (name.EndsWith(".unknown", StringComparison.Ordinal))
                    Of(name[..^".unknown".Length]).Unknown = i;
            }
            VictimGender = fields["victim.gender"];
            VictimCitizenship = fields["victim.citizenship"];
            VictimAge = fields["victim.age"];
            Recruitment = fields["recruitment"];
            Control = fields["control"];
            Exploitation = fields["exploitation"];
            Sector = fields["sector"];
            Origin = fields["origin"];
            Destination = fields["destination"];
            Evidence = fields["evidence"];
            Platform = fields["platform"];
            Payment = fields["payment"];
            SuspectRole = fields["suspect.role"];
            SuspectRelation = fields["suspect.relation"];
            Youngest = index["victim.age.youngest"];
            Child = index["victim.child"];
            VictimsCount = index["victims.count"];
            SuspectsCount = index["suspects.count"];
            RouteCount = index["route.count"];
        }

        public Field VictimGender { get; }
        public Field VictimCitizenship { get; }
        public Field VictimAge { get; }
        public Field Recruitment { get; }
        public Field Control { get; }
        public Field Exploitation { get; }
        public Field Sector { get; }
        public Field Origin { get; }
        public Field Destination { get; }
        public Field Evidence { get; }
        public Field Platform { get; }
        public Field Payment { get; }
        public Field SuspectRole { get; }
        public Field SuspectRelation { get; }
        public int Youngest { get; }
        public int Child { get; }
        public int VictimsCount { get; }
        public int SuspectsCount { get; }
        public int RouteCount { get; }
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
