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
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
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
    /// <paramref name="after"/> ("" for the first), in id order. Paging on from the last id read goes through the primary key
    /// from there, rather than past every case already assigned in this run, which made a run quadratic in its batches.
    /// </summary>
    public async Task<IReadOnlyList<UnassignedCase>> UnassignedAsync(string version, string after, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            db.Dialect.Page(Unassigned, "0", "@limit"), new { version, after, limit }, cancellationToken: ct));
        var rows = new List<UnassignedCase>();
        while (await reader.ReadAsync(ct))
            rows.Add(new UnassignedCase(reader.GetString(0), JsonSerializer.Deserialize<CaseProfile>(reader.GetString(1), Json)!, reader.GetString(2)));
        return rows;
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

    private const string Aggregate = """
        INSERT INTO pattern_monthly (model_version, pattern_id, month, jurisdiction, cases)
        SELECT p.model_version, p.pattern_id, COALESCE(c.period_from, 'unknown'), c.jurisdiction, COUNT(*)
        FROM case_patterns p JOIN cases c ON c.id = p.case_id
        WHERE c.status = 'active' AND p.model_version = @version
        GROUP BY p.model_version, p.pattern_id, COALESCE(c.period_from, 'unknown'), c.jurisdiction
        """;

    /// <summary>Rebuilds the monthly per-pattern counts for a model version in one transaction.</summary>
    public async Task<int> RefreshAggregatesAsync(string version, CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM pattern_monthly", transaction: tx, cancellationToken: ct));
            var rows = await connection.ExecuteAsync(new CommandDefinition(Aggregate, new { version }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return rows;
        }
        finally
        {
            db.WriteGate.Release();
        }
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

    /// <summary>
    /// Rebuilds the filterable per-pattern cells for a model version from the active cases' profiles, in one transaction.
    /// Each case lands in exactly one cell (its sets of exploitation types and age bands are one key each), which also keeps
    /// the sum of its cases' record keys (<paramref name="recordKeys"/>, in the order of the profiles).
    /// </summary>
    public async Task<int> RefreshCellsAsync(string version, IEnumerable<ProfileRow> profiles, IReadOnlyList<uint> recordKeys, CancellationToken ct)
    {
        Dictionary<string, int> assigned;
        await using (var read = await db.OpenAsync(ct))
        {
            assigned = (await read.QueryAsync<(string CaseId, int PatternId)>(new CommandDefinition(
                "SELECT case_id, pattern_id FROM case_patterns WHERE model_version = @version", new { version }, cancellationToken: ct)))
                .ToDictionary(r => r.CaseId, r => r.PatternId, StringComparer.Ordinal);
        }

        var cells = new Dictionary<(int Pattern, string Month, string Jurisdiction, string Types, string Bands), (int Cases, uint Key)>();
        var index = -1;
        foreach (var row in profiles)
        {
            index++;
            if (!assigned.TryGetValue(row.CaseId, out var pattern)) continue;
            var p = row.Profile;
            var key = (pattern, p.PeriodFrom ?? UnknownMonth, p.Jurisdiction, SetKey(p.ExploitationTypes),
                SetKey(p.Victims.Where(v => v.AgeBand is not null).Select(v => v.AgeBand!)));
            var (cases, sum) = cells.GetValueOrDefault(key);
            cells[key] = (cases + 1, unchecked(sum + recordKeys[index]));
        }

        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM pattern_cells", transaction: tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO pattern_cells (model_version, pattern_id, month, jurisdiction, exploitation_types, age_bands, cases, cell_key)
                VALUES (@Version, @Pattern, @Month, @Jurisdiction, @Types, @Bands, @Cases, @CellKey)
                """,
                cells.Select(c => new { Version = version, c.Key.Pattern, c.Key.Month, c.Key.Jurisdiction, c.Key.Types, c.Key.Bands, c.Value.Cases, CellKey = (long)c.Value.Key }),
                tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            _cache.Invalidate();
        }
        finally
        {
            db.WriteGate.Release();
        }
        return cells.Count;
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
