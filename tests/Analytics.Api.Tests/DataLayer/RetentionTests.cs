using Analytics.Core.Pseudonymisation;
using Analytics.Core.Synthetic;
using Analytics.Data.Cases;
using Analytics.Data.Ingestion;
using Dapper;

namespace Analytics.Api.Tests.DataLayer;

[Dialect("sqlite")]
public sealed class SqliteRetentionTests : RetentionTests<SqliteDataLayerDatabase>;

[Dialect("postgres")]
public sealed class PostgresRetentionTests : RetentionTests<PostgresDataLayerDatabase>;

[Dialect("sqlserver")]
public sealed class SqlServerRetentionTests : RetentionTests<SqlServerDataLayerDatabase>;

/// <summary>Erasing withdrawn cases past their retention, on each dialect; each test has a database of its own.</summary>
public abstract class RetentionTests<TDatabase> where TDatabase : DataLayerDatabase, new()
{
    private static readonly CancellationToken None = CancellationToken.None;

    [DialectFact]
    public async Task EraseWithdrawn_TakesOnlyCasesWithdrawnBeforeTheCutOff_WithEverythingHeldOfThem()
    {
        await using var database = await DataLayerDatabase.FreshAsync<TDatabase>();
        var db = database.Db;
        var ring = new KeyRing(new PseudonymisationKey("k1", Enumerable.Repeat((byte)1, 32).ToArray()));
        var ingestion = new CaseIngestion(new CasePseudonymiser(ring), TimeProvider.System);
        var generated = new CaseGenerator(new GeneratorOptions { Seed = 31, Count = 8 }).Run().Cases;
        var writes = generated.Select(c => ingestion.Prepare(c.Case, null).Case!.Write).ToList();
        var store = new CaseStore(db, ring);
        var ids = (await store.UpsertAsync(writes, None)).Select(r => r.CaseId).ToList();
        foreach (var id in ids.Take(5)) Assert.True(await store.WithdrawAsync(id, None));
        await using var connection = await db.OpenAsync(None);
        // Three withdrawn long ago, two just now; three still active.
        await connection.ExecuteAsync(new CommandDefinition($"UPDATE cases SET updated_at = '2020-01-01T00:00:00.0000000+00:00' WHERE {db.Dialect.InList("id", "@Ids")}",
            new { Ids = ids.Take(3).ToArray() }));
        var cutOff = DateTimeOffset.UtcNow.AddDays(-90);

        var first = await store.EraseWithdrawnAsync(cutOff, 2, None);
        var second = await store.EraseWithdrawnAsync(cutOff, 2, None);
        var third = await store.EraseWithdrawnAsync(cutOff, 2, None);

        Assert.Equal((2, 1, 0), (first, second, third));
        var left = (await connection.QueryAsync<string>(new CommandDefinition("SELECT id FROM cases"))).Order(StringComparer.Ordinal);
        Assert.Equal(ids.Skip(3).Order(StringComparer.Ordinal), left);
        foreach (var table in new[] { "case_documents", "case_tokens" })
        {
            var orphans = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT COUNT(*) FROM {table} WHERE {db.Dialect.InList("case_id", "@Ids")}", new { Ids = ids.Take(3).ToArray() }));
            Assert.Equal(0L, orphans);
        }
        Assert.Equal(5L, await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM case_documents")));

        // Submitted again, an erased case is a new case; a recently withdrawn one comes back under its id.
        var again = await store.UpsertAsync([writes[0], writes[4]], None);
        Assert.Equal(WriteOutcome.Created, again[0].Outcome);
        Assert.NotEqual(ids[0], again[0].CaseId);
        Assert.Equal((ids[4], WriteOutcome.Updated), (again[1].CaseId, again[1].Outcome));
    }
}
