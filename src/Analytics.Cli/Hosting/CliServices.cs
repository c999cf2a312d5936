using System.CommandLine;
using Analytics.Data;
using Analytics.Data.Database;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Analytics.Cli.Hosting;

/// <summary>Options every command that touches the database shares, and the service provider built from them.</summary>
public static class CliServices
{
    public static readonly Option<string> Database = new("--database")
    {
        Description = "SQLite connection string (the service's default).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("Database__ConnectionString") ?? "Data Source=data/analytics.db",
        Recursive = true,
    };

    public static readonly Option<string> KeyFile = new("--key-file")
    {
        Description = "Pseudonymisation key file (created on first use, as the service does).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("Pseudonymisation__KeyFile") ?? "data/keys/pseudonymisation.json",
        Recursive = true,
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

    public static async Task<ServiceProvider> BuildAsync(ParseResult parse, CancellationToken ct)
    {
        var configuration = Configuration(parse);
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning))
            .AddAnalyticsData()
            .AddIngestion()
            .BuildServiceProvider();
        await services.GetRequiredService<MigrationRunner>().RunAsync(ct);
        return services;
    }
}
