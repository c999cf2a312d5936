using System.CommandLine;
using Analytics.Data;
using Analytics.Data.Database;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Analytics.Cli.Hosting;

/// <summary>
/// Options every command that touches the database shares (keys, import: only those list them), and the service provider
/// built from them.
/// </summary>
public static class CliServices
{
    public static readonly Option<string> Database = new("--database")
    {
        Description = "SQLite connection string (the service's default).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("Database__ConnectionString") ?? "Data Source=data/analytics.db",
    };

    public static readonly Option<string> KeyFile = new("--key-file")
    {
        Description = "Pseudonymisation key file (created on first use, as the service does).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("Pseudonymisation__KeyFile") ?? "data/keys/pseudonymisation.json",
    };

    /// <summary>
    /// The commands' configuration: the environment (as the service reads it: <c>Database__Provider</c> and the like),
    /// then <c>--database</c> and <c>--key-file</c> over it, so an option given on the command line wins over the
    /// environment (the options' defaults come from the same variables). <paramref name="environment"/> replaces the
    /// process environment, keys written with ':' (for tests).
    /// </summary>
    public static IConfiguration Configuration(ParseResult parse, IEnumerable<KeyValuePair<string, string?>>? environment = null)
    {
        var builder = new ConfigurationBuilder();
        if (environment is null) builder.AddEnvironmentVariables();
        else builder.AddInMemoryCollection(environment);
        return builder
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:ConnectionString"] = parse.GetValue(Database),
                ["Pseudonymisation:KeyFile"] = parse.GetValue(KeyFile),
            })
            .Build();
    }

    /// <summary>
    /// The full path of the SQLite file <c>--database</c> names when there is no such file yet (opening it would create an
    /// empty database); null when it exists, is in memory, or the database is not SQLite.
    /// </summary>
    public static string? MissingSqliteFile(IConfiguration configuration)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (!string.Equals(options.Provider, "sqlite", StringComparison.OrdinalIgnoreCase)) return null;
        Microsoft.Data.Sqlite.SqliteConnectionStringBuilder builder;
        try
        {
            builder = new(options.ConnectionString);
        }
        catch (ArgumentException)
        {
            return null; // Not a connection string: opening it reports that.
        }
        if (builder.Mode == Microsoft.Data.Sqlite.SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:") return null;
        var path = Path.GetFullPath(builder.DataSource);
        return File.Exists(path) ? null : path;
    }

    /// <summary>
    /// The data services over <c>--database</c>, migrated, and with <paramref name="withKey"/> the pseudonymisation key
    /// read (or created) from <c>--key-file</c>. A database or key file that cannot be used is a <see cref="CliSetupException"/>;
    /// so is, with <paramref name="existingOnly"/>, a SQLite file that does not exist: a command that reads what a store
    /// holds would otherwise create an empty one and report on that.
    /// </summary>
    public static async Task<ServiceProvider> BuildAsync(ParseResult parse, CancellationToken ct, bool withKey = false, bool existingOnly = false)
    {
        var configuration = Configuration(parse);
        if (existingOnly && MissingSqliteFile(configuration) is { } missing)
            throw new CliSetupException($"--database: there is no database at {missing}. Give the database the service uses (its Database__ConnectionString), or start the service once to create it.");
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning))
            .AddAnalyticsData()
            .AddIngestion()
            .BuildServiceProvider();
        try
        {
            await services.GetRequiredService<MigrationRunner>().RunAsync(ct);
        }
        catch (Exception e) when (e is ArgumentException or System.Data.Common.DbException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await services.DisposeAsync();
            throw new CliSetupException($"--database: the database cannot be opened ({Describe(e)}). It takes a connection string, e.g. \"Data Source=data/analytics.db\".");
        }
        if (withKey)
        {
            try
            {
                services.GetRequiredService<Analytics.Core.Pseudonymisation.KeyRing>();
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or IOException or UnauthorizedAccessException or InvalidOperationException or FormatException or ArgumentException)
            {
                await services.DisposeAsync();
                throw new CliSetupException($"--key-file: the pseudonymisation key file cannot be used ({Describe(e)}).");
            }
            try
            {
                // As a node does when it starts: a ring behind the store's, or different from it, would write tokens that match nothing stored.
                await services.GetRequiredService<Analytics.Data.Pseudonymisation.KeyRingStore>().RegisterAsync(ct);
            }
            catch (Analytics.Data.Pseudonymisation.KeyRingMismatchException e)
            {
                await services.DisposeAsync();
                throw new CliSetupException($"--key-file: {e.Message}");
            }
        }
        return services;
    }

    // The exception's type and its first line: no stack trace for a setting the user can correct.
    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}";
}

/// <summary>A database or key file given on the command line that cannot be used: a usage error, not a crash.</summary>
public sealed class CliSetupException(string message) : Exception(message);
