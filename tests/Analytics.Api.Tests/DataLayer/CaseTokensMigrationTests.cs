using Analytics.Data.Database;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Api.Tests.DataLayer;

/// <summary>The migration that keys case_tokens by case first rebuilds the table: nothing stored before it may be lost.</summary>
public sealed class CaseTokensMigrationTests : IDisposable
{
    private const string Rekey = "2026-11-24-007-case-tokens-by-case";
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"analytics-migration-{Guid.NewGuid():n}.db");

    [Fact]
    public async Task CaseFirstKey_KeepsEveryTokenStoredBefore_AndStillRefusesATokenTwicePerCase()
    {
        await using var db = new Db(new DatabaseOptions { Provider = "sqlite", ConnectionString = $"Data Source={_path}" });
        await using (var connection = await db.OpenAsync(CancellationToken.None))
        {
            // The database as it was before the migration, with two cases that share a token.
            await connection.ExecuteAsync(new CommandDefinition("CREATE TABLE schema_migrations (id VARCHAR(200) NOT NULL PRIMARY KEY, applied_at VARCHAR(40) NOT NULL)"));
            foreach (var (id, sql) in MigrationRunner.Scripts("sqlite").TakeWhile(s => string.CompareOrdinal(s.Id, Rekey) < 0))
            {
                await connection.ExecuteAsync(new CommandDefinition(sql));
                await connection.ExecuteAsync(new CommandDefinition("INSERT INTO schema_migrations (id, applied_at) VALUES (@id, 'then')", new { id }));
            }
            foreach (var id in new[] { "c1", "c2" })
                await connection.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO cases (id, jurisdiction, authority, case_ref_token, key_id, stage, victim_count, suspect_count, profile,
                                       status, version, record_hash, submitted_at, updated_at)
                    VALUES (@id, 'RO', 'RO-A', @id, 'k1', 'investigation', 1, 1, '{}', 'active', 1, 'h', 'then', 'then')
                    """, new { id }));
            await connection.ExecuteAsync(new CommandDefinition("INSERT INTO case_tokens (token, case_id, type) VALUES ('phone:p', 'c1', 'phone'), ('phone:p', 'c2', 'phone'), ('email:e', 'c2', 'email')"));
        }

        var applied = await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None);

        await using var after = await db.OpenAsync(CancellationToken.None);
        var tokens = (await after.QueryAsync<(string, string, string)>(new CommandDefinition("SELECT token, case_id, type FROM case_tokens ORDER BY token, case_id"))).ToList();
        var key = (await after.QueryAsync<string>(new CommandDefinition("SELECT name FROM pragma_index_info((SELECT name FROM pragma_index_list('case_tokens') WHERE origin = 'pk'))"))).ToList();
        var twice = await after.ExecuteAsync(new CommandDefinition("INSERT INTO case_tokens (token, case_id, type) VALUES ('phone:p', 'c1', 'phone') ON CONFLICT (case_id, token) DO NOTHING"));
        Assert.Contains(Rekey, applied);
        Assert.Equal([("email:e", "c2", "email"), ("phone:p", "c1", "phone"), ("phone:p", "c2", "phone")], tokens);
        Assert.Equal(["case_id", "token"], key);
        Assert.Equal(0, twice);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }
}
