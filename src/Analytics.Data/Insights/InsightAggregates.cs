using Analytics.Core.Cases;

namespace Analytics.Data.Insights;

/// <summary>
/// The summary and route counts of the insight endpoints, added up one case at a time (the refresh streams the cases and
/// keeps only these), then written by <see cref="InsightStore.ReplaceAsync"/>.
/// </summary>
public sealed class InsightAggregates
{
    private readonly Dictionary<(string Dimension, string Value), int> _summary = [];
    private readonly Dictionary<(string Route, string Origin, string Destination, string Year, string Type), (int Cases, uint Key)> _routes = [];
    // Distinct values of a case's victims, reused from one case to the next.
    private readonly List<string> _values = [];
    // The year of each period: the same few strings over and over, so each is made once.
    private readonly Dictionary<string, string> _years = new(StringComparer.Ordinal);

    /// <summary>Cases per dimension (<see cref="InsightStore.Dimensions"/>) and value.</summary>
    public IReadOnlyDictionary<(string Dimension, string Value), int> Summary => _summary;

    /// <summary>Route flows by year and first exploitation type, each with its cases and the sum of their record keys.</summary>
    public IReadOnlyDictionary<(string Route, string Origin, string Destination, string Year, string Type), (int Cases, uint Key)> Routes => _routes;

    /// <summary>Counts one case, whose record key is <paramref name="recordKey"/>.</summary>
    public void Add(CaseProfile p, uint recordKey)
    {
        var year = p.PeriodFrom is { Length: >= 4 } from ? Year(from) : InsightStore.Unknown;
        Count("year", year);
        CountEach("exploitationType", p.ExploitationTypes);
        // A case counts once per distinct value: two 15–17 victims make one 15–17 case.
        CountVictims("ageBand", p.Victims, static v => v.AgeBand);
        CountVictims("gender", p.Victims, static v => v.Gender);
        CountEach("recruitmentChannel", p.RecruitmentChannels);

        var countries = p.RouteCountries;
        if (countries.Count >= 2)
        {
            var key = (string.Join('>', countries), countries[0], countries[^1], year, (p.ExploitationTypes.Count > 0 ? p.ExploitationTypes[0] : null) ?? InsightStore.Unknown);
            ref var cell = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_routes, key, out _);
            cell = (cell.Cases + 1, unchecked(cell.Key + recordKey));
        }
    }

    private void Count(string dimension, string value) =>
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_summary, (dimension, value), out _)++;

    private void CountEach(string dimension, IReadOnlyList<string> values)
    {
        if (values.Count == 0) Count(dimension, InsightStore.Unknown);
        for (var i = 0; i < values.Count; i++) Count(dimension, values[i]);
    }

    private void CountVictims(string dimension, IReadOnlyList<ProfileVictim> victims, Func<ProfileVictim, string?> value)
    {
        if (victims.Count == 0)
        {
            Count(dimension, InsightStore.Unknown);
            return;
        }
        _values.Clear();
        for (var i = 0; i < victims.Count; i++)
        {
            var v = value(victims[i]) ?? InsightStore.Unknown;
            if (!_values.Contains(v)) _values.Add(v);
        }
        foreach (var v in _values) Count(dimension, v);
    }

    private string Year(string periodFrom)
    {
        var span = periodFrom.AsSpan(0, 4);
        if (!_years.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(span, out var year))
            _years[year = span.ToString()] = year;
        return year;
    }
}
