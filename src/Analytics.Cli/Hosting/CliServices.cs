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

    public static async Task<ServiceProvider> BuildAsync(ParseResult parse, CancellationToken ct)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:ConnectionString"] = parse.GetValue(Database),
                ["Pseudonymisation:KeyFile"] = parse.GetValue(KeyFile),
            })
            .AddEnvironmentVariables()
            .Build();
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
