using Analytics.Core.Pseudonymisation;
using Analytics.Data.ApiKeys;
using Analytics.Data.Audit;
using Analytics.Data.Cases;
using Analytics.Data.Database;
using Analytics.Data.Idempotency;
using Analytics.Data.Ingestion;
using Analytics.Data.Insights;
using Analytics.Data.Jobs;
using Analytics.Data.Links;
using Analytics.Data.Patterns;
using Analytics.Data.Privacy;
using Analytics.Data.Pseudonymisation;
using Analytics.Data.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Data;

public static class DataServices
{
    /// <summary>The configured database (section "Database"), its migrations and the stores of every feature.</summary>
    public static IServiceCollection AddAnalyticsData(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Db>();
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<CaseStore>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<JobStore>();
        services.AddSingleton<PatternStore>();
        services.AddSingleton<InsightStore>();
        services.AddSingleton<LinkStore>();
        services.AddSingleton<AuditStore>();
        services.AddSingleton<PrivacyStore>();
        services.AddSingleton<HangfireSessionStore>();
        return services;
    }

    /// <summary>Keys (configuration or key file, section "Pseudonymisation"), the pseudonymiser and the one ingestion path.</summary>
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.AddOptions<PseudonymisationOptions>().BindConfiguration(PseudonymisationOptions.Section);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => KeyFile.Load(
            sp.GetRequiredService<IOptions<PseudonymisationOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Analytics.Pseudonymisation")));
        services.AddSingleton(sp => new CasePseudonymiser(sp.GetRequiredService<KeyRing>()));
        // The aggregates' record keys come from the same ring, so they live with the keys.
        services.AddSingleton<CellKeys>();
        // The store's record of the ring and the move of stored cases to a new key.
        services.AddSingleton<Pseudonymisation.KeyRingStore>();
        services.AddSingleton<CaseIngestion>();
        return services;
    }
}
