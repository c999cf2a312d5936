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

    private readonly List<Db> _dbs = [];

    // Every Db of a test is disposed before its folder goes: a background checkpoint still running would otherwise
    // reopen the file (and recreate its -wal and -shm) while the folder is being deleted.
    private Db NewDb(DatabaseOptions options)
    {
        var db = new Db(options);
        _dbs.Add(db);
        return db;
    }

    public void Dispose()
    {
        foreach (var db in _dbs) db.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task ReopenedPooledConnection_KeepsWalForeignKeysSynchronousAndBusyTimeout()
    {
        var db = NewDb(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(_dir, "sub", "a.db")}" });

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
        var db = NewDb(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(_dir, "b.db")}" });
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
        var db = NewDb(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(_dir, "c.db")}", SqliteWriterCacheMegabytes = 48 });

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
        var db = NewDb(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(_dir, "d.db")}", SqliteWriterCacheMegabytes = 0 });
        await using var writer = await db.OpenWriterAsync(CancellationToken.None);
        Assert.Equal("-2000", await ScalarAsync(writer, "PRAGMA cache_size"));
    }

    [Fact]
    public async Task WriterHandles_LeaveCheckpointsToTheCheckpointer_UnlessTurnedOff()
    {
        var background = NewDb(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(_dir, "e.db")}" });
        var inline = NewDb(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(_dir, "f.db")}", SqliteBackgroundCheckpoints = false });

        await using (var writer = await background.OpenWriterAsync(CancellationToken.None))
            Assert.Equal("0", await ScalarAsync(writer, "PRAGMA wal_autocheckpoint"));
        await using (var reader = await background.OpenAsync(CancellationToken.None))
            Assert.Equal("1000", await ScalarAsync(reader, "PRAGMA wal_autocheckpoint"));
        await using (var writer = await inline.OpenWriterAsync(CancellationToken.None))
            Assert.Equal("1000", await ScalarAsync(writer, "PRAGMA wal_autocheckpoint"));
        Assert.NotNull(background.Checkpointer);
        Assert.Null(inline.Checkpointer);
        Assert.Null(new Db(new DatabaseOptions { ConnectionString = "Data Source=:memory:" }).Checkpointer);
    }

    [Fact]
    public async Task ManySmallWriteTransactions_KeepTheLogBounded_AndLoseNothing()
    {
        var path = Path.Combine(_dir, "g.db");
        var db = NewDb(new DatabaseOptions { ConnectionString = $"Data Source={path}" });
        await WriteAsync(db, "CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
        // 12,000 transactions of three pages each: about 36,000 log frames (144 MB) if nothing were ever checkpointed.
        const int transactions = 12_000;
        long largestLog = 0;
        for (var i = 0; i < transactions; i++)
        {
            await WriteAsync(db, "INSERT INTO blobs (body) VALUES (zeroblob(3000))");
            if (i % 500 == 0) await Task.Delay(150);
            largestLog = Math.Max(largestLog, new FileInfo(path + "-wal").Length);
        }

        await using var check = await db.OpenAsync(CancellationToken.None);
        Assert.Equal(transactions.ToString(System.Globalization.CultureInfo.InvariantCulture), await ScalarAsync(check, "SELECT COUNT(*) FROM blobs"));
        Assert.True(db.Checkpointer!.Counts.Runs > 0);
        // The log starts again from its beginning after a complete checkpoint: near TailFrames pages while the background
        // keeps up, and never much past the hard cap, where a writer checkpoints it itself.
        Assert.True(largestLog < SqliteCheckpointer.HardCapBytes + 8L * 1024 * 1024, $"largest log: {largestLog / 1024 / 1024} MB");
    }

    [Fact]
    public async Task LongLog_IsCopiedToTheEndUnderTheWriteGate_SoTheNextWriterStartsItAgain()
    {
        // One transaction of ~5,000 pages: a log longer than TailFrames.
        var (db, path, logAfterBig) = await OneBigTransactionAsync("h.db", rows: 5000);

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (db.Checkpointer!.Counts.Tails == 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(150);
            await WriteAsync(db, "CREATE TABLE IF NOT EXISTS nudge (x INTEGER); INSERT INTO nudge VALUES (1)");
        }
        await WriteAsync(db, "INSERT INTO nudge VALUES (2)");

        Assert.True(logAfterBig > SqliteCheckpointer.TailFrames * 4096L, $"log after the big transaction: {logAfterBig} bytes");
        Assert.True(db.Checkpointer.Counts.Tails > 0, "no checkpoint copied the tail under the write gate");
        // The file keeps its size, but the writer after the checkpoint started it again from its beginning.
        await using var check = await db.OpenAsync(CancellationToken.None);
        Assert.Equal("5000", await ScalarAsync(check, "SELECT COUNT(*) FROM big"));
        await using var frames = check.CreateCommand();
        frames.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        await using var row = await frames.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.True(row.GetInt64(1) < 100, $"frames in the log after the restart: {row.GetInt64(1)}");
    }

    [Fact]
    public async Task LogPastTheHardCap_IsCheckpointedByTheNextWriter_AndTheFileCutBackToItsLimit()
    {
        // One transaction of ~17,000 pages: a log past the 64 MB cap, which only the next writer's open can see.
        var (db, path, logAfterBig) = await OneBigTransactionAsync("i.db", rows: 17000);

        await WriteAsync(db, "CREATE TABLE after (x INTEGER); INSERT INTO after VALUES (1)");
        await WriteAsync(db, "INSERT INTO after VALUES (2)");
        // The file is cut back when a writer restarts the log after a complete checkpoint; on a busy machine a background
        // checkpoint can still hold the log for a moment, so the next writers are given a bounded time to get there.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (new FileInfo(path + "-wal").Length > SqliteCheckpointer.LogFileLimitBytes && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(150);
            await WriteAsync(db, "INSERT INTO after VALUES (3)");
        }

        Assert.True(logAfterBig > SqliteCheckpointer.HardCapBytes, $"log after the big transaction: {logAfterBig / 1024 / 1024} MB");
        Assert.True(db.Checkpointer!.Counts.Inline > 0, "the writer did not checkpoint the long log");
        Assert.True(new FileInfo(path + "-wal").Length <= SqliteCheckpointer.LogFileLimitBytes, $"log file now: {new FileInfo(path + "-wal").Length / 1024 / 1024} MB");
        await using var check = await db.OpenAsync(CancellationToken.None);
        Assert.Equal("17000", await ScalarAsync(check, "SELECT COUNT(*) FROM big"));
    }

    [Fact]
    public async Task DisposedDb_StartsNoMoreCheckpoints_SoItsFolderCanBeDeleted()
    {
        var folder = Path.Combine(_dir, "j");
        var db = new Db(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(folder, "j.db")}" });
        await WriteAsync(db, "CREATE TABLE t (x INTEGER)");

        await db.DisposeAsync();
        var runs = db.Checkpointer!.Counts.Runs;
        // Writers still work after it; they only nudge nothing.
        for (var i = 0; i < 5; i++)
        {
            await WriteAsync(db, "INSERT INTO t VALUES (1)");
            await Task.Delay(120);
        }
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        await Task.Delay(300);

        Assert.Equal(runs, db.Checkpointer.Counts.Runs);
        Assert.False(Directory.Exists(folder));
    }

    // A new database whose first write is one transaction of `rows` rows of a page each; returns the log's size after it.
    private async Task<(Db Db, string Path, long Log)> OneBigTransactionAsync(string name, int rows)
    {
        var path = Path.Combine(_dir, name);
        var db = NewDb(new DatabaseOptions { ConnectionString = $"Data Source={path}" });
        await WriteAsync(db, "CREATE TABLE big (body BLOB NOT NULL); INSERT INTO big SELECT zeroblob(3500) FROM " +
            $"(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) SELECT i FROM n)");
        return (db, path, new FileInfo(path + "-wal").Length);
    }

    private static async Task WriteAsync(Db db, string sql)
    {
        await db.WriteGate.WaitAsync(CancellationToken.None);
        try
        {
            await using var writer = await db.OpenWriterAsync(CancellationToken.None);
            await using var command = writer.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            db.WriteGate.Release();
        }
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
