using System.Globalization;
using Analytics.Core.Cases;
using Analytics.Learning.Features;

namespace Analytics.Learning.Patterns;

/// <summary>Explains a pattern by its over-represented attribute values and names it.</summary>
internal static class PatternProfiler
{
    // A value appears in the label only when it is typical of the pattern, not merely the most common.
    private const double LabelMinShare = 0.3;
    private const double GenderMinShare = 0.6;
    private const double OtherGenderMaxShare = 0.3;
    private const double AgeGroupMinShare = 0.5;
    private const double AgeBandMinShare = 0.15;

    public static IReadOnlyList<Pattern> Build(
        FeatureSchema schema,
        IReadOnlyList<CaseProfile> profiles,
        FeatureMatrix vectors,
        IReadOnlyList<int> assignments,
        int k,
        PatternDiscoveryOptions options)
    {
        // One pass over the matrix: per pattern, how many rows have each column set and how many have an adult victim.
        var width = schema.Count;
        var counts = new long[k * width];
        var sizes = new int[k];
        var adults = new int[k];
        var adultColumns = AdultColumns(schema).ToArray();
        for (var i = 0; i < vectors.Rows; i++)
        {
            var row = vectors.Row(i);
            var c = assignments[i];
            var offset = c * width;
            for (var j = 0; j < width; j++)
                if (row[j] != 0)
                    counts[offset + j]++;
            sizes[c]++;
            foreach (var j in adultColumns)
                if (row[j] != 0)
                {
                    adults[c]++;
                    break;
                }
        }
        var overall = new double[width];
        for (var c = 0; c < k; c++)
            for (var j = 0; j < width; j++)
                overall[j] += counts[c * width + j];
        if (vectors.Rows > 0)
            for (var j = 0; j < width; j++)
                overall[j] /= vectors.Rows;

        var members = new List<int>[k];
        for (var c = 0; c < k; c++)
            members[c] = new List<int>(sizes[c]);
        for (var i = 0; i < assignments.Count; i++)
            members[assignments[i]].Add(i);

        // One pass over the profiles for the two fields the profile needs beyond the matrix: profiles may be decoded on
        // every read (CompactProfiles), so each is read once. Offence periods repeat a lot: each distinct value is parsed once.
        var months = new Dictionary<string, string?>(StringComparer.Ordinal);
        var jurisdictionOf = new string[profiles.Count];
        var periodOf = new string?[profiles.Count];
        var position = 0;
        foreach (var p in profiles)
        {
            jurisdictionOf[position] = p.Jurisdiction;
            if (p.PeriodFrom is { } from)
            {
                if (!months.TryGetValue(from, out var month))
                    months[from] = month = YearMonth(from);
                periodOf[position] = month;
            }
            position++;
        }

        var patterns = new List<Pattern>(k);
        for (var c = 0; c < k; c++)
        {
            if (sizes[c] < options.SuppressionThreshold)
            {
                patterns.Add(new Pattern(c, Suppressed: true, Profile: null));
                continue;
            }
            var shares = new double[width];
            for (var j = 0; j < width; j++)
                shares[j] = counts[c * width + j] / (double)sizes[c];
            var attributes = new List<AttributeLift>();
            for (var j = 0; j < width; j++)
            {
                var name = schema.Names[j];
                if (!FeatureSchema.IsIndicator(name) || overall[j] <= 0 || shares[j] < options.MinAttributeShare)
                    continue;
                var lift = shares[j] / overall[j];
                if (lift > 1)
                    attributes.Add(new AttributeLift(name, shares[j], overall[j], lift));
            }
            var top = attributes.OrderByDescending(a => a.Lift * a.ShareInPattern).ThenBy(a => a.Feature, StringComparer.Ordinal)
                .Take(options.MaxAttributes).ToList();
            var jurisdictions = members[c].GroupBy(i => jurisdictionOf[i])
                .Select(g => new JurisdictionCount(g.Key, g.Count()))
                .OrderByDescending(j => j.Cases).ThenBy(j => j.Jurisdiction, StringComparer.Ordinal).ToList();
            string? first = null, last = null;
            foreach (var i in members[c])
                if (periodOf[i] is { } period)
                {
                    if (first is null || string.CompareOrdinal(period, first) < 0)
                        first = period;
                    if (last is null || string.CompareOrdinal(period, last) > 0)
                        last = period;
                }
            // Whatever the label names is held by at least as many cases as a released count needs.
            var label = Label(schema, shares, adults[c] / (double)sizes[c], options.SuppressionThreshold / (double)sizes[c]);
            patterns.Add(new Pattern(c, Suppressed: false, new PatternProfile(sizes[c], label, top, jurisdictions, first, last)));
        }
        return patterns;
    }

