using System.Data.Common;
using Analytics.Data.Database;
using Microsoft.Data.Sqlite;

namespace Analytics.Api.Tests.DataLayer;

/// <summary>
/// The SQLite session settings run once per SQLite handle: a pooled connection opened again must still carry every one of
/// them, and a new handle (after the pool is cleared) must get them afresh.
/// </summary>
public sealed class SqliteDialectTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("analytics-dialect-tests-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task ReopenedPooledConnection_KeepsWalForeignKeysSynchronousAndBusyTimeout()
    {
        var db = new Db(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(_dir, "sub", "a.db")}" });

        object? first;
        await using (var connection = await db.OpenAsync(CancellationToken.None)) first = ((SqliteConnection)connection).Handle;
        await using (var again = await db.OpenAsync(CancellationToken.None))
        {
            Assert.Same(first, ((SqliteConnection)again).Handle);
            await AssertSettingsAsync(again);
        }
    }

    [Fact]
    public async Task NewHandle_AfterThePoolIsCleared_GetsTheSettings()
    {
        var db = new Db(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(_dir, "b.db")}" });
        await using (var connection = await db.OpenAsync(CancellationToken.None)) await AssertSettingsAsync(connection);

        SqliteConnection.ClearAllPools();
        File.Delete(Path.Combine(_dir, "b.db"));
        foreach (var side in Directory.GetFiles(_dir, "b.db-*")) File.Delete(side);

        await using var fresh = await db.OpenAsync(CancellationToken.None);
        await AssertSettingsAsync(fresh);
    }

    [Fact]
    public async Task WriterConnections_ComeFromTheirOwnPool_WithTheWritersCache_ReadersKeepTheDefault()
    {
        var db = new Db(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(_dir, "c.db")}", SqliteWriterCacheMegabytes = 48 });

        object? writerHandle;
        await using (var writer = await db.OpenWriterAsync(CancellationToken.None))
        {
            writerHandle = ((SqliteConnection)writer).Handle;
            await AssertSettingsAsync(writer);
            Assert.Equal((-48 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), await ScalarAsync(writer, "PRAGMA cache_size"));
        }
        await using (var reader = await db.OpenAsync(CancellationToken.None))
        {
            // The writer's pooled handle is not handed to a reader.
            Assert.NotSame(writerHandle, ((SqliteConnection)reader).Handle);
            await AssertSettingsAsync(reader);
            Assert.Equal("-2000", await ScalarAsync(reader, "PRAGMA cache_size"));
        }
        await using (var writerAgain = await db.OpenWriterAsync(CancellationToken.None))
        {
            Assert.Same(writerHandle, ((SqliteConnection)writerAgain).Handle);
            await using var command = writerAgain.CreateCommand();
            command.CommandText = "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);";
            await command.ExecuteNonQueryAsync();
        }
        // Same database file behind both pools.
        await using var check = await db.OpenAsync(CancellationToken.None);
        Assert.Equal("1", await ScalarAsync(check, "SELECT x FROM t"));
    }

    [Fact]
    public async Task WriterCacheZero_LeavesWritersAtTheDefault()
    {
        var db = new Db(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(_dir, "d.db")}", SqliteWriterCacheMegabytes = 0 });
        await using var writer = await db.OpenWriterAsync(CancellationToken.None);
        Assert.Equal("-2000", await ScalarAsync(writer, "PRAGMA cache_size"));
    }

    private static async Task AssertSettingsAsync(DbConnection connection)
    {
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode"));
        Assert.Equal("1", await ScalarAsync(connection, "PRAGMA foreign_keys"));
        Assert.Equal("1", await ScalarAsync(connection, "PRAGMA synchronous"));
        Assert.Equal("30000", await ScalarAsync(connection, "PRAGMA busy_timeout"));
    }

    private static async Task<string?> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
