using System.Data.Common;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Analytics.Core.Links;
using Analytics.Data.Cases;
using Analytics.Data.Database;
using Analytics.Data.Pseudonymisation;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Analytics.Data.Links;

/// <summary>Outcome of one recomputation, in counts only.</summary>
/// <param name="Skipped">No case was stored, corrected or withdrawn since the last computation on this node: the stored groups stand.</param>
/// <param name="Rewritten">Groups that were new or changed and so were written again; the others were left as stored.</param>
/// <param name="Throttled">Cases changed, but the last computation ended too recently for its cost: the next run computes.</param>
/// <param name="LostHits">Cases that lost a link to another authority by their own authority's change, recorded in <c>link_probes</c>.</param>
public sealed record LinkRecomputeResult(int Groups, int LinkedCases, int CrossBorderGroups, int NewAlerts, bool Skipped = false, int Rewritten = 0, bool Throttled = false,
    int LostHits = 0, bool Deferred = false);

/// <summary>
/// How many hits an authority may lose by its own changes (withdrawing or correcting a case that had one) within
/// <see cref="Window"/> before the hits of its cases changed in that window are held back from it. 0: no limit.
/// </summary>
public sealed record ProbeQuota(int Limit, TimeSpan Window);

/// <summary>An authority's hits lost by its own changes within the window, and whether its recent cases' hits are held back from it.</summary>
/// <param name="HeldFrom">Cases of the authority changed at or after this instant have their hits and alerts held back from it; null when it is not held.</param>
/// <param name="LostHits">Hits lost within the window and after the last release; only these count against the limit.</param>
/// <param name="HeldUntil">When the count falls below the limit if no other hit is lost; null when it is not held.</param>
/// <param name="ReleasedAt">When a steward last released the authority's hold; null when never.</param>
/// <param name="ReleasedBy">The steward's key id (or token subject) that released it last.</param>
public sealed record ProbeStanding(string Authority, int LostHits, string? HeldFrom, string? HeldUntil, string? ReleasedAt = null, string? ReleasedBy = null);

/// <summary>One row per (own linked case, other authority): the raw material of a prosecutor's hit list.</summary>
public sealed class CaseHitRow
{
    public string CaseId { get; set; } = "";
    public string Types { get; set; } = "";
    public string Jurisdiction { get; set; } = "";
    public string Authority { get; set; } = "";
    public int Cases { get; set; }
}

public sealed class LinkAlertRow
{
    /// <summary>The alert's number within its authority (1, 2, 3, … in the order raised), not the row id: see <see cref="LinkStore.AlertsAsync"/>.</summary>
    public long Id { get; set; }
    public string CaseId { get; set; } = "";
    public string NewAuthorities { get; set; } = "";
    public string NewJurisdictions { get; set; } = "";
    public string Types { get; set; } = "";
    public string CreatedAt { get; set; } = "";
    public string? ReadAt { get; set; }
    /// <summary>The case is no longer linked to any of <see cref="NewAuthorities"/>; computed when read, not stored.</summary>
    public bool Ended { get; set; }
}

public sealed class LinkGroupRow
{
    public string Id { get; set; } = "";
    public int Size { get; set; }
    public string Jurisdictions { get; set; } = "";
    public string Types { get; set; } = "";
}

/// <summary>
/// Finds cases that share tokens, stores their link groups and raises alerts. Reads case_tokens; writes
/// link_groups, case_links, link_alert_seen and link_alerts. Never copies a token out of case_tokens.
/// </summary>
public sealed class LinkStore(Db db)
{
    // One computation at a time in this process, whoever starts it (the recurring job, a steward's run, a direct call):
    // a second one would read the link tables and the alerts already raised while the first is replacing them.
    private readonly SemaphoreSlim _computing = new(1, 1);
    private (string Marker, LinkRecomputeResult Result)? _last;
    private TimeSpan _lastDuration;
    private long _lastEnded;

    /// <summary>Run after a computation has read the graph and before it waits for the write gate; for tests of what lands meanwhile.</summary>
    internal Func<CancellationToken, Task>? AfterGraphRead { get; set; }

    // Every linking token of an active case, ordered by token so the rows can be streamed and grouped one token at a
    // time; a token with a single holder links nothing and is dropped as it streams by (LinkGraph.AddSharedToken). Rows
    // carry no holder details: the type comes as its index into LinkGraph.LinkingTypes, and jurisdiction and authority
    // are read once per case afterwards (ActiveHolders), so a row costs the reader two strings instead of five. (Having
    // the engine mark where each token starts, with LAG, spared the token string too but took a third longer on SQLite.)
    // case_tokens is keyed by case, so the engine sorts the entries once: a filter on shared tokens in SQL (an IN over a
    // grouped copy) cost SQLite about five times as long on 100,000 cases. Withdrawn cases have no tokens; the status
    // check guards anyway.
    private static string TokenHolders(ISqlDialect dialect) => TokenHolders(dialect.InList("t.type", "@Types"));

    // The SQLite reader binds no parameters: the linking types are the platform's own constants, written as literals.
    private static readonly string SqliteTokenHolders =
        TokenHolders($"t.type IN ({string.Join(", ", LinkGraph.LinkingTypes.Select(type => $"'{type}'"))})");

