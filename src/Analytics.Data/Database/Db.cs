using System.Data.Common;
using Microsoft.Extensions.Options;

namespace Analytics.Data.Database;

/// <summary>Opens connections to the configured database with its dialect's session settings.</summary>
public sealed class Db
{
    private readonly string _connectionString;

    public Db(IOptions<DatabaseOptions> options) : this(options.Value) { }

    public Db(DatabaseOptions options)
    {
        Dialect = options.Provider switch
        {
            "sqlite" => new SqliteDialect(),
            _ => throw new NotSupportedException($"Database provider '{options.Provider}' is not available in this build."),
        };
        _connectionString = options.ConnectionString;
    }

    public ISqlDialect Dialect { get; }

    /// <summary>SQLite allows one writer at a time; writers queue here instead of spinning on SQLITE_BUSY.</summary>
    public SemaphoreSlim WriteGate { get; } = new(1, 1);

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = Dialect.CreateConnection(_connectionString);
        await connection.OpenAsync(ct);
        await Dialect.PrepareAsync(connection, ct);
        return connection;
    }
}
