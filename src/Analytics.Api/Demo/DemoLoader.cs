using Analytics.Api.Learning;
using Analytics.Core.Synthetic;
using Analytics.Data.Cases;
using Analytics.Data.Ingestion;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Demo;

public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Load generated demo cases on an empty database and train on them (also: the --demo switch).</summary>
    public bool Enabled { get; set; }

    public int Cases { get; set; } = 2_000;

    public int Seed { get; set; } = 42;

    /// <summary>Cases generated and stored at a time, which bounds memory for large demo sets.</summary>
    public int SliceSize { get; set; } = 10_000;
}

public static class DemoSetup
{
    public static IServiceCollection AddDemo(this IServiceCollection services)
    {
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        services.AddHostedService<DemoLoader>();
        return services;
    }
}

/// <summary>
/// On an empty database, stores generated judicial cases through the ordinary ingestion path and trains the
/// models on them, so a newcomer sees patterns at once. Runs in the background: the API answers meanwhile.
/// </summary>
public sealed class DemoLoader(
    IOptions<DemoOptions> options,
    CaseIngestion ingestion,
    CaseStore store,
    IServiceProvider services,
    ModelServing serving,
    IConfiguration configuration,
    ILogger<DemoLoader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var demo = options.Value;
        if (!demo.Enabled) return;
        if (await store.CountAsync("active", ct) > 0)
        {
            logger.LogInformation("Demo: the database already holds cases; nothing generated");
            return;
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        // Large demo sets (the query benchmark stores a million cases) are generated and stored a slice at a time, so
        // memory stays bounded whatever the count; each slice has its own seed and reference suffix. The next slice is
        // generated and prepared while the current one is written, so the writer and the other cores overlap.
        var slices = (int)Math.Ceiling(demo.Cases / (double)Math.Max(demo.SliceSize, 1));
        var stored = 0;
        var written = 0;
        var jurisdictions = new HashSet<string>(StringComparer.Ordinal);
        if (slices == 0) return;
        var next = Task.Run(() => PrepareSlice(demo, 0, ct), ct);
        for (var slice = 0; slice < slices; slice++)
        {
            var (count, writes, sliceJurisdictions) = await next;
            if (slice + 1 < slices)
            {
                var following = slice + 1;
                next = Task.Run(() => PrepareSlice(demo, following, ct), ct);
            }
            jurisdictions.UnionWith(sliceJurisdictions);
            foreach (var chunk in writes.Chunk(1_000)) await store.UpsertAsync(chunk, ct);
            stored += count;
            written += writes.Count;
            if (demo.Cases > demo.SliceSize)
                logger.LogInformation("Demo: {Stored} of {Total} cases stored ({Rate:F0} cases/s)", stored, demo.Cases, stored / watch.Elapsed.TotalSeconds);
        }
        logger.LogInformation("Demo: stored {Count} generated cases from {Jurisdictions} jurisdictions (pseudonymised on the way in) in {Seconds:F1} s; training the models now",
            written, jurisdictions.Count, watch.Elapsed.TotalSeconds);

        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<LearningJobs>().TrainAllAsync(ct);

        var patterns = serving.Patterns.Current;
        if (patterns is null) return;
        var url = (configuration["Urls"] ?? "http://127.0.0.1:5080").Split(';')[0];
        logger.LogInformation("Demo: {Count} patterns discovered (model {Version}):\n{Labels}", patterns.Model.Patterns.Count(p => !p.Suppressed), patterns.Version,
            string.Join('\n', patterns.Model.Patterns.Where(p => !p.Suppressed).OrderByDescending(p => p.Profile!.Size)
                .Select(p => $"  {p.Profile!.Size,5} cases  {p.Profile.Label}")));
        logger.LogInformation("Demo ready. Try:\n  KEY=$(awk '$1==\"analyst\"{{print $3}}' data/first-run-keys.txt)\n  curl -s -H \"X-Api-Key: $KEY\" {Url}/api/v1/patterns\n  API reference: {Url}/docs", url, url);
    }

    /// <summary>Generates one slice of the demo set and prepares it (validation and pseudonymisation) on every core.</summary>
    private (int Count, List<CaseWrite> Writes, HashSet<string> Jurisdictions) PrepareSlice(DemoOptions demo, int slice, CancellationToken ct)
    {
        var size = Math.Max(demo.SliceSize, 1);
        var count = Math.Min(size, demo.Cases - slice * size);
        var dataset = new CaseGenerator(new GeneratorOptions
        {
            Seed = demo.Seed + slice,
            Count = count,
            ReferenceSuffix = slice == 0 ? null : $"-{slice}",
        }).Run();
        // The store keeps the generated order whatever the scheduling.
        var prepared = new CaseWrite?[dataset.Cases.Count];
        Parallel.For(0, dataset.Cases.Count, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var (ready, errors) = ingestion.Prepare(dataset.Cases[i].Case, submitter: null);
            if (ready is not null) prepared[i] = ready.Write;
            else logger.LogWarning("Demo: a generated case was rejected at {Pointer}", errors[0].Pointer);
        });
        var jurisdictions = dataset.Cases.Select(c => c.Case.Jurisdiction).ToHashSet(StringComparer.Ordinal);
        return (count, prepared.OfType<CaseWrite>().ToList(), jurisdictions);
    }
}
