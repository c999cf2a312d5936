using System.Data.Common;
using System.Text;
using Analytics.Core.Pseudonymisation;
using Analytics.Data.Database;
using Analytics.Data.Pseudonymisation;
using Dapper;

namespace Analytics.Data.Cases;

/// <summary>
/// A pseudonymised case ready to be written: everything here is already free of raw identifiers. The profile and the
/// canonical record are kept as UTF-8 (half the size of .NET strings): a batch holds thousands of these until its commit.
/// </summary>
public sealed record CaseWrite(
    string Jurisdiction,
    string Authority,
    string CaseRefToken,
    string KeyId,
    string Stage,
    string? PeriodFrom,
    string? PeriodTo,
    int VictimCount,
    int SuspectCount,
    byte[] ProfileUtf8,
    byte[] RecordUtf8,
    string RecordHash,
    IReadOnlyList<string> Tokens)
{
    public CaseWrite(string jurisdiction, string authority, string caseRefToken, string keyId, string stage, string? periodFrom,
        string? periodTo, int victimCount, int suspectCount, string profile, string record, string recordHash, IReadOnlyList<string> tokens)
        : this(jurisdiction, authority, caseRefToken, keyId, stage, periodFrom, periodTo, victimCount, suspectCount,
            Encoding.UTF8.GetBytes(profile), Encoding.UTF8.GetBytes(record), recordHash, tokens)
    {
    }

    /// <summary>The case's distinct identifier tokens, kept packed as UTF-8 and decoded when read.</summary>
    public IReadOnlyList<string> Tokens { get; init; } = PackedStrings.From(Tokens);

    /// <summary>
    /// The case reference's token under each prefix of the key ring, oldest first (the last is <see cref="CaseRefToken"/>);
    /// empty while the ring has one key. While stored cases are moved to a new key, a case still stored under an earlier
    /// one is found by these and moved first (<see cref="Pseudonymisation.KeyRingStore"/>).
    /// </summary>
    public IReadOnlyList<string> CaseRefGenerations { get; init; } = [];

    /// <summary>The case profile's JSON, decoded on each call (when its row is bound).</summary>
    public string Profile => Encoding.UTF8.GetString(ProfileUtf8);

    /// <summary>The canonical record's JSON, decoded on each call (when its row is bound).</summary>
    public string Record => Encoding.UTF8.GetString(RecordUtf8);
}

/// <summary>
/// A read-only list of strings kept as one UTF-8 buffer and their end offsets: a dozen tokens take about a quarter of the
/// memory of a list of strings. Each read decodes a new string.
/// </summary>
public sealed class PackedStrings : IReadOnlyList<string>
{
    private readonly byte[] _bytes;
    private readonly int[] _ends;

    private PackedStrings(byte[] bytes, int[] ends) => (_bytes, _ends) = (bytes, ends);

    public static IReadOnlyList<string> From(IReadOnlyList<string> strings)
    {
        ArgumentNullException.ThrowIfNull(strings);
        if (strings is PackedStrings packed) return packed;
        var ends = new int[strings.Count];
        var length = 0;
        for (var i = 0; i < strings.Count; i++) ends[i] = length += Encoding.UTF8.GetByteCount(strings[i]);
        var bytes = new byte[length];
        for (int i = 0, at = 0; i < strings.Count; i++) at += Encoding.UTF8.GetBytes(strings[i], bytes.AsSpan(at));
        return new PackedStrings(bytes, ends);
    }

    public int Count => _ends.Length;

