using Analytics.Api.Auth;
using Analytics.Api.Learning;
using Analytics.Api.Links;
using Analytics.Api.Operations;
using Analytics.Data.Database;
using Analytics.Data.Jobs;
using Analytics.Learning.Registry;
using Hangfire;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.SqlServer;
using Hangfire.States;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Jobs;

public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>
    /// inmemory (embedded default), postgres or sqlserver (shared by several nodes; need Database:Provider postgres or
    /// sqlserver respectively).
    /// </summary>
    public string Storage { get; set; } = "inmemory";

    /// <summary>Run a Hangfire server in this process. API nodes (Node:Role api) never run one, whatever this says.</summary>
    public bool RunServer { get; set; } = true;

    /// <summary>
    /// Workers for the light, frequent jobs (links, pattern assignment, aggregates) and any other job on the default
    /// queue. Training never takes one of them: it has its own workers (<see cref="TrainingWorkerCount"/>).
    /// </summary>
    public int WorkerCount { get; set; } = 2;

    /// <summary>
    /// Workers for the training queue (one model's training and train-all), at least 1. Training runs one at a time
    /// anywhere in any case (a lock in the job storage), so a second worker only lets a queued training wait for that
    /// lock on this node instead of in the queue; the default, 1, also bounds the memory training takes on a node.
    /// </summary>
    public int TrainingWorkerCount { get; set; } = 1;

    /// <summary>
    /// Lets a schedule carry a sixth field, seconds (as for a check of several nodes that cannot wait minutes). Off by
    /// default: a steward's typo of one field too many would otherwise queue a job every second.
    /// </summary>
    public bool AllowSecondsInCron { get; set; }
}

public static class JobsSetup
{
    /// <summary>Hangfire with the configured storage, the learning room's jobs and the models they serve.</summary>
    public static IServiceCollection AddLearningAndJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LearningOptions>().BindConfiguration(LearningOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section);
        services.AddSingleton(sp => new ModelRegistry(Path.GetFullPath(sp.GetRequiredService<IOptions<LearningOptions>>().Value.ModelsRoot)));
        services.AddSingleton<ModelServing>();
        // Promotions made by another node reach this one by polling the shared registry (see ModelReloader).
        services.AddHostedService<ModelReloader>();
        services.AddTransient<LearningJobs>();
        services.AddTransient<Pseudonymisation.RekeyJobs>();
        services.AddOptions<Cases.RetentionOptions>().BindConfiguration(Cases.RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddTransient<Cases.RetentionJobs>();
        services.AddSingleton<TrainingRequests>();
        services.AddSingleton<JobScheduler>();

        var jobs = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        // The storage is a singleton of this service provider, not Hangfire's process-wide JobStorage.Current,
        // so every component of one node (client, server, dashboard, recurring manager) shares exactly one storage.
        services.AddSingleton<JobStorage>(sp => jobs.Storage switch
        {
            "inmemory" => new Hangfire.InMemory.InMemoryStorage(new Hangfire.InMemory.InMemoryStorageOptions()),
            "postgres" => PostgresStorage(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value),
            "sqlserver" => SqlServerStorage(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value),
            _ => throw new NotSupportedException($"Jobs:Storage '{jobs.Storage}' is not available; use 'inmemory', 'postgres' or 'sqlserver'."),
        });
        services.AddHangfire((sp, c) => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(sp.GetRequiredService<JobStorage>()));
        if (jobs.RunServer && NodeOptions.From(configuration).RunsJobs)
        {
            // Two servers, so a training that takes minutes never holds a worker the light jobs need: the default queue
            // (links every minute, assignment, aggregates) keeps its own workers, and training waits for its own.
            services.AddHangfireServer((sp, o) => Server(sp, o, Math.Max(1, jobs.WorkerCount), EnqueuedState.DefaultQueue));
            services.AddHangfireServer((sp, o) => Server(sp, o, Math.Max(1, jobs.TrainingWorkerCount), LearningJobs.TrainingQueue));
        }
        return services;
    }

