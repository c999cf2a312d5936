using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.Database;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Api.Tests.DataLayer;

/// <summary>
/// A fresh, migrated database of one dialect, shared by the tests of one class (they keep apart by their own authorities and
/// tokens). Nothing is created when the dialect is not configured: its tests are then reported as skipped and never ask.
/// </summary>
public abstract class DataLayerDatabase : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>A database of its own for one test (a key ring recorded there, say, applies to every writer of it).</summary>
    public static async Task<T> FreshAsync<T>() where T : DataLayerDatabase, new()
    {
        var database = new T();
        await database.InitializeAsync();
        return database;
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private Db? _db;

    public Db Db => _db ?? throw new InvalidOperationException(NotConfigured);

    public DatabaseOptions Options { get; private set; } = new();

    protected abstract string NotConfigured { get; }

    /// <summary>Creates the database and returns its options, or null when the dialect is not configured.</summary>
    protected abstract DatabaseOptions? Create();

    public async Task InitializeAsync()
    {
        if (Create() is not { } options) return;
        Options = options;
        _db = new Db(options);
        await new MigrationRunner(_db, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None);
    }

    // The Db first: its background checkpoints must not reopen a file that is being deleted.
    public virtual async Task DisposeAsync()
    {
        if (_db is not null) await _db.DisposeAsync();
    }
}

public sealed class SqliteDataLayerDatabase : DataLayerDatabase
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"analytics-datalayer-{Guid.NewGuid():n}.db");

    protected override string NotConfigured => "unreachable: SQLite is always available";

    protected override DatabaseOptions Create() => new() { Provider = "sqlite", ConnectionString = $"Data Source={_path}" };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }
}

public sealed class PostgresDataLayerDatabase : DataLayerDatabase
{
    private PostgresTestDatabase? _database;

    protected override string NotConfigured => $"{TestDatabases.PostgresVariable} is not set, but CI always provides PostgreSQL (.ci/run sets it).";

    protected override DatabaseOptions? Create()
    {
        if (TestDatabases.Postgres is not { } server) return null;
        _database = PostgresTestDatabase.Create(server);
        return new DatabaseOptions { Provider = "postgres", ConnectionString = _database.ConnectionString };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database?.Dispose();
    }
}

/// <summary>A database of its own (analytics_test_&lt;guid&gt;) on the SQL Server named by ANALYTICS_TEST_SQLSERVER, dropped afterwards.</summary>
public sealed class SqlServerDataLayerDatabase : DataLayerDatabase
{
    private string? _master;
    private string? _name;

    protected override string NotConfigured => $"{TestDatabases.SqlServerVariable} is not set.";

    protected override DatabaseOptions? Create()
    {
        if (TestDatabases.SqlServer is not { } server) return null;
        var builder = new SqlConnectionStringBuilder(server);
        _name = $"{(string.IsNullOrEmpty(builder.InitialCatalog) ? "analytics_test" : builder.InitialCatalog)}_{Guid.NewGuid():n}";
        _master = new SqlConnectionStringBuilder(server) { InitialCatalog = "master", Pooling = false }.ConnectionString;
        // Row versioning for readers, as docs/databases.md recommends for production.
        Execute(_master, $"CREATE DATABASE [{_name}]; ALTER DATABASE [{_name}] SET READ_COMMITTED_SNAPSHOT ON;");
        return new DatabaseOptions { Provider = "sqlserver", ConnectionString = new SqlConnectionStringBuilder(server) { InitialCatalog = _name }.ConnectionString };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_master is null) return;
        SqlConnection.ClearAllPools();
        Execute(_master, $"ALTER DATABASE [{_name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{_name}];");
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new SqlConnection(connectionString);
        connection.Open();
        using var command = new SqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
