using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Analytics.Data.Database;

/// <summary>
/// SQLite, the embedded default. <paramref name="writerCacheMegabytes"/>: page cache of writer connections (0 = SQLite's
/// default). <paramref name="backgroundCheckpoints"/>: writer connections leave WAL checkpoints to <see cref="SqliteCheckpointer"/>.
/// </summary>
public sealed class SqliteDialect(int writerCacheMegabytes = 0, bool backgroundCheckpoints = false) : ISqlDialect
{
    public string Name => "sqlite";

    public bool SingleWriter => true;

    // The normalised connection string of each configured one: parsed, and its folder created, once per process rather than on every open.
    private static readonly ConcurrentDictionary<string, string> Normalised = new(StringComparer.Ordinal);

    // SQLite handles whose session settings are already applied. A pooled connection that is opened again keeps its
    // handle, and with it its pragmas (journal_mode=WAL is even stored in the database file), so they run once per handle.
    private static readonly ConditionalWeakTable<sqlite3, object> Prepared = new();
    private static readonly object Done = new();

    // Normalised writer connection strings: the pragmas of a handle opened with one of these include the writer's cache size.
    private static readonly ConcurrentDictionary<string, bool> WriterStrings = new(StringComparer.Ordinal);

    public DbConnection CreateConnection(string connectionString) =>
        new SqliteConnection(Normalised.GetOrAdd(connectionString, Normalise));

    // Microsoft.Data.Sqlite pools per connection string. "Cache=Private" is SQLite's default anyway; spelled out, it makes
    // a string of its own and so a pool of its own: the writer's handles (one at a time behind the write gate) keep their
    // page cache, which readers' handles would otherwise share out and churn.
    public string WriterConnectionString(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Cache = SqliteCacheMode.Private };
        var writer = builder.ToString();
        var normalised = Normalised.GetOrAdd(writer, Normalise);
        // A configured "Cache=Private" leaves one pool for both: then nobody gets the writer's cache.
        if (normalised != Normalised.GetOrAdd(connectionString, Normalise)) WriterStrings[normalised] = true;
        return writer;
    }

    private static string Normalise(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        // The embedded default keeps its file under data/; make sure the folder exists.
        if (!string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (folder is not null) Directory.CreateDirectory(folder);
        }
        builder.Pooling = true;
        builder.DefaultTimeout = 30;
        return builder.ToString();
    }

    public async Task PrepareAsync(DbConnection connection, CancellationToken ct)
    {
        var handle = (connection as SqliteConnection)?.Handle;
        if (handle is not null && Prepared.TryGetValue(handle, out _)) return;
        await using var command = connection.CreateCommand();
        // WAL lets readers run beside the single writer; NORMAL is durable across application crashes in WAL mode.
        var writer = WriterStrings.ContainsKey(connection.ConnectionString);
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;"
            // Negative: a size in KiB rather than in pages.
            + (writer && writerCacheMegabytes > 0 ? $" PRAGMA cache_size=-{writerCacheMegabytes * 1024};" : "")
            + (writer && backgroundCheckpoints ? $" PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit={SqliteCheckpointer.LogFileLimitBytes};" : "");
        await command.ExecuteNonQueryAsync(ct);
        if (handle is not null) Prepared.AddOrUpdate(handle, Done);
    }

    public string Page(string orderedSql, string offsetParam, string limitParam) =>
        $"{orderedSql} LIMIT {limitParam} OFFSET {offsetParam}";

    public string InsertIgnore(string table, string columns, string values, string keyColumns) =>
        $"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT ({keyColumns}) DO NOTHING";

    // Writers already queue on the write gate, and a write transaction locks the whole file.
    public string InList(string column, string listParam) => $"{column} IN {listParam}";

    public string ForUpdate(string selectSql) => selectSql;

    public string InManyValues(string column, string param) => $"{column} IN (SELECT value FROM json_each({param}))";

    public object ManyValues(IReadOnlyList<string> values) => JsonSerializer.Serialize(values);

    // A write transaction (BEGIN IMMEDIATE, Microsoft.Data.Sqlite's default) already holds the file's only write lock,
    // against other processes on the same file too.
    public string? TransactionLock(string resource, bool shared = false) => null;

    // SQLite is the single-node default: one process migrates its own file.
    public Task<IAsyncDisposable> LockMigrationsAsync(DbConnection connection, CancellationToken ct) =>
        Task.FromResult<IAsyncDisposable>(NoLock.Instance);

    public string CreateTableIfMissing(string table, string columns) => $"CREATE TABLE IF NOT EXISTS {table} ({columns})";

    public IReadOnlyList<string> Batches(string script) => [script];

    // One writer, no network: a prepared statement per row is as fast as SQLite gets short of dropping its indexes.
    // The statement runs on the connection's own handle, inside the transaction already open on it.
    public Task<IReadOnlyList<string>> BulkInsertAsync(DbConnection connection, DbTransaction tx, BulkInsert insert, CancellationToken ct) =>
        Task.FromResult(SqliteBulkInsert.Run(this, (SqliteConnection)connection, insert, ct));

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
