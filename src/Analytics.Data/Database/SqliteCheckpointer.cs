using Microsoft.Data.Sqlite;

namespace Analytics.Data.Database;

/// <summary>
/// Copies SQLite's write-ahead log back into the database file beside the writers. By default SQLite does this inside
/// the commit that takes the log past 1,000 pages: the committing writer copies the pages and syncs the file while it
/// holds the write gate, so every other request waits for the disk. Writer handles here turn that off
/// (<c>PRAGMA wal_autocheckpoint=0</c>), and each write transaction nudges this class instead, which runs a
/// <c>PASSIVE</c> checkpoint on a connection of its own (at most one at a time, at most every 100 ms). A passive
/// checkpoint never waits for a writer or a reader. Under steady writes it never catches up with the last commits,
/// and SQLite only starts the log again from its beginning once every frame is copied; so when the log has grown
/// past <see cref="TailFrames"/>, a second pass copies the few frames left while holding the write gate. Should the
/// background fall behind all the same (a starved thread pool), a writer that finds the log longer than
/// <see cref="HardCapBytes"/> checkpoints it itself before its transaction, as SQLite would have done.
/// </summary>
public sealed class SqliteCheckpointer
{
    /// <summary>Log size, in frames (pages), past which the last frames are copied under the write gate: 16 MB of 4 KB pages.</summary>
    public const int TailFrames = 4_000;

    /// <summary>Log size at which a writer checkpoints before its own transaction: 64 MB.</summary>
    public const long HardCapBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Writer handles truncate the log file to this size when it starts again (<c>PRAGMA journal_size_limit</c>), so the
    /// file's size beyond it is the log's own.
    /// </summary>
    public const long LogFileLimitBytes = 2L * TailFrames * 4096;

    private const long MinimumIntervalMs = 100;

    private readonly Db _db;
    private readonly string _connectionString;
    private readonly string _logPath;
    private int _running;
    private int _stopped;
    private long _inline;
    private long _lastStart = long.MinValue / 2;
    private long _runs;
    private long _tails;

    private SqliteCheckpointer(Db db, string connectionString, string logPath) => (_db, _connectionString, _logPath) = (db, connectionString, logPath);

    /// <summary>A checkpointer for a database file; null for an in-memory database, which has no log.</summary>
    public static SqliteCheckpointer? For(Db db, string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:") return null;
        // Never creates the file: a checkpoint that runs after the database was deleted (a test's temporary file) fails quietly.
        builder.Mode = SqliteOpenMode.ReadWrite;
        // A handle of its own each time (at most ten a second): a pooled one that met an I/O error would keep failing.
        builder.Pooling = false;
        return new SqliteCheckpointer(db, builder.ToString(), Path.GetFullPath(builder.DataSource) + "-wal");
    }

    /// <summary>
    /// Background checkpoints run so far, how many of them copied the last frames under the write gate, and how many
    /// checkpoints writers ran themselves because the log had passed <see cref="HardCapBytes"/>.
    /// </summary>
    public (long Runs, long Tails, long Inline) Counts => (Interlocked.Read(ref _runs), Interlocked.Read(ref _tails), Interlocked.Read(ref _inline));

    /// <summary>
    /// Called with each writer's connection before its transaction, under the write gate: checkpoints inline if the log
    /// is past the hard cap, then nudges the background.
    /// </summary>
    public async Task WriterOpenedAsync(SqliteConnection writer, CancellationToken ct)
    {
        var log = new FileInfo(_logPath);
        if (log.Exists && log.Length > HardCapBytes)
        {
            await PassiveAsync(writer, ct);
            Interlocked.Increment(ref _inline);
        }
        Nudge();
    }

    /// <summary>Starts a checkpoint in the background unless one is running or one started less than 100 ms ago.</summary>
    public void Nudge()
    {
        var now = Environment.TickCount64;
        if (now - Volatile.Read(ref _lastStart) < MinimumIntervalMs) return;
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0) return;
        // Read after taking the run (both are full fences): either StopAsync sees this run and waits for it, or this
        // sees the stop and starts nothing.
        if (Volatile.Read(ref _stopped) != 0)
        {
            Volatile.Write(ref _running, 0);
            return;
        }
        Volatile.Write(ref _lastStart, now);
        _ = Task.Run(RunAsync);
    }

    /// <summary>
    /// Starts no more checkpoints and waits (up to <paramref name="timeout"/>, 10 s by default) for the one running, so
    /// that nothing opens the database file afterwards: at shutdown, and before a test deletes its temporary folder.
    /// Writers keep working; only the inline checkpoint past <see cref="HardCapBytes"/> still bounds the log.
    /// </summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        Interlocked.Exchange(ref _stopped, 1);
        var deadline = Environment.TickCount64 + (long)(timeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds;
        while (Volatile.Read(ref _running) != 0 && Environment.TickCount64 < deadline) await Task.Delay(10);
    }

    // One checkpoint (and the tail under the write gate if the log is long); returns the log's size in frames before it.
    private async Task<long> RunAsync()
    {
        try
        {
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync();
            var frames = await PassiveAsync(connection);
            if (frames >= TailFrames)
            {
                await _db.WriteGate.WaitAsync(CancellationToken.None);
                try
                {
                    await PassiveAsync(connection);
                }
                finally
                {
                    _db.WriteGate.Release();
                }
                Interlocked.Increment(ref _tails);
            }
            Interlocked.Increment(ref _runs);
            return frames;
        }
        catch (SqliteException)
        {
            // The file is gone (a test's temporary database) or busy: the next write transaction nudges again.
            return -1;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    // PRAGMA wal_checkpoint answers (busy, frames in the log, frames copied).
    private static async Task<long> PassiveAsync(SqliteConnection connection, CancellationToken ct = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) && !reader.IsDBNull(1) ? reader.GetInt64(1) : 0;
    }
}
