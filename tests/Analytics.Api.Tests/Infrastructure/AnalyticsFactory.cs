using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Analytics.Data.ApiKeys;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Analytics.Api.Tests.Infrastructure;

/// <summary>
/// The real service over the real HTTP pipeline on a real SQLite file in a fresh folder per factory
/// (or, from <see cref="PostgresAnalyticsFactory"/>, a fresh PostgreSQL database per factory).
/// Every log line is captured so privacy tests can scan it.
/// </summary>
public class AnalyticsFactory : WebApplicationFactory<Program>
{
    private readonly string _jobStorage;

    public AnalyticsFactory() : this((PostgresTestDatabase?)null) { }

    /// <param name="postgres">A fresh PostgreSQL database to run on instead of SQLite; dropped on dispose.</param>
    /// <param name="jobStorage">Jobs:Storage (inmemory, or postgres with a PostgreSQL database).</param>
    protected AnalyticsFactory(PostgresTestDatabase? postgres, string jobStorage = "inmemory")
    {
        DataFolder = Path.Combine(Path.GetTempPath(), "analytics-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(DataFolder);
        Postgres = postgres;
        _jobStorage = jobStorage;
    }

    /// <summary>A node on the data folder (database, keys, models) of another factory, which keeps and deletes it: a restart.</summary>
    protected AnalyticsFactory(string dataFolder)
    {
        DataFolder = dataFolder;
        _jobStorage = "inmemory";
        _ownsFolder = false;
    }

    private readonly bool _ownsFolder = true;

    public PostgresTestDatabase? Postgres { get; }

    public string DataFolder { get; }
    public string DatabasePath => Path.Combine(DataFolder, "analytics.db");
    public ConcurrentQueue<string> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:ConnectionString", Postgres?.ConnectionString ?? $"Data Source={DatabasePath}");
        if (Postgres is not null) builder.UseSetting("Database:Provider", "postgres");
        builder.UseSetting("Jobs:Storage", _jobStorage);
        builder.UseSetting("Pseudonymisation:KeyFile", Path.Combine(DataFolder, "keys", "pseudonymisation.json"));
        builder.UseSetting("FirstRun:KeysFile", Path.Combine(DataFolder, "first-run-keys.txt"));
        builder.UseSetting("Learning:ModelsRoot", Path.Combine(DataFolder, "models"));
        builder.ConfigureLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Debug);
            logging.AddProvider(new CapturingLoggerProvider(Logs));
        });
    }

    /// <summary>An HTTP client authenticated with a freshly issued key for the role.</summary>
    public async Task<HttpClient> ClientForAsync(string role, string? jurisdiction = null, string? authority = null)
    {
        _ = Server; // starts the host (migrations) before the store is used
        var keys = Services.GetRequiredService<ApiKeyStore>();
        if (role == Roles.Prosecutor)
        {
            jurisdiction ??= "RO";
            authority ??= jurisdiction + "-PROSECUTOR";
        }
        var issued = await keys.CreateAsync($"test {role}", role, jurisdiction, authority, CancellationToken.None);
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", issued.Key);
        return client;
    }

    /// <summary>Stores generated cases through the real ingestion path (in process, like the importers).</summary>
    public Task<Core.Synthetic.GeneratedDataset> SeedGeneratedAsync(int count, int seed = 5) =>
        SeedGeneratedAsync(new Core.Synthetic.GeneratorOptions { Seed = seed, Count = count });

    public async Task<Core.Synthetic.GeneratedDataset> SeedGeneratedAsync(Core.Synthetic.GeneratorOptions options)
    {
        _ = Server;
        var dataset = new Core.Synthetic.CaseGenerator(options).Run();
        var ingestion = Services.GetRequiredService<Data.Ingestion.CaseIngestion>();
        var writes = dataset.Cases.Select(c => ingestion.Prepare(c.Case, null).Case?.Write ?? throw new InvalidOperationException("generated case rejected")).ToList();
        await Services.GetRequiredService<Data.Cases.CaseStore>().UpsertAsync(writes, CancellationToken.None);
        return dataset;
    }

    /// <summary>Stores generated cases, then trains every model and builds the aggregates, as the train-all job does.</summary>
    public async Task<Core.Synthetic.GeneratedDataset> SeedAndTrainAsync(Core.Synthetic.GeneratorOptions options)
    {
        var dataset = await SeedGeneratedAsync(options);
        await Services.GetRequiredService<Api.Learning.LearningJobs>().TrainAllAsync(CancellationToken.None);
        return dataset;
    }

    public Task<HttpClient> ProsecutorAsync(string jurisdiction = "RO", string? authority = null) =>
        ClientForAsync(Roles.Prosecutor, jurisdiction, authority ?? jurisdiction + "-PROSECUTOR");

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Postgres?.Dispose();
        if (_ownsFolder)
        {
            try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { }
        }
    }
}

public static class HttpTestExtensions
{
    public static Task<HttpResponseMessage> SubmitCaseAsync(this HttpClient client, string json, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> SubmitBatchAsync(this HttpClient client, string ndjson, string? idempotencyKey = null) =>
        client.SubmitBatchAsync(Encoding.UTF8.GetBytes(ndjson), idempotencyKey);

    public static Task<HttpResponseMessage> SubmitBatchAsync(this HttpClient client, byte[] ndjson, string? idempotencyKey = null)
    {
        var content = new ByteArrayContent(ndjson);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases/batch") { Content = content };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)))!;
}

internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> sink) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, sink);
    public void Dispose() { }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
