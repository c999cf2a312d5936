using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using Analytics.Data.Database;
using Dapper;

namespace Analytics.Data.Audit;

/// <summary>An audited request before it has its place in the chain. Holds no body and no free-form client value.</summary>
public sealed record AuditDraft(
    DateTimeOffset At,
    string Principal,
    string? Role,
    string? Jurisdiction,
    string Action,
    string Method,
    string Route,
    string Parameters,
    int Status,
    long ResultSize,
    long DurationMs);

/// <summary>One stored row of audit_log.</summary>
public sealed class AuditEntry
{
    public long Seq { get; set; }
    public string At { get; set; } = "";
    public string Principal { get; set; } = "";
    public string? Role { get; set; }
    public string? Jurisdiction { get; set; }
    public string Action { get; set; } = "";
    public string Method { get; set; } = "";
    public string Route { get; set; } = "";
    public string Parameters { get; set; } = "{}";
    public int Status { get; set; }
    public long ResultSize { get; set; }
    public long DurationMs { get; set; }
    public string PrevHash { get; set; } = "";
    public string Hash { get; set; } = "";
}

/// <summary>The last entry of the chain: the next one gets <c>Seq + 1</c> and links to <c>Hash</c>.</summary>
public sealed record ChainHead(long Seq, string Hash)
{
    public static ChainHead Genesis { get; } = new(0, AuditChain.GenesisHash);
}

/// <param name="Entries">
/// Entries the verdict covers: those up to <see cref="After"/>, found intact by an earlier walk, and the <see cref="Checked"/>
/// ones read now. For a walk from the first entry, the entries read.
/// </param>
/// <param name="Valid">True when every entry checked links to its predecessor and hashes to its stored hash.</param>
/// <param name="FirstBrokenSeq">The first sequence number where the chain does not hold (a changed, missing or re-linked entry).</param>
public sealed record ChainVerification(long Entries, bool Valid, long? FirstBrokenSeq)
{
    /// <summary>Entries read and checked by this call.</summary>
    public long Checked { get; init; }

    /// <summary>The walk started after this entry: 0 for a walk from the first entry, else the checkpoint (or the <c>after</c> asked for).</summary>
    public long After { get; init; }

    /// <summary>The last entry checked; null when none was.</summary>
    public long? To { get; init; }

    /// <summary>False when the walk stopped at its limit before the end of the chain: call again (with <see cref="Next"/> as <c>after</c> to go on with a full walk).</summary>
    public bool Complete { get; init; } = true;

    /// <summary>Where the next call starts to go on (<c>after</c>); null when the walk is complete.</summary>
    public long? Next { get; init; }

    /// <summary>The checkpoint after this call: entries up to it were found intact and are not read again by a normal call.</summary>
    public long Checkpoint { get; init; }
}

/// <summary>
/// hash = SHA-256(prev_hash || canonical), where canonical is the UTF-8 JSON array
/// [seq, at, principal, role, jurisdiction, action, method, route, parameters, status, result_size, duration_ms]
/// (nulls as JSON null, System.Text.Json default escaping) and prev_hash is the predecessor's lower-case hex hash.
/// </summary>
public static class AuditChain
{
    public static readonly string GenesisHash = new('0', 64);

    public static string HashOf(AuditEntry e)
    {
        using var buffer = new MemoryStream();
        buffer.Write(System.Text.Encoding.ASCII.GetBytes(e.PrevHash));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteNumberValue(e.Seq);
            json.WriteStringValue(e.At);
            json.WriteStringValue(e.Principal);
            WriteNullable(json, e.Role);
            WriteNullable(json, e.Jurisdiction);
            json.WriteStringValue(e.Action);
            json.WriteStringValue(e.Method);
            json.WriteStringValue(e.Route);
            json.WriteStringValue(e.Parameters);
            json.WriteNumberValue(e.Status);
            json.WriteNumberValue(e.ResultSize);
            json.WriteNumberValue(e.DurationMs);
            json.WriteEndArray();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }

