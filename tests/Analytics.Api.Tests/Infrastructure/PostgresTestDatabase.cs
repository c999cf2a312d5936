using Npgsql;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.Infrastructure;

/// <summary>
/// Which server databases the tests may use. Each is given as a connection string in an environment variable; a test
/// on a database that is not given says so and returns, except that CI (CI=true) always provides PostgreSQL, so there a
/// missing ANALYTICS_TEST_POSTGRES fails the test instead of hiding it.
/// </summary>
public static class TestDatabases
{
    public const string PostgresVariable = "ANALYTICS_TEST_POSTGRES";
    public const string SqlServerVariable = "ANALYTICS_TEST_SQLSERVER";

    public static string? Postgres => Read(PostgresVariable);
    public static string? SqlServer => Read(SqlServerVariable);

    private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when PostgreSQL is configured; otherwise writes the skip (or fails in CI) and returns false.</summary>
    public static bool PostgresOrSkip(ITestOutputHelper output)
    {
        if (Postgres is not null) return true;
        if (InCi) Assert.Fail($"{PostgresVariable} is not set, but CI always provides PostgreSQL (.ci/run sets it).");
        output.WriteLine($"skipped: {PostgresVariable} not set");
        return false;
    }

    private static string? Read(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;
}

/// <summary>A database of its own on the given PostgreSQL server (analytics_test_&lt;guid&gt;), dropped on dispose.</summary>
public sealed class PostgresTestDatabase : IDisposable
{
    private readonly string _adminConnectionString;

    private PostgresTestDatabase(string adminConnectionString, string name, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static PostgresTestDatabase Create(string server)
    {
        var builder = new NpgsqlConnectionStringBuilder(server);
        var name = $"{(string.IsNullOrEmpty(builder.Database) ? "analytics_test" : builder.Database)}_{Guid.NewGuid():n}";
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        Execute(admin, $"CREATE DATABASE \"{name}\"");
        return new PostgresTestDatabase(admin, name, new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString);
    }

    /// <summary>Runs one scalar query on this database (for assertions on what was stored).</summary>
    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        // FORCE: Hangfire's pooled connections may still be open.
        Execute(_adminConnectionString, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}

/// <summary>
/// The service on a fresh PostgreSQL database, with Hangfire's storage there too, when ANALYTICS_TEST_POSTGRES is set.
/// Without it nothing is created: the tests check <see cref="TestDatabases.PostgresOrSkip"/> before touching the service.
/// </summary>
public sealed class PostgresAnalyticsFactory() : AnalyticsFactory(
    TestDatabases.Postgres is { } server ? PostgresTestDatabase.Create(server) : null, TestDatabases.Postgres is null ? "inmemory" : "postgres");
