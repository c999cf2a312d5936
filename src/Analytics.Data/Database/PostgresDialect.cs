using System.Data.Common;
using Npgsql;

namespace Analytics.Data.Database;

public sealed class PostgresDialect : ISqlDialect
{
    // Any fixed 64-bit number shared by every node: the advisory lock that serialises migration runs.
    private const long MigrationLockKey = 0x616E616C79746963; // "analytic"

    public string Name => "postgres";

    public bool SingleWriter => false;

    public DbConnection CreateConnection(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = true };
        // Session settings travel in the startup packet, so a pooled open costs no extra round trip:
        // lock waits are bounded like SQLite's busy_timeout, and the session speaks UTC.
        if (string.IsNullOrEmpty(builder.Options)) builder.Options = "-c lock_timeout=30000";
        if (string.IsNullOrEmpty(builder.Timezone)) builder.Timezone = "UTC";
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "analytics";
        return new NpgsqlConnection(builder.ConnectionString);
    }

    public Task PrepareAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    public string Page(string orderedSql, string offsetParam, string limitParam) =>
        $"{orderedSql} LIMIT {limitParam} OFFSET {offsetParam}";

    public string InsertIgnore(string table, string columns, string values, string keyColumns) =>
        $"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT ({keyColumns}) DO NOTHING";

    public string InList(string column, string listParam) => $"{column} = ANY({listParam})";

    public string ForUpdate(string selectSql) => $"{selectSql} FOR UPDATE";

    public async Task<IAsyncDisposable> LockMigrationsAsync(DbConnection connection, CancellationToken ct)
    {
        await using (var command = connection.CreateCommand())
        {
            // Another node may be migrating: wait for it longer than an ordinary lock wait.
            command.CommandText = $"SET lock_timeout = '5min'; SELECT pg_advisory_lock({MigrationLockKey})";
            await command.ExecuteNonQueryAsync(ct);
        }
        return new AdvisoryLock(connection);
    }

    private sealed class AdvisoryLock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT pg_advisory_unlock({MigrationLockKey}); RESET lock_timeout";
            await command.ExecuteNonQueryAsync();
        }
    }
}
