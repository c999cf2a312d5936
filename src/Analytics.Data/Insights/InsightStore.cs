using Analytics.Core.Cases;
using Analytics.Data.Database;
using Dapper;

namespace Analytics.Data.Insights;

public sealed record CountRow(string Dimension, string Value, int Cases);

public sealed class RouteRow
{
    public string Route { get; set; } = "";
    public string Origin { get; set; } = "";
    public string Destination { get; set; } = "";
    public int Cases { get; set; }

    /// <summary>The flow's cell key: the sum of its cases' record keys (<see cref="Analytics.Core.Disclosure.CellKeyPerturbation.CellKey"/>).</summary>
    public long CellKey { get; set; }
}

/// <summary>Precomputed counts behind the insight endpoints: rebuilt as a whole, read with small queries.</summary>
public sealed class InsightStore(Db db)
{
    private readonly AggregateCache _cache = new();

    public const string Unknown = "unknown";
    public static readonly IReadOnlyList<string> Dimensions = ["year", "exploitationType", "ageBand", "gender", "recruitmentChannel"];

    /// <summary>
    /// Recomputes every aggregate from the active cases' profiles and replaces the tables in one transaction. Each route row
    /// also keeps the sum of its cases' record keys (<paramref name="recordKeys"/>, in the order of the profiles),
    /// from which a released flow's noise is worked out.
    /// </summary>
    public async Task<(int Summary, int Routes)> RefreshAsync(IEnumerable<CaseProfile> profiles, IReadOnlyList<uint> recordKeys, CancellationToken ct)
    {
        var summary = new Dictionary<(string, string), int>();
        var routes = new Dictionary<(string Route, string Origin, string Destination, string Year, string Type), (int Cases, uint Key)>();
        var index = -1;
        foreach (var p in profiles)
        {
            index++;
            var year = p.PeriodFrom is { Length: >= 4 } from ? from[..4] : Unknown;
            Add("year", year);
            foreach (var type in Or(p.ExploitationTypes)) Add("exploitationType", type);
            // A case counts once per distinct value: two 15–17 victims make one 15–17 case.
            foreach (var band in Or(p.Victims.Select(v => v.AgeBand ?? Unknown).Distinct().ToList())) Add("ageBand", band);
            foreach (var gender in Or(p.Victims.Select(v => v.Gender ?? Unknown).Distinct().ToList())) Add("gender", gender);
            foreach (var channel in Or(p.RecruitmentChannels)) Add("recruitmentChannel", channel);

            var countries = p.RouteCountries.Count > 0 ? p.RouteCountries : [];
            if (countries.Count >= 2)
            {
                var key = (string.Join('>', countries), countries[0], countries[^1], year, p.ExploitationTypes.FirstOrDefault() ?? Unknown);
                var (cases, sum) = routes.GetValueOrDefault(key);
                routes[key] = (cases + 1, unchecked(sum + recordKeys[index]));
            }
        }

        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM summary_counts; DELETE FROM route_counts;", transaction: tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO summary_counts (dimension, value, cases) VALUES (@Dimension, @Value, @Cases)",
                summary.Select(s => new { Dimension = s.Key.Item1, Value = s.Key.Item2, Cases = s.Value }), tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO route_counts (route, origin, destination, year, exploitation_type, cases, cell_key) VALUES (@Route, @Origin, @Destination, @Year, @Type, @Cases, @CellKey)",
                routes.Select(r => new { r.Key.Route, r.Key.Origin, r.Key.Destination, r.Key.Year, r.Key.Type, r.Value.Cases, CellKey = (long)r.Value.Key }), tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            _cache.Invalidate();
        }
        finally
        {
            db.WriteGate.Release();
        }
        return (summary.Count, routes.Count);

        void Add(string dimension, string value) => summary[(dimension, value)] = summary.GetValueOrDefault((dimension, value)) + 1;
        static IReadOnlyList<string> Or(IReadOnlyList<string> values) => values.Count > 0 ? values : [Unknown];
    }

    /// <summary>
    /// Caches an answer derived from the aggregates (e.g. counts after disclosure control, sorted) under <paramref name="key"/>,
    /// for as long as the aggregates it came from: until the next refresh, at most a minute.
    /// </summary>
    public Task<T> DerivedAsync<T>(string key, Func<Task<T>> derive) where T : class => _cache.GetAsync("derived|" + key, derive);

    public Task<IReadOnlyList<CountRow>> SummaryAsync(CancellationToken ct) => _cache.GetAsync("summary", () => ReadSummaryAsync(ct));

    private async Task<IReadOnlyList<CountRow>> ReadSummaryAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string Dimension, string Value, long Cases)>(new CommandDefinition(
            "SELECT dimension, value, cases FROM summary_counts ORDER BY dimension, value", cancellationToken: ct));
        return rows.Select(r => new CountRow(r.Dimension, r.Value, (int)r.Cases)).ToList();
    }

    private const string Routes = """
        SELECT route AS Route, origin AS Origin, destination AS Destination, SUM(cases) AS Cases,
               CAST(SUM(cell_key) % 4294967296 AS BIGINT) AS CellKey
        FROM route_counts
        WHERE (@from IS NULL OR (year >= @from AND year <> 'unknown')) AND (@to IS NULL OR (year <= @to AND year <> 'unknown'))
          AND (@type IS NULL OR exploitation_type = @type)
          AND (@origin IS NULL OR origin = @origin) AND (@destination IS NULL OR destination = @destination)
        GROUP BY route, origin, destination
        ORDER BY SUM(cases) DESC, route
        """;

    /// <summary>Route flows summed over the filters (years inclusive, yyyy; with either bound, cases of unknown year are out).</summary>
    public Task<IReadOnlyList<RouteRow>> RoutesAsync(string? from, string? to, string? type, string? origin, string? destination, CancellationToken ct) =>
        _cache.GetAsync($"routes|{from}|{to}|{type}|{origin}|{destination}", async () =>
        {
            await using var connection = await db.OpenAsync(ct);
            return (IReadOnlyList<RouteRow>)(await connection.QueryAsync<RouteRow>(new CommandDefinition(Routes, new { from, to, type, origin, destination }, cancellationToken: ct))).AsList();
        });
}