    private static string TokenHolders(string typeFilter) => $"""
        SELECT t.token, t.case_id,
               CASE t.type {string.Concat(LinkGraph.LinkingTypes.Select((type, i) => $"WHEN '{type}' THEN {i} "))}END AS type_index
        FROM case_tokens t
        JOIN cases c ON c.id = t.case_id AND c.status = 'active'
        WHERE {typeFilter}
        ORDER BY t.token
        """;

    // Jurisdiction and authority of every active case, read once per case (not once per token) for the linked ones.
    private const string ActiveHolders = "SELECT id, jurisdiction, authority FROM cases WHERE status = 'active'";

    // A withdrawn case's own alerts go with it. Any other alert stays as the record of what its authority was told, even
    // when the link has ended since (AlertsAsync says so); a case that is merely in no group any more is still active.
    // NOT EXISTS rather than NOT IN (subquery): PostgreSQL runs the latter as a nested scan, quadratic in the alerts.
    private const string DeleteAlertsOfWithdrawnCases = """
        DELETE FROM link_alerts
        WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = link_alerts.case_id AND c.status = 'active')
        """;

    // "Already alerted about" holds only while the case is linked to that authority: once the link ends (either side
    // withdrew or corrected a case), the pair is forgotten, so a later link to the same authority is news again. This
    // also clears every pair of a withdrawn case, which is in no group.
    private const string ForgetEndedCounterparts = """
        DELETE FROM link_alert_seen
        WHERE NOT EXISTS (
            SELECT 1 FROM case_links me JOIN case_links o ON o.group_id = me.group_id
            WHERE me.case_id = link_alert_seen.case_id AND o.authority = link_alert_seen.other_authority)
        """;

    // The cases changed (stored, corrected or withdrawn) since about when a run began, with their versions. Read once
    // before the graph and once under the case-change lock before the write: a case whose version moved in between (or
    // that appeared) may be in the graph with tokens it no longer holds, or as active when it is withdrawn. Every case
    // write stamps updated_at with the same round-trip UTC form, so the text compares as the instant; a minute earlier
    // covers another node's clock. A case changed in that minute before the first read carries the same version in both
    // reads and is kept: the graph was read after its change.
    private const string ChangedSince = "SELECT id, version FROM cases WHERE updated_at >= @Since";

