using System.Text.Json;
using Analytics.Core.Cases;
using Analytics.Data.Database;
using Dapper;

namespace Analytics.Data.Patterns;

public sealed record ProfileRow(string CaseId, CaseProfile Profile);

public sealed record PatternAssignment(string CaseId, int PatternId, double Distance);

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

    /// <summary>
    /// Every active case's narrow profile, ordered by the profile itself: ids are random, so ordering by content is what makes
    /// training on the same data reproducible in any database and under any key.
    /// </summary>
    public async Task<IReadOnlyList<ProfileRow>> ActiveProfilesAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string Id, string Profile)>(new CommandDefinition(
            "SELECT id, profile FROM cases WHERE status = 'active' ORDER BY profile, id", cancellationToken: ct));
        return rows.Select(r => new ProfileRow(r.Id, JsonSerializer.Deserialize<CaseProfile>(r.Profile, Json)!)).ToList();
    }

    private const string Unassigned = """
        SELECT c.id, c.profile FROM cases c
        LEFT JOIN case_patterns p ON p.case_id = c.id
        WHERE c.status = 'active' AND (p.case_id IS NULL OR p.model_version <> @version)
        ORDER BY c.id
        """;

    /// <summary>Up to <paramref name="limit"/> active cases not yet assigned under <paramref name="version"/>.</summary>
    public async Task<IReadOnlyList<ProfileRow>> UnassignedAsync(string version, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string Id, string Profile)>(new CommandDefinition(
            db.Dialect.Page(Unassigned, "0", "@limit"), new { version, limit }, cancellationToken: ct));
        return rows.Select(r => new ProfileRow(r.Id, JsonSerializer.Deserialize<CaseProfile>(r.Profile, Json)!)).ToList();
    }

    public async Task SaveAssignmentsAsync(string version, IReadOnlyList<PatternAssignment> assignments, CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM case_patterns WHERE case_id = @CaseId", assignments, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO case_patterns (case_id, model_version, pattern_id, distance) VALUES (@CaseId, @Version, @PatternId, @Distance)",
                assignments.Select(a => new { a.CaseId, Version = version, a.PatternId, a.Distance }), tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
        }
        finally
        {
            db.WriteGate.Release();
        }
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
            await using var connection = await db.OpenAsync(ct);
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

    public async Task<IReadOnlyList<PatternMonthlyRow>> MonthlyAsync(string version, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<PatternMonthlyRow>(new CommandDefinition(
            "SELECT pattern_id AS PatternId, month AS Month, jurisdiction AS Jurisdiction, cases AS Cases FROM pattern_monthly WHERE model_version = @version",
            new { version }, cancellationToken: ct))).AsList();
    }
}
