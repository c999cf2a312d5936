using System.Data;
using System.Data.Common;
using Analytics.Core.Pseudonymisation;
using Analytics.Data.Cases;
using Analytics.Data.Database;
using Dapper;

namespace Analytics.Data.Pseudonymisation;

/// <summary>One key of the ring as the store records it: its place, its id, when a node first brought it, and when every stored case was moved to it.</summary>
public sealed class StoredKey
{
    public int Position { get; set; }
    public string KeyId { get; set; } = "";
    public string AddedAt { get; set; } = "";
    public string? RekeyedAt { get; set; }
}

/// <summary>This node's key ring cannot be used with the store: it is behind the store's, or differs from it. Nothing was written.</summary>
public sealed class KeyRingMismatchException(string message) : InvalidOperationException(message);

/// <summary>
/// A case write was refused because the store's active pseudonymisation key is no longer this node's (another node started
/// with a newer ring). Tokens of two keys never match, so a case written under the older key could not be found or linked.
/// Nothing was written.
/// </summary>
public sealed class KeyRingOutOfDateException(string nodeKeyId, string storeKeyId) : InvalidOperationException(
    $"This node's active pseudonymisation key is '{nodeKeyId}', the store's is '{storeKeyId}': restart the node with the current key file or configuration.")
{
    public string NodeKeyId { get; } = nodeKeyId;
    public string StoreKeyId { get; } = storeKeyId;
}

/// <summary>
/// The store's record of the pseudonymisation key ring (ids only: secrets stay in configuration or the key file), and the
/// moving of stored cases to a new key. A rotation adds a key to the end of the ring; each node registers its ring when it
/// starts (<see cref="RegisterAsync"/>); the <c>rekey-tokens</c> job then moves every case stored under an earlier key
/// forward, a batch at a time (<see cref="RekeyBatchAsync"/>), by chaining its tokens through the new keys
/// (<see cref="StoredTokens"/>): no raw identifier is needed. A case written meanwhile is moved first, in its own
/// transaction, when it was stored under an earlier key (<see cref="CheckWriteAsync"/>).
/// </summary>
public sealed class KeyRingStore(Db db, KeyRing ring)
{
    private const string SelectRing = """
        SELECT position AS Position, key_id AS KeyId, added_at AS AddedAt, rekeyed_at AS RekeyedAt FROM key_ring ORDER BY position
        """;

