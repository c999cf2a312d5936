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

/// <param name="Entries">Entries read.</param>
/// <param name="Valid">True when every entry links to its predecessor and hashes to its stored hash.</param>
/// <param name="FirstBrokenSeq">The first sequence number where the chain does not hold (a changed, missing or re-linked entry).</param>
public sealed record ChainVerification(long Entries, bool Valid, long? FirstBrokenSeq);

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

    /// <summary>
    /// Walks the whole chain in batches of <see cref="VerifyBatchSize"/> (never all in memory). When the writer's
    /// last known head is given, a truncated tail or a chain rewritten up to that head is caught as well.
    /// </summary>
    public async Task<ChainVerification> VerifyAsync(ChainHead? knownHead, CancellationToken ct)
    {
        var expected = ChainHead.Genesis;
        long entries = 0;
        long? broken = null;
        await using var connection = await db.OpenAsync(ct);
        while (true)
        {
            var batch = (await connection.QueryAsync<AuditEntry>(new CommandDefinition(
                db.Dialect.Page(SelectBatch, "0", "@limit"), new { after = expected.Seq, limit = VerifyBatchSize }, cancellationToken: ct))).AsList();
            foreach (var e in batch)
            {
                entries++;
                if (broken is null)
                {
                    if (e.Seq != expected.Seq + 1) broken = expected.Seq + 1;   // an entry is missing
                    else if (e.PrevHash != expected.Hash || AuditChain.HashOf(e) != e.Hash) broken = e.Seq;
                    else if (knownHead is not null && e.Seq == knownHead.Seq && e.Hash != knownHead.Hash) broken = e.Seq;
                }
                expected = new ChainHead(e.Seq, e.Hash);
            }
            if (batch.Count < VerifyBatchSize) break;
        }
        if (broken is null && knownHead is not null && knownHead.Seq > expected.Seq) broken = expected.Seq + 1;   // truncated tail
        return new ChainVerification(entries, broken is null, broken);
    }
}
