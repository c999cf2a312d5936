using System.Text.Json;
using Analytics.Core.Cases;
using Analytics.Data.Database;
using Analytics.Data.Insights;
using Dapper;

namespace Analytics.Data.Patterns;

public sealed record ProfileRow(string CaseId, CaseProfile Profile);

/// <summary>An active case waiting for its pattern, with the hash of the record its profile was read from.</summary>
public sealed record UnassignedCase(string CaseId, CaseProfile Profile, string RecordHash);

/// <summary>
/// A case's pattern. <see cref="RecordHash"/> is the hash of the record the pattern was computed from: the assignment is
/// stored only while the case still holds that record and is active, so a correction or withdrawal made meanwhile wins.
/// </summary>
public sealed record PatternAssignment(string CaseId, int PatternId, double Distance, string RecordHash);

/// <summary>
/// Narrows pattern counts to the cases that match: months inclusive (yyyy-MM), a jurisdiction, an exploitation type and a
/// victim age band. Null means no condition.
/// </summary>
public sealed record PatternFilter(string? From = null, string? To = null, string? Jurisdiction = null, string? ExploitationType = null, string? AgeBand = null)
{
    public bool IsEmpty => From is null && To is null && Jurisdiction is null && ExploitationType is null && AgeBand is null;

    public string Key => $"{From}|{To}|{Jurisdiction}|{ExploitationType}|{AgeBand}";
}

/// <summary>
/// Cases of one pattern in one month (or "unknown") that match a filter, with the sum of their record keys
/// (<see cref="Analytics.Core.Disclosure.CellKeyPerturbation.CellKey"/>).
/// </summary>
public sealed record PatternMonthCount(int PatternId, string Month, int Cases, long CellKey = 0);

public sealed class PatternMonthlyRow
{
    public int PatternId { get; set; }
    public string Month { get; set; } = "";
    public string Jurisdiction { get; set; } = "";
    public int Cases { get; set; }
}

/// <summary>Reads case profiles for training and stores each case's pattern and the precomputed aggregates.</summary>
public sealed class PatternStore(Db db)
{
    private static readonly JsonSerializerOptions Json = ProfileJson.Full;
    private readonly AggregateCache _cache = new();
    public const string UnknownMonth = "unknown";

    private const string Active = "SELECT id, profile FROM cases WHERE status = 'active' ORDER BY profile, id";

    /// <summary>
    /// Every active case's narrow profile, ordered by the profile itself: ids are random, so ordering by content is what makes
    /// training on the same data reproducible in any database and under any key.
    /// </summary>
    public async Task<IReadOnlyList<ProfileRow>> ActiveProfilesAsync(CancellationToken ct)
    {
        var rows = new List<ProfileRow>();
        await foreach (var row in StreamActiveProfilesAsync(ct))
            rows.Add(row);
        return rows;
    }