    private static string? YearMonth(string? period) =>
        period is { Length: >= 7 } && DateTime.TryParseExact(period[..7], "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? period[..7]
            : null;

    private static IEnumerable<int> AdultColumns(FeatureSchema schema) =>
        CodeLists.Codes(CodeLists.AgeBands).Where(b => !FeatureSchema.IsChildBand(b)).Select(b => schema.IndexOf("victim.age=" + b));

    /// <param name="schema">Schema of the shares.</param>
    /// <param name="shares">Share of the pattern's cases with each column set.</param>
    /// <param name="adultShare">Share of the pattern's cases with at least one adult victim.</param>
    /// <param name="minShare">
    /// The smallest share a named value may have whatever its kind: the disclosure threshold over the pattern's size, so a
    /// label never names a value held by fewer cases than a released count needs.
    /// </param>
    internal static string Label(FeatureSchema schema, double[] shares, double adultShare, double minShare = 0)
    {
        double AtLeast(double share) => Math.Max(share, minShare);
        var parts = new List<string>();
        var who = Who(schema, shares, adultShare, minShare);
        if (who is not null)
            parts.Add(who);
        if (Top(schema, shares, "recruitment", AtLeast(LabelMinShare)) is { } channel)
            parts.Add(Words(channel));
        if (Top(schema, shares, "suspect.relation", AtLeast(LabelMinShare)) is { } relation)
            parts.Add(Words(relation));
        var origin = Top(schema, shares, "origin", AtLeast(LabelMinShare));
        var destination = Top(schema, shares, "destination", AtLeast(LabelMinShare));
        if (origin is not null || destination is not null)
            parts.Add(origin == destination ? origin! : $"{origin}→{destination}");
        if (Top(schema, shares, "exploitation", AtLeast(LabelMinShare)) is { } exploitation)
            parts.Add(exploitation is "sexual" or "labour" or "online-sexual" ? Words(exploitation) + " exploitation" : Words(exploitation));
        return parts.Count > 0 ? string.Join(" · ", parts) : "Mixed cases";
    }

    private static string? Who(FeatureSchema schema, double[] shares, double adultShare, double minShare)
    {
        double AtLeast(double share) => Math.Max(share, minShare);
        // Genders are multi-hot over a case's victims, so "mostly girls" also needs boys to be rare.
        var gender = Top(schema, shares, "victim.gender", AtLeast(GenderMinShare));
        if (gender is not null && CodeLists.Codes(CodeLists.Genders).Any(g => g != gender && shares[schema.IndexOf("victim.gender=" + g)] >= OtherGenderMaxShare))
            gender = null;
        var child = shares[schema.IndexOf("victim.child")];
        var bands = CodeLists.Codes(CodeLists.AgeBands);
        bool? isChild = child >= AtLeast(AgeGroupMinShare) ? true : adultShare >= AtLeast(AgeGroupMinShare) ? false : null;
        var noun = (isChild, gender) switch
        {
            (true, "female") => "Girls",
            (true, "male") => "Boys",
            (true, _) => "Children",
            (false, "female") => "Women",
            (false, "male") => "Men",
            (false, _) => "Adults",
            (null, "female") => "Female victims",
            (null, "male") => "Male victims",
            _ => null,
        };
        if (noun is null || isChild is null)
            return noun;
        var group = bands.Where(b => FeatureSchema.IsChildBand(b) == isChild && shares[schema.IndexOf("victim.age=" + b)] >= AtLeast(AgeBandMinShare)).ToList();
        if (group.Count == 0)
            return noun;
        var low = group[0].Split('-', '+')[0];
        var last = group[^1];
        var high = last.EndsWith('+') ? null : last.Split('-')[1];
        return high is null ? $"{noun} {low}+" : $"{noun} {low}–{high}";
    }

    /// <summary>The most common value of a one-hot family (ignoring "other"), when its share reaches <paramref name="minShare"/>.</summary>
    private static string? Top(FeatureSchema schema, double[] shares, string prefix, double minShare)
    {
        string? best = null;
        var bestShare = minShare;
        var start = prefix + "=";
        for (var j = 0; j < schema.Count; j++)
        {
            var name = schema.Names[j];
            if (!name.StartsWith(start, StringComparison.Ordinal) || name == start + "other")
                continue;
            if (shares[j] >= bestShare && (best is null || shares[j] > bestShare))
            {
                best = name[start.Length..];
                bestShare = shares[j];
            }
        }
        return best;
    }

    private static string Words(string code) => code.Replace('-', ' ');
}