    /// <summary>
    /// Records this node's ring: a fresh store takes it whole, a ring that extends the store's adds its new keys (a
    /// rotation), an equal ring changes nothing. A ring that is behind the store's, or differs from it, is refused with
    /// <see cref="KeyRingMismatchException"/>, as is a store holding cases under a key the ring does not have. Taken under
    /// the exclusive case-change lock, so writers already running finish under the old ring and later ones see the new one.
    /// </summary>
    public async Task<IReadOnlyList<StoredKey>> RegisterAsync(CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await CaseChangeLock.ExcludeAsync(connection, tx, db.Dialect, ct);
            var stored = (await connection.QueryAsync<StoredKey>(new CommandDefinition(SelectRing, transaction: tx, cancellationToken: ct))).AsList();
            var ids = ring.Keys.Select(k => k.Id).ToList();
            for (var i = 0; i < Math.Min(stored.Count, ids.Count); i++)
            {
                if (stored[i].KeyId != ids[i])
                    throw new KeyRingMismatchException($"The pseudonymisation key ring differs from the store's at position {i + 1}: the store has key '{stored[i].KeyId}', this node '{ids[i]}'. Use the key file or configuration the store was written with, with new keys only added at its end.");
            }
            if (stored.Count > ids.Count)
                throw new KeyRingMismatchException($"This node's pseudonymisation key ring ends at '{ids[^1]}', but the store's active key is '{stored[^1].KeyId}': give the node the current key file or configuration.");
            if (stored.Count == ids.Count) return stored;

            // A store that predates the ring's record holds its cases under some key of the ring; any other key could never be moved.
            var keyIds = (await connection.QueryAsync<string>(new CommandDefinition("SELECT DISTINCT key_id FROM cases", transaction: tx, cancellationToken: ct))).AsList();
            if (keyIds.FirstOrDefault(k => !ids.Contains(k)) is { } unknown)
                throw new KeyRingMismatchException($"The store holds cases under pseudonymisation key '{unknown}', which this node's key ring does not have.");
            var pending = keyIds.Any(k => k != ids[^1]);
            var now = DateTimeOffset.UtcNow.ToString("O");
            for (var i = stored.Count; i < ids.Count; i++)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO key_ring (position, key_id, added_at, rekeyed_at) VALUES (@Position, @KeyId, @Now, @RekeyedAt)",
                    new { Position = i, KeyId = ids[i], Now = now, RekeyedAt = pending ? null : now }, tx, cancellationToken: ct));
            }
            var registered = (await connection.QueryAsync<StoredKey>(new CommandDefinition(SelectRing, transaction: tx, cancellationToken: ct))).AsList();
            await tx.CommitAsync(ct);
            return registered;
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    /// <summary>The ring as the store records it, oldest key first.</summary>
    public async Task<IReadOnlyList<StoredKey>> ListAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<StoredKey>(new CommandDefinition(SelectRing, cancellationToken: ct))).AsList();
    }

    /// <summary>How many cases (any status) are stored under each key.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CasesByKeyAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string KeyId, long Cases)>(new CommandDefinition(
            "SELECT key_id, COUNT(*) FROM cases GROUP BY key_id", cancellationToken: ct));
        return rows.ToDictionary(r => r.KeyId, r => r.Cases, StringComparer.Ordinal);
    }

    /// <summary>True while stored cases are being moved to the active key (its <c>rekeyed_at</c> is not set).</summary>
    public async Task<bool> PendingAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await PendingAsync(connection, null, ct);
    }

    internal static async Task<bool> PendingAsync(DbConnection connection, DbTransaction? tx, CancellationToken ct) =>
        await ActiveAsync(connection, tx, ct) is { Moving: true };

    private const string ActiveKeySql = "SELECT key_id, rekeyed_at FROM key_ring WHERE position = (SELECT MAX(position) FROM key_ring)";

    // The store's active key, and whether cases are still being moved to it; null while no ring is recorded. Read through a
    // bare command: it sits on every case-writing transaction (CheckWriteAsync).
    private static async Task<(string KeyId, bool Moving)?> ActiveAsync(DbConnection connection, DbTransaction? tx, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = ActiveKeySql;
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, ct);
        return await reader.ReadAsync(ct) ? (reader.GetString(0), reader.IsDBNull(1)) : null;
    }

    /// <summary>
    /// Moves up to <paramref name="batchSize"/> cases stored under an earlier key (ids after <paramref name="after"/>, in id
    /// order) to the active key in one transaction. Returns how many were moved and the id to go on after, null once the
    /// last case has been looked at. Refused with <see cref="KeyRingOutOfDateException"/> when the store's active key is not
    /// this node's.
    /// </summary>
    public async Task<(int Moved, string? Next)> RekeyBatchAsync(string? after, int batchSize, CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await CaseChangeLock.ShareAsync(connection, tx, db.Dialect, ct);
            await EnsureActiveAsync(connection, tx, ring.Active.Id, ct);
            var rows = (await connection.QueryAsync<(string Id, string KeyId, string Reference)>(new CommandDefinition(db.Dialect.Page(
                "SELECT id, key_id, case_ref_token FROM cases WHERE id > @After AND key_id <> @Active ORDER BY id", "0", "@Limit"),
                new { After = after ?? "", Active = ring.Active.Id, Limit = batchSize }, tx, cancellationToken: ct))).AsList();
            var moved = 0;
            foreach (var chunk in rows.Chunk(500))
                moved += await MoveAllAsync(connection, tx, db.Dialect, ring, await LoadAsync(connection, tx, db.Dialect, chunk, ct), ct);
            await tx.CommitAsync(ct);
            return (moved, rows.Count < batchSize ? null : rows[^1].Id);
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    /// <summary>
    /// Marks the active key as reached by every stored case, unless a case is still under an earlier one (false). Checked
    /// under the exclusive case-change lock, so no writer is between its own check and its commit.
    /// </summary>
    public async Task<bool> CompleteAsync(CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await CaseChangeLock.ExcludeAsync(connection, tx, db.Dialect, ct);
            await EnsureActiveAsync(connection, tx, ring.Active.Id, ct);
            var left = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM cases WHERE key_id <> @Active", new { Active = ring.Active.Id }, tx, cancellationToken: ct));
            if (left > 0) return false;
            await connection.ExecuteAsync(new CommandDefinition("UPDATE key_ring SET rekeyed_at = @Now WHERE rekeyed_at IS NULL",
                new { Now = DateTimeOffset.UtcNow.ToString("O") }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return true;
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    private static async Task EnsureActiveAsync(DbConnection connection, DbTransaction tx, string keyId, CancellationToken ct)
    {
        if (await ActiveAsync(connection, tx, ct) is { } active && active.KeyId != keyId) throw new KeyRingOutOfDateException(keyId, active.KeyId);
    }

    /// <summary>
    /// Checked in every transaction that writes cases, after its case-change lock: each case must be written under the
    /// store's active key (<see cref="KeyRingOutOfDateException"/> otherwise). While cases are being moved to that key, a
    /// case written now that is still stored under an earlier key is moved first, so the write finds it by its new
    /// reference token and updates it rather than storing it twice. A store with no ring recorded is not checked.
    /// </summary>
    internal static async Task CheckWriteAsync(DbConnection connection, DbTransaction tx, ISqlDialect dialect, KeyRing? ring,
        IReadOnlyList<CaseWrite> cases, CancellationToken ct)
    {
        // One small read per transaction, not per case.
        if (await ActiveAsync(connection, tx, ct) is not { } active) return;
        var (activeKey, moving) = active;
        foreach (var c in cases)
        {
            if (c.KeyId != activeKey) throw new KeyRingOutOfDateException(c.KeyId, activeKey);
        }
        if (!moving) return;
        foreach (var c in cases)
        {
            if (c.CaseRefGenerations.Count < 2) continue;
            var earlier = c.CaseRefGenerations.Take(c.CaseRefGenerations.Count - 1).ToArray();
            var found = await connection.QueryAsync<(string Id, string KeyId, string Reference)>(new CommandDefinition(
                $"SELECT id, key_id, case_ref_token FROM cases WHERE authority = @Authority AND {dialect.InList("case_ref_token", "@Earlier")}",
                new { c.Authority, Earlier = earlier }, tx, cancellationToken: ct));
            var rows = found.AsList();
            if (rows.Count == 0) continue;
            if (ring is null) throw new InvalidOperationException("Cases are being moved to a new pseudonymisation key, and this store was given no key ring.");
            foreach (var stored in await LoadAsync(connection, tx, dialect, rows, ct))
                await MoveAsync(connection, tx, dialect, ring, stored, ct);
        }
    }

    /// <summary>A case to move: its row as read, its record and its tokens (token, type).</summary>
    private sealed record CaseToMove(string Id, string KeyId, string Reference, string? Record, List<(string Token, string Type)> Tokens);

    // The records and tokens of a batch in two statements, not two per case.
    private static async Task<List<CaseToMove>> LoadAsync(DbConnection connection, DbTransaction tx, ISqlDialect dialect,
        IReadOnlyList<(string Id, string KeyId, string Reference)> rows, CancellationToken ct)
    {
        var ids = rows.Select(r => r.Id).ToArray();
        var records = (await connection.QueryAsync<(string Id, string Record)>(new CommandDefinition(
            $"SELECT case_id, record FROM case_documents WHERE {dialect.InList("case_id", "@Ids")}", new { Ids = ids }, tx, cancellationToken: ct)))
            .ToDictionary(r => r.Id, r => r.Record, StringComparer.Ordinal);
        var tokens = (await connection.QueryAsync<(string Id, string Token, string Type)>(new CommandDefinition(
            $"SELECT case_id, token, type FROM case_tokens WHERE {dialect.InList("case_id", "@Ids")}", new { Ids = ids }, tx, cancellationToken: ct)))
            .ToLookup(t => t.Id, t => (t.Token, t.Type), StringComparer.Ordinal);
        return rows.Select(r => new CaseToMove(r.Id, r.KeyId, r.Reference, records.GetValueOrDefault(r.Id), tokens[r.Id].ToList())).ToList();
    }

    private const string UpdateCaseSql =
        "UPDATE cases SET key_id = @To, case_ref_token = @Reference, record_hash = COALESCE(@Hash, record_hash) WHERE id = @Id AND key_id = @From";
    private const string UpdateRecordSql = "UPDATE case_documents SET record = @Record WHERE case_id = @Id";
    private const string DeleteTokensSql = "DELETE FROM case_tokens WHERE case_id = @Id";

    /// <summary>A case as it is to be written under the active key: its reference, record and hash (null without a record) and tokens (token, type), all moved.</summary>
    private sealed record MovedCase(CaseToMove Case, string Reference, string? Record, string? Hash, List<(string Token, string Type)> Tokens);

    // What a case becomes under the active key, or null when it is already there. Reads nothing but the case: safe to run
    // for many cases at once.
    private static MovedCase? Moved(KeyRing ring, CaseToMove c)
    {
        var keys = StoredTokens.KeysAfter(ring, c.KeyId);
        if (keys.Count == 0) return null;
        // Each distinct token of the case is moved once, for its record, its reference and its token list.
        var mover = new TokenMover(keys);
        var record = c.Record is null ? null : StoredTokens.RekeyRecord(c.Record, c.KeyId, mover);
        return new MovedCase(c, mover.Rekey(c.Reference), record, record is null ? null : StoredTokens.RecordHash(record),
            [.. c.Tokens.Select(t => (mover.Rekey(t.Token), t.Type))]);
    }

    // The case row is updated first, and only while it is still under the key it was read under: that also locks it where
    // writers run concurrently, so a correction either landed before (the row is no longer under that key, and nothing read
    // here is written) or waits for this transaction.
    private static async Task<int> MoveAsync(DbConnection connection, DbTransaction tx, ISqlDialect dialect, KeyRing ring, CaseToMove c, CancellationToken ct)
    {
        if (Moved(ring, c) is not { } m) return 0;
        var updated = await connection.ExecuteAsync(new CommandDefinition(UpdateCaseSql,
            new { c.Id, From = c.KeyId, To = ring.Active.Id, m.Reference, m.Hash }, tx, cancellationToken: ct));
        if (updated == 0) return 0;
        if (m.Record is not null)
            await connection.ExecuteAsync(new CommandDefinition(UpdateRecordSql, new { c.Id, m.Record }, tx, cancellationToken: ct));
        if (m.Tokens.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(DeleteTokensSql, new { c.Id }, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(dialect.InsertIgnore("case_tokens", "token, case_id, type", "@Token, @CaseId, @Type", "case_id, token"),
                m.Tokens.Select(t => new { t.Token, CaseId = c.Id, t.Type }), tx, cancellationToken: ct));
        }
        return 1;
    }

    /// <summary>
    /// A batch's cases moved as <see cref="MoveAsync"/> moves one, with the same outcome. Their records, hashes, references
    /// and tokens read nothing but the case, so they are worked out a slice at a time on the machine's other cores while
    /// the connection writes the slices before (<see cref="MovedSlices"/>); the writes stay in order on the one connection,
    /// case by case through three commands made once for the batch (each case row first, and only while it is still under
    /// the key it was read under), and the new tokens of the cases moved are added in one bulk insert at the end.
    /// </summary>
    private static async Task<int> MoveAllAsync(DbConnection connection, DbTransaction tx, ISqlDialect dialect, KeyRing ring,
        IReadOnlyList<CaseToMove> cases, CancellationToken ct)
    {
        var slices = new MovedSlices(ring, cases);
        try
        {
            await using var updateCase = Command(connection, tx, UpdateCaseSql, "@To", "@Reference", "@Hash", "@Id", "@From");
            await using var updateRecord = Command(connection, tx, UpdateRecordSql, "@Record", "@Id");
            await using var deleteTokens = Command(connection, tx, DeleteTokensSql, "@Id");
            var tokens = new List<object?[]>();
            var moved = 0;
            for (var s = 0; s < slices.Count; s++)
            {
                var moves = await slices.TakeAsync(s);
                foreach (var m in moves)
                {
                    if (m is null) continue;
                    var c = m.Case;
                    if (await ExecuteAsync(updateCase, ct, ring.Active.Id, m.Reference, m.Hash, c.Id, c.KeyId) == 0) continue;
                    moved++;
                    if (m.Record is not null) await ExecuteAsync(updateRecord, ct, m.Record, c.Id);
                    if (m.Tokens.Count == 0) continue;
                    await ExecuteAsync(deleteTokens, ct, c.Id);
                    // One row per token: the first of a repeat is the one the row-by-row insert would keep.
                    var seen = new HashSet<string>(m.Tokens.Count, StringComparer.Ordinal);
                    foreach (var (token, type) in m.Tokens)
                    {
                        if (seen.Add(token)) tokens.Add([token, c.Id, type]);
                    }
                }
            }
            if (tokens.Count > 0)
                await dialect.BulkInsertAsync(connection, tx, new BulkInsert("case_tokens", ["token", "case_id", "type"], ["case_id", "token"], null, tokens), ct);
            return moved;
        }
        catch
        {
            slices.Abandon();
            throw;
        }
    }

    /// <summary>
    /// The cases of a batch worked out (<see cref="Moved(KeyRing, CaseToMove)"/>) a slice at a time, in order: by helpers
    /// on the machine's other cores, ahead of the writer, and by the writer itself when it reaches a slice no helper has
    /// started, so it never waits for a thread to be free. On one core the writer works out every slice.
    /// </summary>
    private sealed class MovedSlices
    {
        /// <summary>Cases worked out together: small enough that the writer seldom waits for one in progress.</summary>
        private const int Size = 25;

        private readonly KeyRing _ring;
        private readonly IReadOnlyList<CaseToMove> _cases;
        private readonly TaskCompletionSource<MovedCase?[]>[] _slices;
        private int _taken = -1;
        private volatile bool _abandoned;

        public MovedSlices(KeyRing ring, IReadOnlyList<CaseToMove> cases)
        {
            (_ring, _cases) = (ring, cases);
            _slices = new TaskCompletionSource<MovedCase?[]>[(cases.Count + Size - 1) / Size];
            for (var s = 0; s < _slices.Length; s++) _slices[s] = new(TaskCreationOptions.RunContinuationsAsynchronously);
            var helpers = Math.Min(Environment.ProcessorCount - 1, _slices.Length - 1);
            for (var h = 0; h < helpers; h++) _ = Task.Run(Help);
        }

        public int Count => _slices.Length;

        /// <summary>Slice <paramref name="slice"/> worked out: by the caller unless a helper has started it. Slices are taken in order.</summary>
        public Task<MovedCase?[]> TakeAsync(int slice)
        {
            while (Volatile.Read(ref _taken) < slice && WorkNext()) { }
            return _slices[slice].Task;
        }

        /// <summary>The batch failed: helpers start no further slice, and the outcome of those still in progress is not wanted.</summary>
        public void Abandon()
        {
            _abandoned = true;
            foreach (var slice in _slices)
                _ = slice.Task.ContinueWith(static done => done.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private void Help()
        {
            while (!_abandoned && WorkNext()) { }
        }

        private bool WorkNext()
        {
            var slice = Interlocked.Increment(ref _taken);
            if (slice >= _slices.Length) return false;
            try
            {
                var (from, to) = (slice * Size, Math.Min(_cases.Count, (slice + 1) * Size));
                var moves = new MovedCase?[to - from];
                for (var i = from; i < to; i++) moves[i - from] = Moved(_ring, _cases[i]);
                _slices[slice].SetResult(moves);
            }
            catch (Exception e)
            {
                _slices[slice].SetException(e);
            }
            return true;
        }
    }

    // A command made once and run for many cases with new values: the engine parses its statement once.
    private static DbCommand Command(DbConnection connection, DbTransaction tx, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = DbType.String;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    private static Task<int> ExecuteAsync(DbCommand command, CancellationToken ct, params string?[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = (object?)values[i] ?? DBNull.Value;
        return command.ExecuteNonQueryAsync(ct);
    }
}