    /// <summary>
    /// The active cases' profiles in the order of <see cref="ActiveProfilesAsync"/>, read one row at a time: each stored JSON
    /// text is decoded and dropped before the next row is read, so nothing of the whole result is buffered.
    /// </summary>
    public async IAsyncEnumerable<ProfileRow> StreamActiveProfilesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(Active, cancellationToken: ct));
        while (await reader.ReadAsync(ct))
            yield return new ProfileRow(reader.GetString(0), JsonSerializer.Deserialize<CaseProfile>(reader.GetString(1), Json)!);
    }

    /// <summary>
    /// The active cases' profiles for training, streamed from the database into <see cref="CompactProfiles"/>: a few integers
    /// per case instead of a profile object graph (and its stored JSON) per case. Same order as <see cref="ActiveProfilesAsync"/>.
    /// </summary>
    /// <param name="ct">Cancels the read.</param>
    /// <param name="ids">When given, receives each case's id, in the same order.</param>
    public async Task<CompactProfiles> ActiveCompactProfilesAsync(CancellationToken ct, List<string>? ids = null)
    {
        var profiles = new CompactProfiles();
        await foreach (var row in StreamActiveProfilesAsync(ct))
        {
            profiles.Add(row.Profile);
            ids?.Add(row.CaseId);
        }
        return profiles;
    }

    private const string Unassigned = """
        SELECT c.id, c.profile, c.record_hash FROM cases c
        LEFT JOIN case_patterns p ON p.case_id = c.id
        WHERE c.status = 'active' AND (p.case_id IS NULL OR p.model_version <> @version) AND c.id > @after
        ORDER BY c.id
        """;

    /// <summary>
    /// Up to <paramref name="limit"/> active cases not yet assigned under <paramref name="version"/>. A corrected case has
    /// lost its assignment (<see cref="Cases.CaseStore"/>), so it comes back here with its new profile.
    /// </summary>
    public Task<IReadOnlyList<UnassignedCase>> UnassignedAsync(string version, int limit, CancellationToken ct) =>
        UnassignedAsync(version, "", limit, ct);

    /// <summary>
    /// Up to <paramref name="limit"/> active cases not yet assigned under <paramref name="version"/> whose ids come after
    /// <paramref name="after"/> ("" for the first), in id order.
    /// </summary>
    public async Task<IReadOnlyList<UnassignedCase>> UnassignedAsync(string version, string after, int limit, CancellationToken ct)
    {
        var rows = new List<UnassignedCase>();
        await foreach (var row in StreamUnassignedAsync(version, after, limit, ct))
            rows.Add(row);
        return rows;
    }

    /// <summary>
    /// <see cref="UnassignedAsync(string, string, int, CancellationToken)"/> one row at a time, for a caller that keeps what
    /// it works out from each case rather than the case: a batch of profiles held until the batch is done outlives the
    /// collector's youngest generation and is copied on. Paging on from the last id read goes through the primary key from
    /// there, rather than past every case already assigned in the run, which made a run quadratic in its batches.
    /// </summary>
    public async IAsyncEnumerable<UnassignedCase> StreamUnassignedAsync(string version, string after, int limit,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            db.Dialect.Page(Unassigned, "0", "@limit"), new { version, after, limit }, cancellationToken: ct));
        while (await reader.ReadAsync(ct))
            yield return new UnassignedCase(reader.GetString(0), JsonSerializer.Deserialize<CaseProfile>(reader.GetString(1), Json)!, reader.GetString(2));
    }

    // SQL Server takes at most 2,100 parameters per command, and Dapper binds a list there as one parameter per value.
    private const int SaveChunk = 1_000;

    /// <summary>
    /// Stores the assignments in one transaction, replacing any earlier pattern of their cases, and returns how many were
    /// stored: only those whose case is still active and holds the record the pattern was computed from (a case corrected
    /// or withdrawn since it was read stays unassigned, and is read again). A few statements per thousand cases, the rows
    /// going in through the engine's bulk path, instead of two statements per case.
    /// </summary>
    public async Task<int> SaveAssignmentsAsync(string version, IReadOnlyList<PatternAssignment> assignments, CancellationToken ct)
    {
        var held = $"SELECT id, record_hash FROM cases WHERE {db.Dialect.InManyValues("id", "@ids")} AND status = 'active'";
        var delete = $"DELETE FROM case_patterns WHERE {db.Dialect.InManyValues("case_id", "@ids")}";
        var stored = 0;
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            foreach (var chunk in assignments.Chunk(SaveChunk))
            {
                // The list's value depends on the engine (a list, an array or JSON text): bound by its runtime type.
                var ids = new DynamicParameters();
                ids.Add("ids", db.Dialect.ManyValues(chunk.Select(a => a.CaseId).ToList()));
                var hashes = new Dictionary<string, string>(chunk.Length, StringComparer.Ordinal);
                foreach (var (id, hash) in await connection.QueryAsync<(string, string)>(new CommandDefinition(held, ids, tx, cancellationToken: ct)))
                    hashes[id] = hash;
                await connection.ExecuteAsync(new CommandDefinition(delete, ids, tx, cancellationToken: ct));
                var rows = new List<object?[]>(chunk.Length);
                foreach (var a in chunk)
                {
                    if (hashes.TryGetValue(a.CaseId, out var hash) && hash == a.RecordHash)
                        rows.Add([a.CaseId, version, a.PatternId, a.Distance]);
                }
                await db.Dialect.BulkInsertAsync(connection, tx,
                    new BulkInsert("case_patterns", ["case_id", "model_version", "pattern_id", "distance"], ["case_id"], null, rows), ct);
                stored += rows.Count;
            }
            await tx.CommitAsync(ct);
        }
        finally
        {
            db.WriteGate.Release();
        }
        return stored;
    }

    private const string ForAggregates = """
        SELECT c.id, c.profile, c.period_from, c.jurisdiction, p.pattern_id FROM cases c
        LEFT JOIN case_patterns p ON p.case_id = c.id AND p.model_version = @version
        WHERE c.status = 'active'
        """;

    /// <summary>
    /// Every active case with its pattern under <paramref name="version"/> (none without one, or when the version is null),
    /// streamed in no particular order for the aggregate refresh: one row at a time, with only the parts of the profile the
    /// aggregates read (<see cref="AggregateCase"/>), so the refresh holds its counts and nothing per case.
    /// </summary>
    public async IAsyncEnumerable<AggregateCase> StreamForAggregatesAsync(string? version, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(ForAggregates, new { version }, cancellationToken: ct));
        while (await reader.ReadAsync(ct))
            yield return new AggregateCase(
                reader.GetString(0),
                JsonSerializer.Deserialize<CaseProfile>(reader.GetString(1), ProfileJson.Aggregates)!,
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4));
    }

    /// <summary>
    /// Replaces the monthly per-pattern counts and the filterable per-pattern cells with those of <paramref name="version"/>
    /// in <paramref name="aggregates"/>, in one transaction.
    /// </summary>
    public async Task<(int Monthly, int Cells)> ReplaceAggregatesAsync(string version, PatternAggregates aggregates, CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM pattern_monthly; DELETE FROM pattern_cells;", transaction: tx, cancellationToken: ct));
            // Through the engine's bulk path: the tables were just emptied and no two rows share a key.
            await db.Dialect.BulkInsertAsync(connection, tx, new BulkInsert("pattern_monthly", ["model_version", "pattern_id", "month", "jurisdiction", "cases"],
                ["model_version", "pattern_id", "month", "jurisdiction"], null,
                aggregates.Monthly.Select(m => new object?[] { version, m.Key.Pattern, m.Key.Month, m.Key.Jurisdiction, m.Value }).ToList()), ct);
            await db.Dialect.BulkInsertAsync(connection, tx, new BulkInsert("pattern_cells",
                ["model_version", "pattern_id", "month", "jurisdiction", "exploitation_types", "age_bands", "cases", "cell_key"],
                ["model_version", "pattern_id", "month", "jurisdiction", "exploitation_types", "age_bands"], null,
                aggregates.Cells.Select(c => new object?[] { version, c.Key.Pattern, c.Key.Month, c.Key.Jurisdiction, c.Key.Types, c.Key.Bands, c.Value.Cases, (long)c.Value.Key }).ToList()), ct);
            await tx.CommitAsync(ct);
            _cache.Invalidate();
        }
        finally
        {
            db.WriteGate.Release();
        }
        return (aggregates.Monthly.Count, aggregates.Cells.Count);
    }

    /// <summary>A value worked out from the aggregates (its key names the version and what it depends on), kept until they are refreshed.</summary>
    public Task<T> DerivedAsync<T>(string key, Func<Task<T>> derive) where T : class => _cache.GetAsync("derived|" + key, derive);

    public async Task<IReadOnlyList<PatternMonthlyRow>> MonthlyAsync(string version, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<PatternMonthlyRow>(new CommandDefinition(
            "SELECT pattern_id AS PatternId, month AS Month, jurisdiction AS Jurisdiction, cases AS Cases FROM pattern_monthly WHERE model_version = @version",
            new { version }, cancellationToken: ct))).AsList();
    }

    /// <summary>Sorted distinct codes between bars, so that '%|code|%' finds a member: '|labour|sexual|', or '|' for none.</summary>
    public static string SetKey(IEnumerable<string> codes) =>
        "|" + string.Concat(codes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(c => c + "|"));

    private const string Cells = """
        SELECT pattern_id AS PatternId, month AS Month, SUM(cases) AS Cases, CAST(SUM(cell_key) % 4294967296 AS BIGINT) AS CellKey
        FROM pattern_cells
        WHERE model_version = @version
          AND (@from IS NULL OR (month <> 'unknown' AND month >= @from))
          AND (@to IS NULL OR (month <> 'unknown' AND month <= @to))
          AND (@jurisdiction IS NULL OR jurisdiction = @jurisdiction)
          AND (@type IS NULL OR exploitation_types LIKE @type)
          AND (@band IS NULL OR age_bands LIKE @band)
        GROUP BY pattern_id, month
        ORDER BY pattern_id, month
        """;

    /// <summary>Per pattern and month, the cases of a model version that match the filter (read from the refreshed cells).</summary>
    public Task<IReadOnlyList<PatternMonthCount>> CountsAsync(string version, PatternFilter filter, CancellationToken ct) =>
        _cache.GetAsync($"cells|{version}|{filter.Key}", async () =>
        {
            await using var connection = await db.OpenAsync(ct);
            var rows = await connection.QueryAsync<(long PatternId, string Month, long Cases, long CellKey)>(new CommandDefinition(Cells, new
            {
                version,
                from = filter.From,
                to = filter.To,
                jurisdiction = filter.Jurisdiction,
                type = filter.ExploitationType is null ? null : $"%|{filter.ExploitationType}|%",
                band = filter.AgeBand is null ? null : $"%|{filter.AgeBand}|%",
            }, cancellationToken: ct));
            return (IReadOnlyList<PatternMonthCount>)rows.Select(r => new PatternMonthCount((int)r.PatternId, r.Month, (int)r.Cases, r.CellKey)).ToList();
        });
}
