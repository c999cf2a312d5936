using System.Data.Common;
using Microsoft.Extensions.Options;

namespace Analytics.Data.Database;

/// <summary>
/// Opens connections to the configured database with its dialect's session settings. Disposing it stops the background
/// checkpoints (the container does so at shutdown); connections can still be opened afterwards.
/// </summary>
public sealed class Db : IAsyncDisposable, IDisposable
{
    private readonly string _connectionString;
    private readonly string _writerConnectionString;

    public Db(IOptions<DatabaseOptions> options) : this(options.Value) { }

    public Db(DatabaseOptions options)
    {
        Dialect = options.Provider switch
        {
            "sqlite" => new SqliteDialect(options.SqliteWriterCacheMegabytes, options.SqliteBackgroundCheckpoints),
            "postgres" => new PostgresDialect(),
            "sqlserver" => new SqlServerDialect(),
            _ => throw new NotSupportedException($"Database provider '{options.Provider}' is not available in this build."),
        };
        _connectionString = options.ConnectionString;
        _writerConnectionString = Dialect.WriterConnectionString(options.ConnectionString);
        WriteGate = new WriteGate(Dialect.SingleWriter);
        if (options.Provider == "sqlite" && options.SqliteBackgroundCheckpoints) Checkpointer = SqliteCheckpointer.For(this, options.ConnectionString);
    }

    /// <summary>SQLite with a database file and background checkpoints: copies the WAL back beside the writers. Null otherwise.</summary>
    public SqliteCheckpointer? Checkpointer { get; }

    public ISqlDialect Dialect { get; }

    /// <summary>SQLite allows one writer at a time; writers queue here instead of spinning on SQLITE_BUSY. Open on other databases.</summary>
    public WriteGate WriteGate { get; }

    public Task<DbConnection> OpenAsync(CancellationToken ct) => OpenAsync(_connectionString, ct);

    /// <summary>Stops <see cref="Checkpointer"/>, waiting for a checkpoint in progress: nothing opens the file in the background after it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Checkpointer is not null) await Checkpointer.StopAsync();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// A connection for a write transaction, taken while holding <see cref="WriteGate"/>. On SQLite it comes from the writers'
    /// own pool, whose larger page cache keeps the pages of the last transactions (see <see cref="DatabaseOptions.SqliteWriterCacheMegabytes"/>).
    /// </summary>
    public async Task<DbConnection> OpenWriterAsync(CancellationToken ct)
    {
        var connection = await OpenAsync(_writerConnectionString, ct);
        // Each write transaction gives the checkpointer a chance to copy what the previous ones appended to the WAL.
        if (Checkpointer is not null && connection is Microsoft.Data.Sqlite.SqliteConnection writer) await Checkpointer.WriterOpenedAsync(writer, ct);
        return connection;
    }

    private async Task<DbConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = Dialect.CreateConnection(connectionString);
        await connection.OpenAsync(ct);
        await Dialect.PrepareAsync(connection, ct);
        return connection;
    }
}

/// <summary>
/// Serialises writers in this process where the database has a single writer; lets every writer through where the
/// database resolves concurrent writers itself (and several nodes write anyway, so a process-local gate would not help).
/// </summary>
public sealed class WriteGate(bool serialise)
{
    private readonly SemaphoreSlim? _semaphore = serialise ? new SemaphoreSlim(1, 1) : null;

    public Task WaitAsync(CancellationToken ct) => _semaphore?.WaitAsync(ct) ?? Task.CompletedTask;

    public void Release() => _semaphore?.Release();
}