    private static void Server(IServiceProvider sp, BackgroundJobServerOptions o, int workers, string queue)
    {
        o.ServerName = $"{Environment.MachineName}-{queue}";
        o.Queues = [queue];
        o.WorkerCount = workers;
        o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        // The job timer is this server's filter, not a global one, so each host keeps its own figures.
        o.FilterProvider = new JobFilterProviderCollection(JobFilterProviders.Providers,
            new JobFilterCollection { sp.GetRequiredService<JobMetricsFilter>() });
    }

    /// <summary>
    /// Hangfire's tables in the schema "hangfire" of the application's PostgreSQL database, so that every node sees the same
    /// queues, recurring jobs and distributed locks (the overlap guards hold across nodes).
    /// </summary>
    private static JobStorage PostgresStorage(DatabaseOptions database)
    {
        if (database.Provider != "postgres")
            throw new NotSupportedException($"Jobs:Storage 'postgres' needs Database:Provider 'postgres', not '{database.Provider}'.");
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire",
            PrepareSchemaIfNecessary = true,
            // Workers wake on LISTEN/NOTIFY when a job is queued instead of waiting for the next poll.
            EnableLongPolling = true,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(database.ConnectionString, options), options);
    }

    /// <summary>
    /// Hangfire's tables in the schema "hangfire" of the application's SQL Server database, through Microsoft.Data.SqlClient
    /// (the provider the data layer uses), so every node shares queues, recurring jobs and distributed locks.
    /// </summary>
    internal static JobStorage SqlServerStorage(DatabaseOptions database)
    {
        if (database.Provider != "sqlserver")
            throw new NotSupportedException($"Jobs:Storage 'sqlserver' needs Database:Provider 'sqlserver', not '{database.Provider}'.");
        var options = new SqlServerStorageOptions
        {
            SchemaName = "hangfire",
            PrepareSchemaIfNecessary = true,
            SqlClientFactory = Microsoft.Data.SqlClient.SqlClientFactory.Instance,
            // Workers wait on the queue with short blocking polls instead of sleeping for the default 15 s.
            QueuePollInterval = TimeSpan.Zero,
            SlidingInvisibilityTimeout = TimeSpan.FromMinutes(5),
            UseRecommendedIsolationLevel = true,
            DisableGlobalLocks = true,
        };
        return new SqlServerStorage(database.ConnectionString, options);
    }

    /// <summary>The Hangfire dashboard, for stewards only.</summary>
    public static IApplicationBuilder UseStewardDashboard(this WebApplication app)
    {
        // The recurring jobs are the schedules job_schedules holds. Removed in the dashboard, one would stop running until
        // the next start while the schedules API still showed it; a schedule is changed through PUT /api/v1/schedules/{job}.
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments("/hangfire/recurring/remove"))
            {
                await Errors.Refusals.WriteAsync(context, StatusCodes.Status403Forbidden, "Recurring jobs cannot be removed",
                    "Each recurring job is a stored schedule: change its cron with PUT /api/v1/schedules/{job}. Nothing was changed.");
                return;
            }
            await next(context);
        });
        return app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new StewardOnly()],
            DashboardTitle = "Analytics jobs",
            DisplayStorageConnectionString = false,
        });
    }

    private sealed class StewardOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.RoleOf() == "steward";
    }
}