    /// <summary>Gives each draft its sequence number and links it behind <paramref name="head"/>, in order.</summary>
    public static IReadOnlyList<AuditEntry> Link(ChainHead head, IReadOnlyList<AuditDraft> drafts)
    {
        var entries = new List<AuditEntry>(drafts.Count);
        var (seq, prev) = (head.Seq, head.Hash);
        foreach (var d in drafts)
        {
            var entry = new AuditEntry
            {
                Seq = ++seq, At = d.At.UtcDateTime.ToString("O"), Principal = d.Principal, Role = d.Role, Jurisdiction = d.Jurisdiction,
                Action = d.Action, Method = d.Method, Route = d.Route, Parameters = d.Parameters, Status = d.Status,
                ResultSize = d.ResultSize, DurationMs = d.DurationMs, PrevHash = prev,
            };
            entry.Hash = HashOf(entry);
            prev = entry.Hash;
            entries.Add(entry);
        }
        return entries;
    }

    private static void WriteNullable(Utf8JsonWriter json, string? value)
    {
        if (value is null) json.WriteNullValue();
        else json.WriteStringValue(value);
    }
}

/// <summary>Appends to, pages through and verifies the hash-chained audit_log.</summary>
public sealed class AuditStore(Db db)
{
    public const int VerifyBatchSize = 1_000;

    private const string Columns = """
        seq AS Seq, at AS At, principal AS Principal, role AS Role, jurisdiction AS Jurisdiction, action AS Action,
        method AS Method, route AS Route, parameters AS Parameters, status AS Status, result_size AS ResultSize,
        duration_ms AS DurationMs, prev_hash AS PrevHash, hash AS Hash
        """;

    private const string SelectHead = "SELECT seq AS Seq, hash AS Hash FROM audit_log ORDER BY seq DESC";

