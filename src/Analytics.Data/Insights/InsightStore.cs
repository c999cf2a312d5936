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
    public Task<(int Summary, int Routes)> RefreshAsync(IEnumerable<CaseProfile> profiles, IReadOnlyList<uint> recordKeys, CancellationToken ct)
    {
        var aggregates = new InsightAggregates();
        var index = 0;
        foreach (var p in profiles) aggregates.Add(p, recordKeys[index++]);
        return ReplaceAsync(aggregates, ct);
    }

    /// <summary>Replaces the summary and route tables with <paramref name="aggregates"/> in one transaction.</summary>
    public async Task<(int Summary, int Routes)> ReplaceAsync(InsightAggregates aggregates, CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM summary_counts; DELETE FROM route_counts;", transaction: tx, cancellationToken: ct));
            // Through the engine's bulk path: the tables were just emptied and no two rows share a key.
            await db.Dialect.BulkInsertAsync(connection, tx, new BulkInsert("summary_counts", ["dimension", "value", "cases"], ["dimension", "value"], null,
                aggregates.Summary.Select(s => new object?[] { s.Key.Dimension, s.Key.Value, s.Value }).ToList()), ct);
            await db.Dialect.BulkInsertAsync(connection, tx, new BulkInsert("route_counts",
                ["route", "origin", "destination", "year", "exploitation_type", "cases", "cell_key"], ["route", "year", "exploitation_type"], null,
                aggregates.Routes.Select(r => new object?[] { r.Key.Route, r.Key.Origin, r.Key.Destination, r.Key.Year, r.Key.Type, r.Value.Cases, (long)r.Value.Key }).ToList()), ct);
            await tx.CommitAsync(ct);
            _cache.Invalidate();
        }
        finally
        {
            db.WriteGate.Release();
        }
        return (aggregates.Summary.Count, aggregates.Routes.Count);
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