    public string this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_ends.Length) throw new ArgumentOutOfRangeException(nameof(index));
            var start = index == 0 ? 0 : _ends[index - 1];
            return Encoding.UTF8.GetString(_bytes, start, _ends[index] - start);
        }
    }

    public IEnumerator<string> GetEnumerator()
    {
        for (var i = 0; i < _ends.Length; i++) yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

public enum WriteOutcome { Created, Updated, Unchanged }

public sealed record WriteResult(string CaseId, WriteOutcome Outcome, int Version);

public sealed class StoredCaseRow
{
    public string Id { get; set; } = "";
    public string Jurisdiction { get; set; } = "";
    public string Authority { get; set; } = "";
    public string CaseRefToken { get; set; } = "";
    public string Status { get; set; } = "";
    public int Version { get; set; }
    public string RecordHash { get; set; } = "";
    public string SubmittedAt { get; set; } = "";
    public string UpdatedAt { get; set; } = "";
    public string Record { get; set; } = "";
}

/// <summary>Writes and reads pseudonymised cases. Upserts on (authority, case reference token).</summary>
/// <param name="keys">The node's key ring, with which a case still stored under an earlier key is moved to the active one when it is written; none: such a write is refused.</param>
public sealed class CaseStore(Db db, KeyRing? keys = null)
{
    private const string FindByReference = """
        SELECT id AS Id, record_hash AS RecordHash, status AS Status, version AS Version
        FROM cases WHERE authority = @Authority AND case_ref_token = @CaseRefToken
        """;

    // Inserted unless the (authority, reference) exists: a concurrent writer that got there first is then updated instead.
    private const string InsertCaseColumns = """
        id, jurisdiction, authority, case_ref_token, key_id, stage, period_from, period_to,
        victim_count, suspect_count, profile, status, version, record_hash, submitted_at, updated_at
        """;

    private const string InsertCaseValues = """
        @Id, @Jurisdiction, @Authority, @CaseRefToken, @KeyId, @Stage, @PeriodFrom, @PeriodTo,
        @VictimCount, @SuspectCount, @Profile, 'active', 1, @RecordHash, @Now, @Now
        """;

    private const string UpdateCase = """
        UPDATE cases SET key_id = @KeyId, stage = @Stage, period_from = @PeriodFrom, period_to = @PeriodTo,
               victim_count = @VictimCount, suspect_count = @SuspectCount, profile = @Profile, status = 'active',
               version = version + 1, record_hash = @RecordHash, updated_at = @Now
        WHERE id = @Id
        """;

    private sealed class ExistingRow
    {
        public string Id { get; set; } = "";
        public string RecordHash { get; set; } = "";
        public string Status { get; set; } = "";
        public int Version { get; set; }
    }

    private const string InsertDocument = "INSERT INTO case_documents (case_id, record) VALUES (@Id, @Record)";
    private const string UpdateDocument = "UPDATE case_documents SET record = @Record WHERE case_id = @Id";
    private const string DeleteTokens = "DELETE FROM case_tokens WHERE case_id = @Id";

    // A corrected or withdrawn case loses its pattern: the assignment job gives a corrected one the pattern of its new profile.
    private const string DeleteAssignment = "DELETE FROM case_patterns WHERE case_id = @Id";

    /// <summary>
    /// Writes a group of cases in one transaction: all or none. Returns one result per input, in order.
    /// A single case is queued for the next group commit: single-case writers that arrive while another group commits
    /// share one transaction, yet each gets its own result, and a failure in a shared
    /// transaction is retried case by case so one bad write never takes the others' down with it.
    /// </summary>
    public async Task<IReadOnlyList<WriteResult>> UpsertAsync(IReadOnlyList<CaseWrite> cases, CancellationToken ct)
    {
        if (cases.Count == 0) return [];
        if (cases.Count == 1) return [await UpsertSingleAsync(cases[0], ct)];
        await db.WriteGate.WaitAsync(ct);
        try
        {
            return await WriteTransactionAsync(cases, ct);
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    /// <summary>Most single-case writes one group commit takes; bounds the time the gate is held.</summary>
    public const int MaxGroupCommit = 256;

    private sealed class PendingWrite(CaseWrite write)
    {
        public CaseWrite Write { get; } = write;
        public TaskCompletionSource<WriteResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Queue<PendingWrite> _pending = new();

    // Single-case writes commit in turns, each turn taking every write queued meanwhile. On SQLite the turns are the
    // database's write gate. Where writers run concurrently they are this process's own: without them each request
    // would pay a transaction, its lock and its round trips alone, and requests arriving together would seldom share
    // one. Batches, corrections and withdrawals do not wait for these turns, and other nodes take turns of their own.
    private readonly WriteGate _turns = db.Dialect.SingleWriter ? db.WriteGate : new WriteGate(serialise: true);

    private async Task<WriteResult> UpsertSingleAsync(CaseWrite write, CancellationToken ct)
    {
        var mine = new PendingWrite(write);
        lock (_pending) _pending.Enqueue(mine);
        try
        {
            await _turns.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // Still queued: nobody will write it. Already taken by a group: it is being written; wait for the outcome.
            lock (_pending)
            {
                if (_pending.Contains(mine))
                {
                    var keep = _pending.Where(p => p != mine).ToList();
                    _pending.Clear();
                    foreach (var p in keep) _pending.Enqueue(p);
                    throw;
                }
            }
            return await mine.Result.Task;
        }
        try
        {
            // A writer before us may have taken our case into its group already.
            if (!mine.Result.Task.IsCompleted)
            {
                List<PendingWrite> group;
                lock (_pending)
                {
                    group = new List<PendingWrite>(Math.Min(_pending.Count, MaxGroupCommit));
                    while (group.Count < MaxGroupCommit && _pending.TryDequeue(out var next)) group.Add(next);
                }
                await CommitGroupAsync(group);
            }
        }
        finally
        {
            _turns.Release();
        }
        return await mine.Result.Task;
    }

    // The group belongs to several requests: no single request's cancellation may abort it.
    private async Task CommitGroupAsync(List<PendingWrite> group)
    {
        if (group.Count == 0) return;
        try
        {
            var results = await WriteTransactionAsync(group.Select(p => p.Write).ToList(), CancellationToken.None);
            for (var i = 0; i < group.Count; i++) group[i].Result.TrySetResult(results[i]);
            return;
        }
        catch (Exception) when (group.Count > 1)
        {
            // Rolled back as a whole; write each case alone so that only the failing one reports the failure.
        }
        catch (Exception e)
        {
            group[0].Result.TrySetException(e);
            return;
        }
        foreach (var p in group)
        {
            try
            {
                p.Result.TrySetResult((await WriteTransactionAsync([p.Write], CancellationToken.None))[0]);
            }
            catch (Exception e)
            {
                p.Result.TrySetException(e);
            }
        }
    }

    // Caller holds the write gate (where the database has a single writer).
    private async Task<IReadOnlyList<WriteResult>> WriteTransactionAsync(IReadOnlyList<CaseWrite> cases, CancellationToken ct)
    {
        await using var connection = await db.OpenWriterAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Any case of the group may exist already and be corrected here: the link run must not write between its look and its commit.
        await CaseChangeLock.ShareAsync(connection, tx, db.Dialect, ct);
        await KeyRingStore.CheckWriteAsync(connection, tx, db.Dialect, keys, cases, ct);
        await using var commands = new WriteCommands(connection, tx, db.Dialect);
        var now = DateTimeOffset.UtcNow.ToString("O");
        // Ids of new cases follow the submission order whatever order the rows are written in.
        var newIds = cases.Select(_ => Guid.CreateVersion7().ToString()).ToArray();
        var results = new WriteResult?[cases.Count];
        var order = WriteOrder(cases, db.Dialect).ToList();
        if (cases.Count >= BulkThreshold) await CreateInBulkAsync(connection, tx, cases, order, newIds, now, results, ct);
        // Everything the bulk path did not create: existing cases, repeats within the batch, or every case of a small batch.
        foreach (var i in order)
            results[i] ??= await UpsertOneAsync(commands, cases[i], newIds[i], now, ct);
        await tx.CommitAsync(ct);
        return results!;
    }

    /// <summary>
    /// Batches of at least this many cases create their new cases through the engine's bulk path (arrays or COPY,
    /// SqlBulkCopy, or SQLite's prepared statements) before the row-by-row upsert handles the rest; the dialect's
    /// <see cref="ISqlDialect.BulkWriteFrom"/> by default. Settable so that a benchmark can compare both paths.
    /// </summary>
    public int BulkThreshold { get; init; } = db.Dialect.BulkWriteFrom;

    private static readonly string[] BulkCaseColumns =
        ["id", "jurisdiction", "authority", "case_ref_token", "key_id", "stage", "period_from", "period_to",
         "victim_count", "suspect_count", "profile", "status", "version", "record_hash", "submitted_at", "updated_at"];

    /// <summary>
    /// Inserts the first occurrence of every case of the batch in one bulk statement that skips (authority, reference)
    /// pairs already stored, then the documents and tokens of the cases it did insert. The skipped ones (existing cases,
    /// or cases a concurrent writer stored first) are left to the row-by-row upsert, which updates them under a row lock,
    /// so the outcome is the same as writing every case one by one: one row per case, never a duplicate.
    /// </summary>
    private async Task CreateInBulkAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<CaseWrite> cases, IReadOnlyList<int> order,
        string[] newIds, string now, WriteResult?[] results, CancellationToken ct)
    {
        var seen = new HashSet<(string, string)>();
        var firsts = order.Where(i => seen.Add((cases[i].Authority, cases[i].CaseRefToken))).ToList();
        // Cases already stored (a replayed or corrected batch) skip the staging: the upsert below reads them anyway.
        var stored = await StoredKeysAsync(connection, tx, firsts.Select(i => (cases[i].Authority, cases[i].CaseRefToken)).ToList(), ct);
        firsts.RemoveAll(i => stored.Contains((cases[i].Authority, cases[i].CaseRefToken)));
        if (firsts.Count == 0) return;
        // Rows are built as the engine reads them, and profiles and records stay UTF-8 (SQLite binds the bytes; the other
        // engines decode each one as they read it), so the decoded texts of a large batch are never all alive at once.
        var rows = new ProjectedRows(firsts.Count, r =>
        {
            var (i, c) = (firsts[r], cases[firsts[r]]);
            return
            [
                newIds[i], c.Jurisdiction, c.Authority, c.CaseRefToken, c.KeyId, c.Stage, c.PeriodFrom, c.PeriodTo,
                c.VictimCount, c.SuspectCount, new Utf8Text(c.ProfileUtf8), "active", 1, c.RecordHash, now, now,
            ];
        });
        var inserted = (await db.Dialect.BulkInsertAsync(connection, tx,
            new BulkInsert("cases", BulkCaseColumns, ["authority", "case_ref_token"], "id", rows), ct)).ToHashSet(StringComparer.Ordinal);
        var created = firsts.Where(i => inserted.Contains(newIds[i])).ToList();
        if (created.Count == 0) return;
        await db.Dialect.BulkInsertAsync(connection, tx, new BulkInsert("case_documents", ["case_id", "record"], ["case_id"], null,
            new ProjectedRows(created.Count, r => [newIds[created[r]], new Utf8Text(cases[created[r]].RecordUtf8)])), ct);
        await db.Dialect.BulkInsertAsync(connection, tx, new BulkInsert("case_tokens", ["token", "case_id", "type"], ["case_id", "token"], null,
            created.SelectMany(i => cases[i].Tokens.Distinct(StringComparer.Ordinal).Select(t => new object?[] { t, newIds[i], t[..t.IndexOf(':')] })).ToList()), ct);
        foreach (var i in created) results[i] = new WriteResult(newIds[i], WriteOutcome.Created, 1);
    }

    // SQL Server takes at most 2,100 parameters per command, and Dapper binds a list there as one parameter per value.
    private const int LookupChunk = 1_000;

    /// <summary>Which (authority, reference) pairs are stored, read through the unique index (authority first) per authority.</summary>
    private async Task<HashSet<(string, string)>> StoredKeysAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<(string Authority, string Reference)> keys, CancellationToken ct)
    {
        var sql = $"SELECT authority, case_ref_token FROM cases WHERE authority = @Authority AND {db.Dialect.InManyValues("case_ref_token", "@References")}";
        var stored = new HashSet<(string, string)>();
        foreach (var authority in keys.GroupBy(k => k.Authority, StringComparer.Ordinal))
        {
            foreach (var chunk in authority.Select(k => k.Reference).Chunk(LookupChunk))
            {
                // The list's value depends on the engine (a list, an array or JSON text): bound by its runtime type.
                var parameters = new DynamicParameters();
                parameters.Add("Authority", authority.Key);
                parameters.Add("References", db.Dialect.ManyValues(chunk));
                var rows = await connection.QueryAsync<(string Authority, string Reference)>(
                    new CommandDefinition(sql, parameters, tx, cancellationToken: ct));
                foreach (var row in rows) stored.Add(row);
            }
        }
        return stored;
    }

    /// <summary>
    /// Where writers run concurrently, every transaction locks case rows in the same (authority, reference) order, so two
    /// batches that share cases wait for each other instead of deadlocking. The sort is stable: a case sent twice in one
    /// batch is still written in submission order.
    /// </summary>
    private static IEnumerable<int> WriteOrder(IReadOnlyList<CaseWrite> cases, ISqlDialect dialect)
    {
        var order = Enumerable.Range(0, cases.Count);
        return dialect.SingleWriter
            ? order
            : order.OrderBy(i => cases[i].Authority, StringComparer.Ordinal).ThenBy(i => cases[i].CaseRefToken, StringComparer.Ordinal);
    }

    /// <summary>
    /// The statements of an upsert, created once per transaction and re-executed for every case in it, so a
    /// batch parses each statement once instead of once per case (and once per token).
    /// </summary>
    private sealed class WriteCommands : IAsyncDisposable
    {
        public WriteCommands(DbConnection connection, DbTransaction tx, ISqlDialect dialect)
        {
            DbCommand Make(string sql, params string[] names)
            {
                var command = connection.CreateCommand();
                command.Transaction = tx;
                command.CommandText = sql;
                foreach (var name in names)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = "@" + name;
                    command.Parameters.Add(parameter);
                }
                return command;
            }

            Find = Make(dialect.ForUpdate(FindByReference), "Authority", "CaseRefToken");
            InsertCase = Make(dialect.InsertIgnore("cases", CaseStore.InsertCaseColumns, CaseStore.InsertCaseValues, "authority, case_ref_token"), CaseColumns);
            UpdateCase = Make(CaseStore.UpdateCase, "Id", "KeyId", "Stage", "PeriodFrom", "PeriodTo", "VictimCount", "SuspectCount", "Profile", "RecordHash", "Now");
            InsertDocument = Make(CaseStore.InsertDocument, "Id", "Record");
            UpdateDocument = Make(CaseStore.UpdateDocument, "Id", "Record");
            DeleteTokens = Make(CaseStore.DeleteTokens, "Id");
            DeleteAssignment = Make(CaseStore.DeleteAssignment, "Id");
            InsertToken = Make(dialect.InsertIgnore("case_tokens", "token, case_id, type", "@Token, @CaseId, @Type", "case_id, token"), "Token", "CaseId", "Type");
            var tokens = dialect.InsertIgnoreFromArrays("case_tokens", ["token", "type"], "case_id", "case_id, token");
            InsertTokens = tokens is null ? null : Make(tokens, "token", "type", "case_id");
        }

        public static readonly string[] CaseColumns =
            ["Id", "Jurisdiction", "Authority", "CaseRefToken", "KeyId", "Stage", "PeriodFrom", "PeriodTo", "VictimCount", "SuspectCount", "Profile", "RecordHash", "Now"];

        public DbCommand Find { get; }
        public DbCommand InsertCase { get; }
        public DbCommand UpdateCase { get; }
        public DbCommand InsertDocument { get; }
        public DbCommand UpdateDocument { get; }
        public DbCommand DeleteTokens { get; }
        public DbCommand DeleteAssignment { get; }
        public DbCommand InsertToken { get; }

        /// <summary>All of a case's tokens in one statement (token array, type array, case id), where the engine has one.</summary>
        public DbCommand? InsertTokens { get; }

        public static void Bind(DbCommand command, params object?[] values)
        {
            for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in new[] { Find, InsertCase, UpdateCase, InsertDocument, UpdateDocument, DeleteTokens, DeleteAssignment, InsertToken, InsertTokens })
                if (command is not null) await command.DisposeAsync();
        }
    }

    // found: the case's row as this transaction has already read (and locked) it, so that it is not read twice.
    private static async Task<WriteResult> UpsertOneAsync(WriteCommands commands, CaseWrite c, string newId, string now, CancellationToken ct,
        ExistingRow? found = null)
    {
        var existing = found ?? await FindAsync(commands, c, ct);
        if (existing is { } e && e.RecordHash == c.RecordHash && e.Status == "active")
            return new WriteResult(e.Id, WriteOutcome.Unchanged, e.Version);

        var id = existing?.Id ?? newId;
        if (existing is null)
        {
            WriteCommands.Bind(commands.InsertCase, id, c.Jurisdiction, c.Authority, c.CaseRefToken, c.KeyId, c.Stage, c.PeriodFrom, c.PeriodTo,
                c.VictimCount, c.SuspectCount, c.Profile, c.RecordHash, now);
            if (await commands.InsertCase.ExecuteNonQueryAsync(ct) == 0)
            {
                // A concurrent writer committed the same case after our look-up (only where writers run concurrently):
                // it is now an existing case, read (and locked) afresh.
                existing = await FindAsync(commands, c, ct) ?? throw new InvalidOperationException("The case vanished while it was being written.");
                if (existing.RecordHash == c.RecordHash && existing.Status == "active")
                    return new WriteResult(existing.Id, WriteOutcome.Unchanged, existing.Version);
                id = existing.Id;
            }
            else
            {
                WriteCommands.Bind(commands.InsertDocument, id, c.Record);
                await commands.InsertDocument.ExecuteNonQueryAsync(ct);
            }
        }
        if (existing is not null)
        {
            WriteCommands.Bind(commands.UpdateCase, id, c.KeyId, c.Stage, c.PeriodFrom, c.PeriodTo, c.VictimCount, c.SuspectCount, c.Profile, c.RecordHash, now);
            await commands.UpdateCase.ExecuteNonQueryAsync(ct);
            WriteCommands.Bind(commands.UpdateDocument, id, c.Record);
            await commands.UpdateDocument.ExecuteNonQueryAsync(ct);
            WriteCommands.Bind(commands.DeleteTokens, id);
            await commands.DeleteTokens.ExecuteNonQueryAsync(ct);
            WriteCommands.Bind(commands.DeleteAssignment, id);
            await commands.DeleteAssignment.ExecuteNonQueryAsync(ct);
        }

        if (commands.InsertTokens is { } insertTokens)
        {
            var tokens = c.Tokens.Distinct(StringComparer.Ordinal).ToArray();
            if (tokens.Length > 0)
            {
                WriteCommands.Bind(insertTokens, tokens, tokens.Select(t => t[..t.IndexOf(':')]).ToArray(), id);
                await insertTokens.ExecuteNonQueryAsync(ct);
            }
        }
        else
        {
            foreach (var token in c.Tokens)
            {
                WriteCommands.Bind(commands.InsertToken, token, id, token[..token.IndexOf(':')]);
                await commands.InsertToken.ExecuteNonQueryAsync(ct);
            }
        }

        return new WriteResult(id, existing is null ? WriteOutcome.Created : WriteOutcome.Updated, (existing?.Version ?? 0) + 1);
    }

    private static async Task<ExistingRow?> FindAsync(WriteCommands commands, CaseWrite c, CancellationToken ct)
    {
        ExistingRow? existing = null;
        WriteCommands.Bind(commands.Find, c.Authority, c.CaseRefToken);
        await using (var reader = await commands.Find.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                existing = new ExistingRow
                {
                    Id = reader.GetString(0),
                    RecordHash = reader.GetString(1),
                    Status = reader.GetString(2),
                    Version = reader.GetInt32(3),
                };
                if (await reader.ReadAsync(ct)) throw new InvalidOperationException("Sequence contains more than one element");
            }
        }
        return existing;
    }

    /// <summary>
    /// Writes the correction of a stored case in one transaction with the check that the case is still active. Null, and
    /// nothing written, when it is not: a correction that read the case before a withdrawal was written does not bring the
    /// case back.
    /// </summary>
    public async Task<WriteResult?> CorrectAsync(CaseWrite write, CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await CaseChangeLock.ShareAsync(connection, tx, db.Dialect, ct);
            await KeyRingStore.CheckWriteAsync(connection, tx, db.Dialect, keys, [write], ct);
            await using var commands = new WriteCommands(connection, tx, db.Dialect);
            // Read under a row lock where writers run concurrently, so a withdrawal cannot come between the check and the write.
            if (await FindAsync(commands, write, ct) is not { Status: "active" } existing) return null;
            var result = await UpsertOneAsync(commands, write, existing.Id, DateTimeOffset.UtcNow.ToString("O"), ct, existing);
            await tx.CommitAsync(ct);
            return result;
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    private const string SelectCase = """
        SELECT c.id AS Id, c.jurisdiction AS Jurisdiction, c.authority AS Authority, c.case_ref_token AS CaseRefToken, c.status AS Status, c.version AS Version,
               c.record_hash AS RecordHash, c.submitted_at AS SubmittedAt, c.updated_at AS UpdatedAt, d.record AS Record
        FROM cases c JOIN case_documents d ON d.case_id = c.id
        WHERE c.id = @Id
        """;

    public async Task<StoredCaseRow?> FindAsync(string id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<StoredCaseRow>(new CommandDefinition(SelectCase, new { Id = id }, cancellationToken: ct));
    }

    private const string Withdraw = """
        UPDATE cases SET status = 'withdrawn', version = version + 1, updated_at = @Now
        WHERE id = @Id AND status = 'active'
        """;

    /// <summary>Withdraws a case: it leaves every aggregate and link; its tokens and its pattern are dropped.</summary>
    public async Task<bool> WithdrawAsync(string id, CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await CaseChangeLock.ShareAsync(connection, tx, db.Dialect, ct);
            var changed = await connection.ExecuteAsync(new CommandDefinition(Withdraw, new { Id = id, Now = DateTimeOffset.UtcNow.ToString("O") }, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(DeleteTokens, new { Id = id }, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(DeleteAssignment, new { Id = id }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return changed == 1;
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    // Every table that holds rows of a case; the case row itself goes last.
    private static readonly string[] CaseTables = ["case_documents", "case_tokens", "case_patterns", "case_links", "link_alert_seen", "link_alerts"];

    /// <summary>
    /// Retention: erases up to <paramref name="batchSize"/> cases withdrawn before <paramref name="withdrawnBefore"/>: the case
    /// row, its stored record and everything else held of it, in one transaction. A case submitted again meanwhile is
    /// active, so it is not taken; one submitted again later is stored as a new case. Returns how many were erased.
    /// </summary>
    public async Task<int> EraseWithdrawnAsync(DateTimeOffset withdrawnBefore, int batchSize, CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await CaseChangeLock.ShareAsync(connection, tx, db.Dialect, ct);
            // Locked where writers run concurrently: a submission of the same case waits, then finds it gone and stores it anew.
            var ids = (await connection.QueryAsync<string>(new CommandDefinition(db.Dialect.ForUpdate(db.Dialect.Page(
                "SELECT id FROM cases WHERE status = 'withdrawn' AND updated_at < @Before ORDER BY id", "0", "@Limit")),
                new { Before = withdrawnBefore.ToUniversalTime().ToString("O"), Limit = batchSize }, tx, cancellationToken: ct))).AsList();
            if (ids.Count == 0) return 0;
            foreach (var table in CaseTables)
                await connection.ExecuteAsync(new CommandDefinition($"DELETE FROM {table} WHERE {db.Dialect.InList("case_id", "@Ids")}",
                    new { Ids = ids }, tx, cancellationToken: ct));
            var erased = await connection.ExecuteAsync(new CommandDefinition($"DELETE FROM cases WHERE {db.Dialect.InList("id", "@Ids")}",
                new { Ids = ids }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return erased;
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    public sealed class CaseSummaryRow
    {
        public string Id { get; set; } = "";
        public string Status { get; set; } = "";
        public int Version { get; set; }
        public string UpdatedAt { get; set; } = "";
    }

    private const string ListByAuthority = """
        SELECT id AS Id, status AS Status, version AS Version, updated_at AS UpdatedAt
        FROM cases WHERE authority = @Authority AND id > @After
        ORDER BY id
        """;

    /// <summary>Keyset-paged list of one authority's cases.</summary>
    public async Task<IReadOnlyList<CaseSummaryRow>> ListAsync(string authority, string? after, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var sql = db.Dialect.Page(ListByAuthority, "0", "@Limit");
        var rows = await connection.QueryAsync<CaseSummaryRow>(new CommandDefinition(sql, new { Authority = authority, After = after ?? "", Limit = limit }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<long> CountAsync(string status, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM cases WHERE status = @status", new { status }, cancellationToken: ct));
    }
}
