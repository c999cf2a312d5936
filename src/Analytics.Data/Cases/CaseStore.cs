using System.Data.Common;
using Analytics.Data.Database;
using Dapper;

namespace Analytics.Data.Cases;

/// <summary>A pseudonymised case ready to be written: everything here is already free of raw identifiers.</summary>
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
    string Profile,
    string Record,
    string RecordHash,
    IReadOnlyList<string> Tokens);

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
public sealed class CaseStore(Db db)
{
    private const string FindByReference = """
        SELECT id AS Id, record_hash AS RecordHash, status AS Status, version AS Version
        FROM cases WHERE authority = @Authority AND case_ref_token = @CaseRefToken
        """;

    private const string InsertCase = """
        INSERT INTO cases (id, jurisdiction, authority, case_ref_token, key_id, stage, period_from, period_to,
                           victim_count, suspect_count, profile, status, version, record_hash, submitted_at, updated_at)
        VALUES (@Id, @Jurisdiction, @Authority, @CaseRefToken, @KeyId, @Stage, @PeriodFrom, @PeriodTo,
                @VictimCount, @SuspectCount, @Profile, 'active', 1, @RecordHash, @Now, @Now)
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

    /// <summary>Writes a group of cases in one transaction: all or none. Returns one result per input, in order.</summary>
    public async Task<IReadOnlyList<WriteResult>> UpsertAsync(IReadOnlyList<CaseWrite> cases, CancellationToken ct)
    {
        if (cases.Count == 0) return [];
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var results = new List<WriteResult>(cases.Count);
            var now = DateTimeOffset.UtcNow.ToString("O");
            foreach (var c in cases)
                results.Add(await UpsertOneAsync(connection, tx, c, now, ct));
            await tx.CommitAsync(ct);
            return results;
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    private async Task<WriteResult> UpsertOneAsync(DbConnection connection, DbTransaction tx, CaseWrite c, string now, CancellationToken ct)
    {
        var existing = await connection.QuerySingleOrDefaultAsync<ExistingRow>(
            new CommandDefinition(FindByReference, new { c.Authority, c.CaseRefToken }, tx, cancellationToken: ct));

        if (existing is { } e && e.RecordHash == c.RecordHash && e.Status == "active")
            return new WriteResult(e.Id, WriteOutcome.Unchanged, e.Version);

        var id = existing?.Id ?? Guid.CreateVersion7().ToString();
        var args = new
        {
            Id = id, c.Jurisdiction, c.Authority, c.CaseRefToken, c.KeyId, c.Stage, c.PeriodFrom, c.PeriodTo,
            c.VictimCount, c.SuspectCount, c.Profile, c.RecordHash, c.Record, Now = now,
        };
        if (existing is null)
        {
            await connection.ExecuteAsync(new CommandDefinition(InsertCase, args, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(InsertDocument, args, tx, cancellationToken: ct));
        }
        else
        {
            await connection.ExecuteAsync(new CommandDefinition(UpdateCase, args, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(UpdateDocument, args, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(DeleteTokens, new { Id = id }, tx, cancellationToken: ct));
        }

        var insertToken = db.Dialect.InsertIgnore("case_tokens", "token, case_id, type", "@Token, @CaseId, @Type", "token, case_id");
        await connection.ExecuteAsync(new CommandDefinition(insertToken,
            c.Tokens.Select(t => new { Token = t, CaseId = id, Type = t[..t.IndexOf(':')] }), tx, cancellationToken: ct));

        return new WriteResult(id, existing is null ? WriteOutcome.Created : WriteOutcome.Updated, (existing?.Version ?? 0) + 1);
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

    /// <summary>Withdraws a case: it leaves every aggregate and link; its tokens are dropped.</summary>
    public async Task<bool> WithdrawAsync(string id, CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var changed = await connection.ExecuteAsync(new CommandDefinition(Withdraw, new { Id = id, Now = DateTimeOffset.UtcNow.ToString("O") }, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(DeleteTokens, new { Id = id }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return changed == 1;
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