    private static async Task<Dictionary<string, int>> ChangedSinceAsync(DbConnection connection, DbTransaction? tx, DateTimeOffset since, CancellationToken ct)
    {
        var changed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (id, version) in await connection.QueryAsync<(string, int)>(new CommandDefinition(ChangedSince,
            new { Since = since.AddMinutes(-1).ToUniversalTime().ToString("O") }, tx, cancellationToken: ct)))
            changed[id] = version;
        return changed;
    }

    /// <summary>Run in the write transaction once it has looked for changed cases, before it writes; for tests of what lands meanwhile.</summary>
    internal Func<CancellationToken, Task>? AfterChangeCheck { get; set; }

    private const string InsertAlert = """
        INSERT INTO link_alerts (authority, number, case_id, new_authorities, new_jurisdictions, types, created_at)
        VALUES (@Authority, @Number, @CaseId, @NewAuthorities, @NewJurisdictions, @Types, @Now)
        """;

    /// <summary>An alert to raise; <see cref="Number"/> and <see cref="Now"/> are given in the write transaction (<see cref="NumberAsync"/>).</summary>
    private sealed record NewAlert(string Authority, string CaseId, string NewAuthorities, string NewJurisdictions, string Types, string Now = "", long Number = 0);

    /// <summary>
    /// Recomputes every link group from the active cases' tokens, then rewrites only the groups that changed in one
    /// transaction and raises an alert for each case of a changed group that is now linked to an authority it was not
    /// linked to before. The graph is built before the write gate is taken, so ingestion is held up only while the
    /// changed groups are written, not while the tokens are read.
    /// </summary>
    /// <param name="maxBusyShare">
    /// Largest share of wall time the computation may take on this node: a run that comes sooner after the last one
    /// than that allows (its duration × (1 / share − 1)) is skipped as throttled. 1 never throttles. While a large
    /// store is being filled, this keeps the whole-graph computation from taking a core away from ingestion.
    /// </param>
    public async Task<LinkRecomputeResult> RecomputeAsync(int batchSize, CancellationToken ct, double maxBusyShare = 1.0)
    {
        await _computing.WaitAsync(ct);
        try
        {
            return await ComputeAsync(batchSize, ct, maxBusyShare);
        }
        finally
        {
            _computing.Release();
        }
    }

    private async Task<LinkRecomputeResult> ComputeAsync(int batchSize, CancellationToken ct, double maxBusyShare)
    {
        if (_last is { } previous && maxBusyShare < 1.0
            && Stopwatch.GetElapsedTime(_lastEnded) < _lastDuration * (1 / Math.Max(maxBusyShare, 0.01) - 1))
            return previous.Result with { NewAlerts = 0, Rewritten = 0, Skipped = true, Throttled = true };
        // Tokens of two keys never match: while stored cases are moved to a new key, a graph would split every group
        // whose cases are on both sides of the move, so the run waits until every case is under the active key.
        if (await DeferredAsync(null, ct) is { } deferred) return deferred;
        var started = Stopwatch.GetTimestamp();
        // Taken before anything is read: a case withdrawn from here on may be in the graph, and is looked for at write time.
        var readFrom = DateTimeOffset.UtcNow;
        await using var connection = await db.OpenAsync(ct);
        // Every insert adds a row and every correction or withdrawal raises a version: the pair moves on any change.
        // Read before the graph, so a change that races the computation makes the next run compute again.
        var (count, versions) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            "SELECT COUNT(*), COALESCE(SUM(version), 0) FROM cases", cancellationToken: ct));
        var marker = $"{count}|{versions}";
        if (_last is { } last && last.Marker == marker) return last.Result with { NewAlerts = 0, Skipped = true };
        // After the marker: a case that changes from here on moves it, so the next run computes again with its new state.
        var changedBefore = await ChangedSinceAsync(connection, null, readFrom, ct);

        var graph = await BuildGraphAsync(connection, null, db.Dialect, ct);

        // Only this job writes the link tables and it never runs twice at once (the lock above; Hangfire keeps nodes
        // from running it together), so what they hold can be read and compared before the gate is taken: the write
        // transaction then holds only deletes and inserts.
        var stored = await StoredSignaturesAsync(connection, ct);
        var alerted = await AlertedAsync(connection, ct);
        var plan = Plan(graph.Groups(), stored, alerted);
        if (AfterGraphRead is { } hook) await hook(ct);

        await db.WriteGate.WaitAsync(ct);
        try
        {
            // Taken once the gate is held, not when the graph was built: the gate can be held by ingestion for seconds, and
            // an alert stamped before that wait would be older than a poll made while it was not yet visible, so a client
            // asking for the alerts since that poll would never get it.
            await using var tx = await connection.BeginTransactionAsync(ct);
            // A case withdrawn or corrected while the graph was read or the gate awaited must not be written into a link or
            // an alert: it may be linked by tokens it no longer holds. Case writers on every node hold the case-change lock
            // shared (on SQLite, the write gate), so once this run holds it exclusively, none lands between this look and the
            // commit. The groups are then found again without those cases, as if withdrawn (a changed case can have been
            // the one joining two parts of a group); the change moved the marker, so the next run links a corrected case
            // by its new tokens.
            await CaseChangeLock.ExcludeAsync(connection, tx, db.Dialect, ct);
            // A node with a new key may have started moving cases since the graph was read: nothing is written from it.
            if (await DeferredAsync(tx, ct) is { } moving) return moving;
            // The alerts' time (see the gate above): the case-change lock can be waited for too, behind other nodes' writers.
            var now = DateTimeOffset.UtcNow.ToString("O");
            var changedSince = await ChangedSinceAsync(connection, tx, readFrom, ct);
            var forgotten = changedSince.Where(c => !changedBefore.TryGetValue(c.Key, out var version) || version != c.Value)
                .Select(c => c.Key).Where(graph.Forget).ToList();
            if (forgotten.Count > 0) plan = Plan(graph.Groups(), stored, alerted);
            if (AfterChangeCheck is { } checkedHook) await checkedHook(ct);
            var (groups, changed, gone, alerts, newSeen) = plan;
            // Read before the groups are replaced: what the cases were linked to as their authorities last saw it.
            var lostHits = await LostHitsAsync(connection, tx, plan, await StillSharedAsync(connection, tx, forgotten, ct), ct);
            foreach (var chunk in lostHits.Chunk(batchSize))
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO link_probes (case_id, lost_at, authority) VALUES (@CaseId, @Now, @Authority)",
                    chunk.Select(l => new { l.CaseId, Now = now, l.Authority }), tx, cancellationToken: ct));
            foreach (var chunk in gone.Chunk(500))
            {
                await connection.ExecuteAsync(new CommandDefinition($"DELETE FROM case_links WHERE {db.Dialect.InList("group_id", "@Ids")}",
                    new { Ids = chunk }, tx, cancellationToken: ct));
                await connection.ExecuteAsync(new CommandDefinition($"DELETE FROM link_groups WHERE {db.Dialect.InList("id", "@Ids")}",
                    new { Ids = chunk }, tx, cancellationToken: ct));
            }
            // The dialect's bulk path (positional binding on SQLite, COPY on PostgreSQL, SqlBulkCopy on SQL Server): the
            // write gate is held for tens of thousands of link rows after a large ingestion. Every key was deleted above,
            // so a row that does not go in means the tables disagree with the computation: the run fails and rolls back.
            foreach (var chunk in changed.Chunk(batchSize))
            {
                await InsertEveryRowAsync(connection, tx, new BulkInsert("link_groups",
                    ["id", "size", "jurisdictions", "authorities", "types", "computed_at"], ["id"], "id",
                    chunk.Select(g => new object?[]
                    {
                        g.Id, g.Cases.Count, string.Join(',', g.Jurisdictions), g.AuthorityCount, string.Join(',', g.Types), now,
                    }).ToList()), ct);
                await InsertEveryRowAsync(connection, tx, new BulkInsert("case_links",
                    ["case_id", "group_id", "jurisdiction", "authority", "types"], ["case_id"], "case_id",
                    chunk.SelectMany(g => g.Cases.Select(c => new object?[]
                    {
                        c.CaseId, g.Id, c.Jurisdiction, c.Authority, string.Join(',', c.MatchedTypes),
                    })).ToList()), ct);
            }

            await connection.ExecuteAsync(new CommandDefinition(DeleteAlertsOfWithdrawnCases, transaction: tx, cancellationToken: ct));
            // Not in a run that left changed cases out: their links are missing from this run only, and forgetting the
            // pairs they hold (and that their counterparts hold with their authorities) would raise the same alerts again
            // when the next run links them as before. That run forgets whatever has really ended.
            if (forgotten.Count == 0)
                await connection.ExecuteAsync(new CommandDefinition(ForgetEndedCounterparts, transaction: tx, cancellationToken: ct));
            foreach (var chunk in newSeen.Chunk(batchSize))
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO link_alert_seen (case_id, other_authority) VALUES (@CaseId, @Other)", chunk, tx, cancellationToken: ct));
            foreach (var chunk in (await NumberAsync(connection, tx, alerts, now, ct)).Chunk(batchSize))
                await connection.ExecuteAsync(new CommandDefinition(InsertAlert, chunk, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            var result = new LinkRecomputeResult(groups.Count, groups.Sum(g => g.Cases.Count), groups.Count(g => g.CrossBorder), alerts.Count, Rewritten: changed.Count,
                LostHits: lostHits.Count);
            _last = (marker, result);
            _lastDuration = Stopwatch.GetElapsedTime(started);
            _lastEnded = Stopwatch.GetTimestamp();
            return result;
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    // The result of a run that waits for the move to a new pseudonymisation key: the last run's counts, nothing written.
    private async Task<LinkRecomputeResult?> DeferredAsync(DbTransaction? tx, CancellationToken ct)
    {
        await using var connection = tx is null ? await db.OpenAsync(ct) : null;
        if (!await KeyRingStore.PendingAsync(connection ?? tx!.Connection!, tx, ct)) return null;
        return (_last?.Result ?? new LinkRecomputeResult(0, 0, 0, 0)) with { NewAlerts = 0, Rewritten = 0, LostHits = 0, Skipped = true, Deferred = true };
    }

    private async Task InsertEveryRowAsync(DbConnection connection, DbTransaction tx, BulkInsert insert, CancellationToken ct)
    {
        var inserted = await db.Dialect.BulkInsertAsync(connection, tx, insert, ct);
        if (inserted.Count != insert.Rows.Count)
            throw new InvalidOperationException(
                $"{insert.Rows.Count - inserted.Count} of {insert.Rows.Count} rows for {insert.Table} were already stored; the link run is rolled back.");
    }

    /// <summary>The signature (<see cref="SignatureWriter"/>) of every stored group, by group id.</summary>
    private static async Task<Dictionary<string, string>> StoredSignaturesAsync(DbConnection connection, CancellationToken ct)
    {
        var signatures = new Dictionary<string, string>(StringComparer.Ordinal);
        var rows = connection.QueryUnbufferedAsync<(string GroupId, string GroupTypes, string CaseId, string Jurisdiction, string Authority, string Types)>("""
            SELECT g.id, g.types, l.case_id, l.jurisdiction, l.authority, l.types
            FROM link_groups g JOIN case_links l ON l.group_id = g.id
            ORDER BY g.id, l.case_id
            """);
        var signature = new SignatureWriter();
        string? group = null, groupTypes = null;
        var cases = new List<(string CaseId, string Jurisdiction, string Authority, string Types)>();
        await foreach (var row in rows.WithCancellation(ct))
        {
            if (row.GroupId != group)
            {
                if (group is not null) signatures[group] = signature.Of(groupTypes!, cases);
                group = row.GroupId;
                groupTypes = row.GroupTypes;
                cases.Clear();
            }
            cases.Add((row.CaseId, row.Jurisdiction, row.Authority, row.Types));
        }
        if (group is not null) signatures[group] = signature.Of(groupTypes!, cases);
        return signatures;
    }

    /// <summary>
    /// A group's signature: the SHA-256 of its types and of each case (id, jurisdiction, authority, the types it shares),
    /// cases in ordinal order of their ids whatever order (or collation) the database returned them in. Written as
    /// UTF-8 into one reused buffer: a run compares thousands of groups and builds no string per case.
    /// </summary>
    private sealed class SignatureWriter
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _text = new(4096);

        public string Of(string groupTypes, List<(string CaseId, string Jurisdiction, string Authority, string Types)> cases)
        {
            cases.Sort(static (a, b) => string.CompareOrdinal(a.CaseId, b.CaseId));
            _text.ResetWrittenCount();
            Write(groupTypes);
            foreach (var (caseId, jurisdiction, authority, types) in cases)
            {
                Write(";"); Write(caseId); Write("|"); Write(jurisdiction); Write("|"); Write(authority); Write("|"); Write(types);
            }
            return Digest();
        }

        public string Of(LinkGroup group)
        {
            _text.ResetWrittenCount();
            WriteJoined(group.Types);
            // LinkGraph.Groups orders a group's cases by id (ordinal).
            foreach (var c in group.Cases)
            {
                Write(";"); Write(c.CaseId); Write("|"); Write(c.Jurisdiction); Write("|"); Write(c.Authority); Write("|"); WriteJoined(c.MatchedTypes);
            }
            return Digest();
        }

        private void WriteJoined(IReadOnlyList<string> values)
        {
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0) Write(",");
                Write(values[i]);
            }
        }

        private void Write(string value)
        {
            var span = _text.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
            _text.Advance(Encoding.UTF8.GetBytes(value, span));
        }

        private string Digest() => Convert.ToHexStringLower(SHA256.HashData(_text.WrittenSpan));
    }

    /// <summary>
    /// The graph of active cases that share a linking token. On SQLite the rows are read on the connection's handle
    /// (<see cref="SqliteLinkReader"/>) unless <paramref name="directSqliteRead"/> is false, as the tests compare.
    /// </summary>
    internal static async Task<LinkGraph> BuildGraphAsync(DbConnection connection, DbTransaction? tx, ISqlDialect dialect, CancellationToken ct,
        bool directSqliteRead = true)
    {
        var graph = new LinkGraph();
        if (directSqliteRead && connection is SqliteConnection sqlite && tx is null)
        {
            SqliteLinkReader.AddSharedTokens(sqlite, SqliteTokenHolders, graph, ct);
            if (graph.CaseCount > 0) SqliteLinkReader.DescribeHolders(sqlite, ActiveHolders, graph, ct);
            return graph;
        }
        // Streamed: only the holders of one token are held at a time.
        await using (var rows = await connection.ExecuteReaderAsync(new CommandDefinition(TokenHolders(dialect),
            new { Types = LinkGraph.LinkingTypes.ToArray() }, tx, cancellationToken: ct)))
        {
            var type = -1;
            string? token = null;
            var holders = new List<string>();
            while (await rows.ReadAsync(ct))
            {
                var next = rows.GetString(0);
                if (next != token)
                {
                    if (type >= 0) graph.AddSharedToken(LinkGraph.LinkingTypes[type], holders);
                    holders.Clear();
                    token = next;
                    type = rows.GetInt32(2);
                }
                holders.Add(rows.GetString(1));
            }
            if (type >= 0) graph.AddSharedToken(LinkGraph.LinkingTypes[type], holders);
        }
        if (graph.CaseCount == 0) return graph;
        await using (var cases = await connection.ExecuteReaderAsync(new CommandDefinition(ActiveHolders, transaction: tx, cancellationToken: ct)))
        {
            while (await cases.ReadAsync(ct))
                graph.Describe(cases.GetString(0), cases.GetString(1), cases.GetString(2));
        }
        return graph;
    }

    // The cases of the stored groups about to be replaced that were linked to another authority and changed since their
    // group was written (corrected or withdrawn: both stamp updated_at), with each authority they were linked to.
    private static string ChangedCounterparts(ISqlDialect dialect) => $"""
        SELECT DISTINCT me.case_id, me.authority, o.authority
        FROM case_links me
        JOIN link_groups g ON g.id = me.group_id
        JOIN cases c ON c.id = me.case_id
        JOIN case_links o ON o.group_id = me.group_id AND o.authority <> me.authority
        WHERE {dialect.InList("me.group_id", "@Ids")} AND c.updated_at > g.computed_at
        """;

    /// <summary>
    /// The cases that lose a link to another authority in this run by their own authority's change: changed since their
    /// group was written, and no longer linked to an authority they were linked to (withdrawn cases are linked to none).
    /// This is what probing looks like: submit a guessed identifier, read hit or no hit, take the case back. A case
    /// whose counterpart changed in the same interval is counted too: rare, and better counted than missed.
    /// </summary>
    private async Task<List<(string CaseId, string Authority)>> LostHitsAsync(DbConnection connection, DbTransaction tx, WritePlan plan,
        Dictionary<string, HashSet<string>> stillShared, CancellationToken ct)
    {
        var before = new Dictionary<string, (string Authority, HashSet<string> Others)>(StringComparer.Ordinal);
        foreach (var chunk in plan.Gone.Chunk(500))
            foreach (var (caseId, authority, other) in await connection.QueryAsync<(string, string, string)>(new CommandDefinition(
                ChangedCounterparts(db.Dialect), new { Ids = chunk }, tx, cancellationToken: ct)))
            {
                if (!before.TryGetValue(caseId, out var entry)) before[caseId] = entry = (authority, new HashSet<string>(StringComparer.Ordinal));
                entry.Others.Add(other);
            }
        if (before.Count == 0) return [];
        var after = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var group in plan.Groups)
        {
            HashSet<string>? authorities = null;
            foreach (var c in group.Cases)
                if (before.ContainsKey(c.CaseId))
                    after[c.CaseId] = authorities ??= group.Cases.Select(o => o.Authority).ToHashSet(StringComparer.Ordinal);
        }
        // A case left out of this run for a change made during it is in no group: what it still shares says what it keeps.
        foreach (var (caseId, authorities) in stillShared) after[caseId] = authorities;
        return before.Where(b => !b.Value.Others.IsSubsetOf(after.GetValueOrDefault(b.Key) ?? []))
            .Select(b => (b.Key, b.Value.Authority)).OrderBy(b => b.Key, StringComparer.Ordinal).ToList();
    }

    // The other authorities whose cases in the stored group of each given case hold one of its linking tokens now. Every
    // join goes through a case id (case_tokens is keyed by case, then token), so it costs a few index reads per case.
    private static string StillShared(ISqlDialect dialect) => $"""
        SELECT DISTINCT mine.case_id, o.authority
        FROM case_tokens mine
        JOIN case_links me ON me.case_id = mine.case_id
        JOIN case_links o ON o.group_id = me.group_id AND o.authority <> me.authority
        JOIN case_tokens t ON t.case_id = o.case_id AND t.token = mine.token
        WHERE {dialect.InList("mine.case_id", "@Ids")} AND {dialect.InList("mine.type", "@Types")}
        """;

    /// <summary>
    /// For the cases left out of this run because they changed during it: the other authorities of their stored group that
    /// they still share a linking token with, by their tokens as they are now (a withdrawn case has none). A correction that
    /// keeps the identifier a link rests on is then not counted as a lost hit; one that drops it is, in this run, since the
    /// next run finds the case in no stored group. A link kept only through a chain of other cases is counted as lost.
    /// </summary>
    private async Task<Dictionary<string, HashSet<string>>> StillSharedAsync(DbConnection connection, DbTransaction tx, List<string> caseIds, CancellationToken ct)
    {
        var shared = caseIds.ToDictionary(id => id, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var chunk in caseIds.Chunk(500))
            foreach (var (caseId, authority) in await connection.QueryAsync<(string, string)>(new CommandDefinition(StillShared(db.Dialect),
                new { Ids = chunk, Types = LinkGraph.LinkingTypes.ToArray() }, tx, cancellationToken: ct)))
                shared[caseId].Add(authority);
        return shared;
    }

    /// <summary>The (case, other authority) pairs already alerted about (<c>link_alert_seen</c>).</summary>
    private static async Task<HashSet<(string CaseId, string Other)>> AlertedAsync(DbConnection connection, CancellationToken ct)
    {
        var seen = new HashSet<(string, string)>();
        var rows = connection.QueryUnbufferedAsync<(string CaseId, string Other)>("SELECT case_id, other_authority FROM link_alert_seen");
        await foreach (var row in rows.WithCancellation(ct)) seen.Add(row);
        return seen;
    }

    /// <summary>What a run writes: the groups it found, those new or changed since stored, the stored ones to delete, and the alerts to raise.</summary>
    private sealed record WritePlan(IReadOnlyList<LinkGroup> Groups, List<LinkGroup> Changed, List<string> Gone, List<NewAlert> Alerts, List<object> NewSeen);

    /// <summary>Compares the groups with the stored signatures (which it leaves as they are) and finds the alerts the changed groups raise.</summary>
    private static WritePlan Plan(IReadOnlyList<LinkGroup> groups, IReadOnlyDictionary<string, string> stored, HashSet<(string CaseId, string Other)> seen)
    {
        var signatures = new SignatureWriter();
        var changed = groups.Where(g => !stored.TryGetValue(g.Id, out var signature) || signature != signatures.Of(g)).ToList();
        // Stored groups that no longer exist, and the changed ones, which are replaced whole.
        var ids = groups.Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        var gone = stored.Keys.Where(id => !ids.Contains(id)).Concat(changed.Select(g => g.Id)).ToList();
        // A group that did not change has no counterpart its cases have not been alerted about.
        var (alerts, newSeen) = NewAlerts(changed, seen);
        return new WritePlan(groups, changed, gone, alerts, newSeen);
    }

    /// <summary>
    /// The alerts the changed groups raise: one per case linked to an authority it has not been alerted about (per
    /// <paramref name="seen"/>), and the (case, authority) pairs to remember.
    /// </summary>
    private static (List<NewAlert> Alerts, List<object> NewSeen) NewAlerts(IReadOnlyList<LinkGroup> changed, HashSet<(string CaseId, string Other)> seen)
    {
        var newSeen = new List<object>();
        var alerts = new List<NewAlert>();
        foreach (var group in changed.Where(g => g.AuthorityCount > 1))
        {
            // The group's authorities, once: a group of n cases from a authorities costs n × a, not n².
            var counterparts = group.Cases.Select(o => (o.Authority, o.Jurisdiction)).Distinct().OrderBy(o => o.Authority, StringComparer.Ordinal).ToList();
            foreach (var c in group.Cases)
            {
                var fresh = counterparts.Where(o => o.Authority != c.Authority && !seen.Contains((c.CaseId, o.Authority))).ToList();
                if (fresh.Count == 0) continue;
                newSeen.AddRange(fresh.Select(f => new { c.CaseId, Other = f.Authority }));
                alerts.Add(new NewAlert(c.Authority, c.CaseId,
                    NewAuthorities: string.Join(',', fresh.Select(f => f.Authority)),
                    NewJurisdictions: string.Join(',', fresh.Select(f => f.Jurisdiction).Distinct().Order(StringComparer.Ordinal)),
                    // Only the types of the tokens this case shares with a case of the authorities the alert names: not one
                    // it shares with its own authority's cases alone, nor one by which only a third authority reaches them.
                    Types: string.Join(',', c.TypesSharedWith(fresh.Select(f => f.Authority)))));
            }
        }
        return (alerts, newSeen);
    }

    /// <summary>
    /// Numbers the alerts within their authorities, after each authority's last number (<c>link_alert_numbers</c>, which
    /// keeps counting even when the newest alert went with a withdrawn case), and stores the new last numbers. Run in the
    /// write transaction; only the link computation raises alerts, one at a time. Each alert is stamped <paramref name="now"/>.
    /// </summary>
    private async Task<List<NewAlert>> NumberAsync(DbConnection connection, DbTransaction tx, List<NewAlert> alerts, string now, CancellationToken ct)
    {
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var chunk in alerts.Select(a => a.Authority).Distinct().Chunk(500))
            foreach (var (authority, number) in await connection.QueryAsync<(string, long)>(new CommandDefinition(
                $"SELECT authority, last_number FROM link_alert_numbers WHERE {db.Dialect.InList("authority", "@Authorities")}",
                new { Authorities = chunk }, tx, cancellationToken: ct)))
                last[authority] = number;
        var known = last.Keys.ToHashSet(StringComparer.Ordinal);
        var numbered = alerts.Select(a => a with { Number = last[a.Authority] = last.GetValueOrDefault(a.Authority) + 1, Now = now }).ToList();
        var counters = last.Select(l => new { Authority = l.Key, Last = l.Value }).ToList();
        await connection.ExecuteAsync(new CommandDefinition("UPDATE link_alert_numbers SET last_number = @Last WHERE authority = @Authority",
            counters.Where(c => known.Contains(c.Authority)), tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition("INSERT INTO link_alert_numbers (authority, last_number) VALUES (@Authority, @Last)",
            counters.Where(c => !known.Contains(c.Authority)), tx, cancellationToken: ct));
        return numbered;
    }

    // A case of an authority held for probing (ProbeStandingsAsync) that was changed at or after @HeldFrom: its hits and
    // alerts are held back from its authority until the hold ends.
    private static string NotHeld(string caseId) => $" AND NOT EXISTS (SELECT 1 FROM cases h WHERE h.id = {caseId} AND h.updated_at >= @HeldFrom)";

    private static string HitCasePage(bool held) => $"""
        SELECT me.case_id FROM case_links me
        WHERE me.authority = @Authority AND me.jurisdiction = @Jurisdiction AND me.case_id > @After
          AND EXISTS (SELECT 1 FROM case_links o WHERE o.group_id = me.group_id AND o.authority <> me.authority){(held ? NotHeld("me.case_id") : "")}
        ORDER BY me.case_id
        """;

    private static string HitsOfCases(ISqlDialect dialect) => $"""
        SELECT me.case_id AS CaseId, me.types AS Types, o.jurisdiction AS Jurisdiction, o.authority AS Authority, COUNT(*) AS Cases
        FROM case_links me
        JOIN case_links o ON o.group_id = me.group_id AND o.authority <> me.authority
        WHERE me.authority = @Authority AND me.jurisdiction = @Jurisdiction AND {dialect.InList("me.case_id", "@Ids")}
        GROUP BY me.case_id, me.types, o.jurisdiction, o.authority
        ORDER BY me.case_id, o.jurisdiction, o.authority
        """;

    /// <summary>
    /// Up to <paramref name="limit"/> of the authority's cases that have a hit, after <paramref name="after"/>, with their
    /// hits; cases changed at or after <paramref name="heldFrom"/> (a probing hold) are left out.
    /// </summary>
    public async Task<(IReadOnlyList<string> CaseIds, IReadOnlyList<CaseHitRow> Hits)> HitsAsync(
        string jurisdiction, string authority, string? after, int limit, CancellationToken ct, string? heldFrom = null)
    {
        await using var connection = await db.OpenAsync(ct);
        var ids = (await connection.QueryAsync<string>(new CommandDefinition(db.Dialect.Page(HitCasePage(heldFrom is not null), "0", "@Limit"),
            new { Authority = authority, Jurisdiction = jurisdiction, After = after ?? "", Limit = limit, HeldFrom = heldFrom }, cancellationToken: ct))).AsList();
        if (ids.Count == 0) return (ids, []);
        var hits = await connection.QueryAsync<CaseHitRow>(new CommandDefinition(HitsOfCases(db.Dialect),
            new { Authority = authority, Jurisdiction = jurisdiction, Ids = ids }, cancellationToken: ct));
        return (ids, hits.AsList());
    }

    /// <summary>The hits of one case of the authority (empty when it has none or is not the authority's).</summary>
    public async Task<IReadOnlyList<CaseHitRow>> HitsOfCaseAsync(string jurisdiction, string authority, string caseId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<CaseHitRow>(new CommandDefinition(HitsOfCases(db.Dialect),
            new { Authority = authority, Jurisdiction = jurisdiction, Ids = new[] { caseId } }, cancellationToken: ct))).AsList();
    }

    // Keyed by the authority's own alert number; the row id counts every authority's alerts and is never shown.
    private const string AlertColumns = """
        SELECT a.number AS Id, a.case_id AS CaseId, a.new_authorities AS NewAuthorities, a.new_jurisdictions AS NewJurisdictions,
               a.types AS Types, a.created_at AS CreatedAt, a.read_at AS ReadAt
        FROM link_alerts a
        WHERE a.authority = @Authority AND a.created_at >= @Since AND (@Unread = 0 OR a.read_at IS NULL)
        """;

    private static string Alerts(bool newestFirst, bool held) => AlertColumns + (held ? NotHeld("a.case_id") : "")
        + (newestFirst ? " AND a.number < @After ORDER BY a.number DESC" : " AND a.number > @After ORDER BY a.number");

    // The other authorities each of the given cases of the authority is linked to now.
    private static string CounterpartsOf(ISqlDialect dialect) => $"""
        SELECT DISTINCT me.case_id, o.authority
        FROM case_links me
        JOIN case_links o ON o.group_id = me.group_id AND o.authority <> me.authority
        WHERE me.authority = @Authority AND {dialect.InList("me.case_id", "@Ids")}
        """;

    /// <summary>
    /// The authority's alerts, keyset-paged by the authority's own alert number: oldest first after <paramref name="after"/>
    /// (0: from the first), or newest first before it (null: from the newest). An alert is <see cref="LinkAlertRow.Ended"/>
    /// when its case is linked to none of the authorities it names any more. The alerts of cases changed at or after
    /// <paramref name="heldFrom"/> (a probing hold) are left out; they are listed again, as raised, once the hold ends.
    /// </summary>
    public async Task<IReadOnlyList<LinkAlertRow>> AlertsAsync(string authority, string? since, long? after, bool unreadOnly, int limit, CancellationToken ct,
        bool newestFirst = false, string? heldFrom = null)
    {
        await using var connection = await db.OpenAsync(ct);
        var alerts = (await connection.QueryAsync<LinkAlertRow>(new CommandDefinition(
            db.Dialect.Page(Alerts(newestFirst, heldFrom is not null), "0", "@Limit"),
            new { Authority = authority, After = after ?? (newestFirst ? long.MaxValue : 0), Since = since ?? "", Unread = unreadOnly ? 1 : 0, Limit = limit, HeldFrom = heldFrom },
            cancellationToken: ct))).AsList();
        if (alerts.Count == 0) return alerts;
        var linked = new HashSet<(string CaseId, string Authority)>();
        foreach (var chunk in alerts.Select(a => a.CaseId).Distinct().Chunk(500))
            linked.UnionWith(await connection.QueryAsync<(string, string)>(new CommandDefinition(CounterpartsOf(db.Dialect),
                new { Authority = authority, Ids = chunk }, cancellationToken: ct)));
        foreach (var alert in alerts)
            alert.Ended = !alert.NewAuthorities.Split(',').Any(other => linked.Contains((alert.CaseId, other)));
        return alerts;
    }

    /// <summary>
    /// The authorities that lost hits by their own changes within the quota's window (<c>link_probes</c>), each with
    /// whether it is held: it lost <see cref="ProbeQuota.Limit"/> or more there since its last release by a steward
    /// (<c>link_probe_releases</c>). Only <paramref name="authority"/> when given.
    /// </summary>
    public async Task<IReadOnlyList<ProbeStanding>> ProbeStandingsAsync(ProbeQuota quota, string? authority, CancellationToken ct)
    {
        var from = (DateTimeOffset.UtcNow - quota.Window).ToString("O");
        var where = authority is null ? "" : " AND authority = @Authority";
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string Authority, string LostAt)>(new CommandDefinition(
            "SELECT authority, lost_at FROM link_probes WHERE lost_at >= @From" + where,
            new { From = from, Authority = authority }, cancellationToken: ct));
        var releases = (await connection.QueryAsync<(string Authority, string ReleasedAt, string ReleasedBy)>(new CommandDefinition(
            "SELECT authority, released_at, released_by FROM link_probe_releases WHERE 1 = 1" + where,
            new { Authority = authority }, cancellationToken: ct))).ToDictionary(r => r.Authority, StringComparer.Ordinal);
        return rows.GroupBy(r => r.Authority, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var released = releases.TryGetValue(g.Key, out var release) ? release : default;
            // A release forgives what was lost up to it: those losses stay listed (the authority stays in the list while they
            // are in the window) but no longer count.
            var times = g.Select(r => r.LostAt).Where(t => released.ReleasedAt is null || string.CompareOrdinal(t, released.ReleasedAt) > 0)
                .Order(StringComparer.Ordinal).ToList();
            if (quota.Limit <= 0 || times.Count < quota.Limit)
                return new ProbeStanding(g.Key, times.Count, null, null, released.ReleasedAt, released.ReleasedBy);
            // The count falls below the limit when the (count - limit + 1)-th oldest loss leaves the window.
            var until = DateTimeOffset.Parse(times[times.Count - quota.Limit], System.Globalization.CultureInfo.InvariantCulture) + quota.Window;
            // Held again after a release: only the cases changed since the release, which the steward has not seen.
            var heldFrom = released.ReleasedAt is { } at && string.CompareOrdinal(at, from) > 0 ? at : from;
            return new ProbeStanding(g.Key, times.Count, heldFrom, until.ToUniversalTime().ToString("O"), released.ReleasedAt, released.ReleasedBy);
        }).ToList();
    }

    /// <summary>
    /// Releases an authority's probing hold now: the hits it lost up to <paramref name="at"/> no longer count, and its cases
    /// changed before then are not held again. Keeps the authority's last release only.
    /// </summary>
    public async Task ReleaseProbingAsync(string authority, DateTimeOffset at, string releasedBy, CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var release = new { Authority = authority, At = at.ToUniversalTime().ToString("O"), By = releasedBy };
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM link_probe_releases WHERE authority = @Authority", release, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO link_probe_releases (authority, released_at, released_by) VALUES (@Authority, @At, @By)", release, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    /// <summary>Marks the authority's alerts up to and including number <paramref name="upTo"/> as read; returns how many changed.</summary>
    public async Task<int> MarkAlertsReadAsync(string authority, long upTo, CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            return await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE link_alerts SET read_at = @Now WHERE authority = @Authority AND number <= @UpTo AND read_at IS NULL",
                new { Authority = authority, UpTo = upTo, Now = DateTimeOffset.UtcNow.ToString("O") }, cancellationToken: ct));
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    /// <summary>Groups that span two or more jurisdictions (for aggregate statistics only).</summary>
    public async Task<IReadOnlyList<LinkGroupRow>> CrossBorderGroupsAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<LinkGroupRow>(new CommandDefinition(
            "SELECT id AS Id, size AS Size, jurisdictions AS Jurisdictions, types AS Types FROM link_groups WHERE jurisdictions LIKE '%,%'",
            cancellationToken: ct))).AsList();
    }

    /// <summary>Every stored group with its case ids (for tests and diagnostics; never served over HTTP).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GroupMembersAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string GroupId, string CaseId)>(new CommandDefinition(
            "SELECT group_id, case_id FROM case_links ORDER BY group_id, case_id", cancellationToken: ct));
        return rows.GroupBy(r => r.GroupId).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(r => r.CaseId).ToList());
    }
}