/// <summary>Keeps Hangfire's recurring jobs in step with the schedules stored in the database.</summary>
public sealed class JobScheduler(JobStore store, IRecurringJobManager recurring, JobStorage storage, Data.Pseudonymisation.KeyRingStore ring,
    IBackgroundJobClient background)
{
    /// <summary>
    /// Every recurring job, with its default schedule, as each job's class declares it: the jobs the schedules API lists,
    /// reads and changes, and whose names the audit trail keeps. A steward's edit in job_schedules wins over the default.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultSchedules = new[]
        {
            LearningJobs.DefaultSchedules, LinkJobs.DefaultSchedules, Pseudonymisation.RekeyJobs.DefaultSchedules, Cases.RetentionJobs.DefaultSchedules,
        }
        .SelectMany(d => d).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>The names of every recurring job, in the order the schedules list them.</summary>
    public static IEnumerable<string> Jobs => DefaultSchedules.Keys.Order(StringComparer.Ordinal);

    public async Task SyncAsync(CancellationToken ct)
    {
        foreach (var (job, cron) in DefaultSchedules)
            await store.EnsureScheduleAsync(job, cron, ct);
        foreach (var schedule in await store.SchedulesAsync(ct))
            Register(schedule.JobId, schedule.Cron);
        // A node that brought a new pseudonymisation key starts the move of the stored cases at once, not at the next
        // scheduled run: link runs wait until it is done. A second node's request finds nothing left to move.
        if (await ring.PendingAsync(ct))
            background.Enqueue<Pseudonymisation.RekeyJobs>(j => j.RekeyTokensAsync(CancellationToken.None));
    }

    /// <summary>Registers or updates one recurring job. Throws <see cref="ArgumentException"/> for an invalid cron expression.</summary>
    public void Register(string jobId, string cron)
    {
        var options = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
        switch (jobId)
        {
            case LearningJobs.TrainAllJob:
                // Not train-all itself: a job that queues one unless one is already in flight (a steward's, or last night's still running).
                recurring.AddOrUpdate<LearningJobs>(jobId, j => j.ScheduledTrainAllAsync(CancellationToken.None), cron, options);
                break;
            case LearningJobs.AssignJob:
                recurring.AddOrUpdate<LearningJobs>(jobId, j => j.AssignPatternsAsync(CancellationToken.None), cron, options);
                break;
            case LearningJobs.AggregatesJob:
                recurring.AddOrUpdate<LearningJobs>(jobId, j => j.RefreshAggregatesAsync(CancellationToken.None), cron, options);
                break;
            case Cases.RetentionJobs.RetentionJob:
                recurring.AddOrUpdate<Cases.RetentionJobs>(jobId, j => j.ApplyRetentionAsync(CancellationToken.None), cron, options);
                break;
            case Pseudonymisation.RekeyJobs.RekeyJob:
                recurring.AddOrUpdate<Pseudonymisation.RekeyJobs>(jobId, j => j.RekeyTokensAsync(CancellationToken.None), cron, options);
                break;
            case LinkJobs.ComputeJob:
                recurring.AddOrUpdate<LinkJobs>(jobId, j => j.ComputeLinksAsync(CancellationToken.None, true), cron, options);
                break;
            default:
                throw new KeyNotFoundException($"Unknown job '{jobId}'.");
        }
    }

    /// <summary>
    /// Changes a job's cron in Hangfire (which validates it: <see cref="ArgumentException"/> for an invalid one, or one that
    /// never fires) and then stores it with <paramref name="save"/>. When the save fails, Hangfire goes back to the cron it
    /// had. Changes are made one at a time under a lock in the job storage (so across nodes too), so the schedule that runs
    /// is always the one the database holds, even when two stewards change it at once.
    /// </summary>
    public async Task ChangeAsync(string jobId, string cron, Func<Task> save)
    {
        using var connection = storage.GetConnection();
        using var held = connection.AcquireDistributedLock("analytics:schedules", TimeSpan.FromSeconds(30));
        var previous = Effective(jobId).Cron;
        try
        {
            Register(jobId, cron);
            if (Effective(jobId).NextExecution is null)
                throw new ArgumentException("The cron expression never fires.", nameof(cron));
            await save();
        }
        catch
        {
            if (previous is not null) Register(jobId, previous);
            throw;
        }
    }

    /// <summary>The cron and next run as Hangfire holds them (what actually takes effect).</summary>
    public (string? Cron, DateTime? NextExecution) Effective(string jobId)
    {
        using var connection = storage.GetConnection();
        var job = Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection, [jobId]).FirstOrDefault();
        return (job?.Cron, job?.NextExecution);
    }
}