    public async Task<ChainHead> HeadAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var head = await connection.QueryFirstOrDefaultAsync<AuditEntry>(new CommandDefinition(
            db.Dialect.Page(SelectHead, "0", "1"), cancellationToken: ct));
        return head is null ? ChainHead.Genesis : new ChainHead(head.Seq, head.Hash);
    }

    private const string Insert = """
        INSERT INTO audit_log (seq, at, principal, role, jurisdiction, action, method, route, parameters, status,
                               result_size, duration_ms, prev_hash, hash)
        VALUES (@Seq, @At, @Principal, @Role, @Jurisdiction, @Action, @Method, @Route, @Parameters, @Status,
                @ResultSize, @DurationMs, @PrevHash, @Hash)
        """;

    /// <summary>
    /// Writes linked entries in one transaction. The primary key on seq makes a competing writer's insert fail
    /// instead of forking the chain; the caller then reloads the head and links again.
    /// </summary>
    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0) return;
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using DbTransaction tx = await connection.BeginTransactionAsync(ct);
            await LockChainAsync(connection, tx, ct);
            await connection.ExecuteAsync(new CommandDefinition(Insert, entries, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    public const int ChangeAttempts = 5;

    /// <summary>
    /// Makes a change and appends its audit entry in one write transaction: both are stored, or neither. The entry links
    /// behind the head read under the chain's lock, which every appender takes (<see cref="ISqlDialect.TransactionLock"/>),
    /// so it chains with entries a running service appends to the same database at the same time. A failed attempt (a
    /// writer that does not take the lock and took the same sequence number first) is rolled back and the change made
    /// again, up to <see cref="ChangeAttempts"/> times; then the last error is thrown and nothing is stored.
    /// </summary>
    /// <param name="change">Makes the change in the transaction and returns its result and the entry that records it.</param>
    public async Task<(T Result, AuditEntry Entry)> ChangeAsync<T>(
        Func<DbConnection, DbTransaction, Task<(T Result, AuditDraft Entry)>> change, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await db.WriteGate.WaitAsync(ct);
                try
                {
                    await using var connection = await db.OpenWriterAsync(ct);
                    await using DbTransaction tx = await connection.BeginTransactionAsync(ct);
                    // Locked first: the change and the entry then wait for the same turn, and the head cannot move under them.
                    await LockChainAsync(connection, tx, ct);
                    var (result, draft) = await change(connection, tx);
                    var head = await connection.QueryFirstOrDefaultAsync<AuditEntry>(new CommandDefinition(
                        db.Dialect.Page(SelectHead, "0", "1"), transaction: tx, cancellationToken: ct));
                    var entry = AuditChain.Link(head is null ? ChainHead.Genesis : new ChainHead(head.Seq, head.Hash), [draft])[0];
                    await connection.ExecuteAsync(new CommandDefinition(Insert, entry, tx, cancellationToken: ct));
                    await tx.CommitAsync(ct);
                    return (result, entry);
                }
                finally
                {
                    db.WriteGate.Release();
                }
            }
            catch (DbException) when (attempt < ChangeAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt * attempt), ct);
            }
        }
    }

    private const string ChainLock = "audit_log";

    private async Task LockChainAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        if (db.Dialect.TransactionLock(ChainLock) is { } sql)
            await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, cancellationToken: ct));
    }

    private const string SelectPage = $"""
        SELECT {Columns} FROM audit_log
        WHERE seq > @after AND (@principal IS NULL OR principal = @principal) AND (@action IS NULL OR action = @action)
        ORDER BY seq
        """;

    /// <summary>Entries after <paramref name="after"/> in chain order (keyset pagination), optionally filtered.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(long after, int limit, string? principal, string? action, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<AuditEntry>(new CommandDefinition(
            db.Dialect.Page(SelectPage, "0", "@limit"), new { after, limit, principal, action }, cancellationToken: ct))).AsList();
    }

    private const string SelectBatch = $"SELECT {Columns} FROM audit_log WHERE seq > @after ORDER BY seq";

    /// <summary>The most entries one verification reads: about a second of work, so one call never holds a connection for minutes.</summary>
    public const int VerifyMaxEntries = 100_000;

    /// <summary>
    /// Walks the whole chain in batches of <see cref="VerifyBatchSize"/> (never all in memory), without limit and without
    /// the checkpoint. When the writer's last known head is given, a truncated tail or a chain rewritten up to that head
    /// is caught as well.
    /// </summary>
    public async Task<ChainVerification> VerifyAsync(ChainHead? knownHead, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var walk = await WalkAsync(connection, ChainHead.Genesis, knownHead is null ? [] : [knownHead], long.MaxValue, ct);
        return walk.Result(0, 0);
    }

    /// <summary>
    /// Verifies the chain from the checkpoint (<paramref name="after"/> null), from the first entry (0), or after a given
    /// entry, reading at most <paramref name="limit"/> entries. A normal call first checks the checkpoint's entry against
    /// the hash kept with it, then the entries after it, and moves the checkpoint to the last entry found intact. Any
    /// walk that finds a break at or before the checkpoint moves the checkpoint back before the break, so that normal
    /// calls report it too. <paramref name="knownHead"/>: the last entry this process appended (catches a truncated tail).
    /// </summary>
    public async Task<ChainVerification> VerifyAsync(ChainHead? knownHead, long? after, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var checkpoint = await connection.QuerySingleAsync<AuditEntry>(new CommandDefinition(SelectCheckpoint, cancellationToken: ct));
        var kept = new ChainHead(checkpoint.Seq, checkpoint.Hash);
        var startSeq = after ?? kept.Seq;
        var start = ChainHead.Genesis;
        if (startSeq > 0)
        {
            // The walk links on from this entry: it must still hash to itself, and to what the checkpoint kept when it is the checkpoint.
            var anchor = await connection.QuerySingleOrDefaultAsync<AuditEntry>(new CommandDefinition(
                $"SELECT {Columns} FROM audit_log WHERE seq = @startSeq", new { startSeq }, cancellationToken: ct));
            if (anchor is null || AuditChain.HashOf(anchor) != anchor.Hash || (anchor.Seq == kept.Seq && anchor.Hash != kept.Hash))
                return new ChainVerification(startSeq, false, startSeq)
                {
                    Checked = anchor is null ? 0 : 1, After = startSeq - 1, To = anchor is null ? null : startSeq, Checkpoint = kept.Seq,
                };
            start = new ChainHead(anchor.Seq, anchor.Hash);
        }

        ChainHead[] known = [.. knownHead is null ? [] : new[] { knownHead }, .. kept.Seq > 0 ? new[] { kept } : []];
        var walk = await WalkAsync(connection, start, known, limit, ct);
        var moved = kept.Seq;
        if (walk.Broken is { } broken && broken <= kept.Seq && broken <= walk.To)
        {
            // A changed or missing entry at or before the checkpoint: step back before it, so normal calls find it again.
            // (Not for a truncated tail: the checkpoint's own entry, now missing, already makes every normal call fail.)
            await MoveCheckpointAsync(StepBack,
                new { seq = walk.LastValid.Seq, hash = walk.LastValid.Hash, broken, at = DateTimeOffset.UtcNow.ToString("O") }, ct);
            moved = walk.LastValid.Seq;
        }
        else if (after is null && walk.LastValid.Seq > kept.Seq)
        {
            // Compare-and-set: another node may have moved the checkpoint meanwhile; the next call then starts from its.
            var advanced = await MoveCheckpointAsync(Advance,
                new { seq = walk.LastValid.Seq, hash = walk.LastValid.Hash, fromSeq = kept.Seq, fromHash = kept.Hash, at = DateTimeOffset.UtcNow.ToString("O") }, ct);
            if (advanced == 1) moved = walk.LastValid.Seq;
        }
        return walk.Result(start.Seq, moved);
    }

    // A write like any other: on SQLite it queues behind the process's other writers instead of waiting on the file lock.
    private async Task<int> MoveCheckpointAsync(string sql, object parameters, CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            return await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    private const string SelectCheckpoint = "SELECT seq AS Seq, hash AS Hash FROM audit_checkpoint WHERE id = 1";

    private const string Advance = """
        UPDATE audit_checkpoint SET seq = @seq, hash = @hash, verified_at = @at
        WHERE id = 1 AND seq = @fromSeq AND hash = @fromHash
        """;

    private const string StepBack = """
        UPDATE audit_checkpoint SET seq = @seq, hash = @hash, verified_at = @at
        WHERE id = 1 AND seq >= @broken
        """;

    private sealed record Walk(long Checked, long? To, long? Broken, ChainHead LastValid, bool Complete)
    {
        public ChainVerification Result(long after, long checkpoint) => new(after + Checked, Broken is null, Broken)
        {
            Checked = Checked, After = after, To = To, Complete = Complete, Next = Complete ? null : To, Checkpoint = checkpoint,
        };
    }

    /// <summary>
    /// Reads up to <paramref name="limit"/> entries after <paramref name="start"/> in batches, checking for each that its seq
    /// follows, that it links to its predecessor and that it hashes to its stored hash; and, against each of the
    /// <paramref name="known"/> heads it passes, that it is still the entry that was there. Counts on after a break.
    /// </summary>
    private async Task<Walk> WalkAsync(DbConnection connection, ChainHead start, IReadOnlyList<ChainHead> known, long limit, CancellationToken ct)
    {
        var expected = start;
        var lastValid = start;
        long entries = 0;
        long? broken = null;
        bool complete;
        while (true)
        {
            var want = (int)Math.Min(VerifyBatchSize, limit - entries);
            if (want <= 0)
            {
                // At the limit: complete only if nothing follows.
                complete = await connection.QueryFirstOrDefaultAsync<long?>(new CommandDefinition(
                    db.Dialect.Page("SELECT seq FROM audit_log WHERE seq > @after ORDER BY seq", "0", "1"), new { after = expected.Seq }, cancellationToken: ct)) is null;
                break;
            }
            var batch = (await connection.QueryAsync<AuditEntry>(new CommandDefinition(
                db.Dialect.Page(SelectBatch, "0", "@limit"), new { after = expected.Seq, limit = want }, cancellationToken: ct))).AsList();
            foreach (var e in batch)
            {
                entries++;
                if (broken is null)
                {
                    if (e.Seq != expected.Seq + 1) broken = expected.Seq + 1;   // an entry is missing
                    else if (e.PrevHash != expected.Hash || AuditChain.HashOf(e) != e.Hash) broken = e.Seq;
                    else if (known.Any(k => k.Seq == e.Seq && k.Hash != e.Hash)) broken = e.Seq;
                    else lastValid = new ChainHead(e.Seq, e.Hash);
                }
                expected = new ChainHead(e.Seq, e.Hash);
            }
            if (batch.Count < want)
            {
                complete = true;
                break;
            }
        }
        // Truncated tail: an entry known to have been written is no longer there.
        if (complete && broken is null && known.Any(k => k.Seq > expected.Seq)) broken = expected.Seq + 1;
        return new Walk(entries, entries > 0 ? expected.Seq : null, broken, lastValid, complete);
    }
}
