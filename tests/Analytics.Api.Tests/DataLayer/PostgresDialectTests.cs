using Analytics.Data.Database;
using Npgsql;

namespace Analytics.Api.Tests.DataLayer;

/// <summary>The connection string the PostgreSQL dialect opens with: no server needed.</summary>
public sealed class PostgresDialectTests
{
    private static string OptionsOf(string connectionString)
    {
        using var connection = new PostgresDialect().CreateConnection(connectionString);
        return new NpgsqlConnectionStringBuilder(connection.ConnectionString).Options ?? "";
    }

    [Fact]
    public void CreateConnection_BoundsLockWaits_WhenNoOptionsAreGiven()
    {
        Assert.Equal("-c lock_timeout=30000", OptionsOf("Host=127.0.0.1;Database=x"));
    }

    [Theory]
    [InlineData("-c statement_timeout=60000")]
    [InlineData("-c search_path=analytics")]
    [InlineData("-c analytics.lock_timeout=1")]
    public void CreateConnection_BoundsLockWaits_AlsoWhenOtherOptionsAreGiven(string options)
    {
        Assert.Equal($"{options} -c lock_timeout=30000", OptionsOf($"Host=127.0.0.1;Database=x;Options='{options}'"));
    }

    [Theory]
    [InlineData("-c lock_timeout=5000")]
    [InlineData("-c statement_timeout=60000 -clock_timeout=0")]
    [InlineData("--lock-timeout=1min")]
    [InlineData("-c LOCK_TIMEOUT=2s")]
    public void CreateConnection_KeepsTheLockTimeout_TheOptionsSet(string options)
    {
        Assert.Equal(options, OptionsOf($"Host=127.0.0.1;Database=x;Options='{options}'"));
    }
}
