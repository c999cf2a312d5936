using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.Benchmarks.Ingest;
using static Analytics.Benchmarks.StepMeasure;

namespace Analytics.Benchmarks.Queries;

public sealed record QueryResult(string Endpoint, int Concurrency, long Requests, long Failures, double Seconds, double RequestsPerSecond, double P50Ms, double P99Ms, double MaxMs);

/// <summary>
/// Latency and throughput of the analyst endpoints on a service holding N stored cases: the real service process
/// loads N generated cases through its demo loader, trains, precomputes aggregates, then 16 clients query it.
/// </summary>
public static class QueryBenchmark
{
    public const string Usage = "queries [--cases 100000] [--seconds 30] [--concurrency 16] [--out docs/benchmarks] [--api path/Analytics.Api.dll] [--work dir (kept; a later run with the same dir reuses its stored cases and models)]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (!BenchRun.TryOptions(Usage, () =>
            {
                var o = (Cases: Int(args, "--cases", 100_000), Seconds: Int(args, "--seconds", 30), Concurrency: Int(args, "--concurrency", 16));
                return o.Cases >= 1 && o.Seconds >= 1 && o.Concurrency >= 1 ? o
                    : throw new ArgumentException("queries: --cases, --seconds and --concurrency must be at least 1.");
            }, out var options))
            return 2;
        var (cases, seconds, concurrency) = options;
        var outDir = Arg(args, "--out") ?? "docs/benchmarks";
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        var ct = cts.Token;

        var apiDll = await IngestBenchmark.LocateApiAsync(new IngestOptions { Api = Arg(args, "--api") }, ct);
        // --work keeps the service's database, keys and models, so a million stored cases are loaded once and measured
        // as often as needed; without it a throw-away directory is used and deleted.
        var keep = Arg(args, "--work");
        var work = keep is null ? Directory.CreateTempSubdirectory("analytics-queries-").FullName : Directory.CreateDirectory(keep).FullName;
        var reused = keep is not null && File.Exists(Path.Combine(work, "keys.txt"));
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        Console.WriteLine($"queries: {cases:N0} cases, {concurrency} clients × {seconds} s per endpoint, load average {load}{(reused ? $", reusing {work}" : "")}");

        var watch = Stopwatch.StartNew();
        await using var server = await ServerProcess.StartAsync(apiDll, work, ct, new Dictionary<string, string>
        {
            ["Demo__Enabled"] = "true",
            ["Demo__Cases"] = cases.ToString(CultureInfo.InvariantCulture),
        });
        var keys = File.ReadAllLines(Path.Combine(work, "keys.txt")).Where(l => !l.StartsWith('#')).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var analystKey = keys.First(k => k[0] == "analyst")[2];
        var stewardKey = keys.First(k => k[0] == "steward")[2];
        using var steward = LoadPhases.Client(server.BaseAddress, stewardKey, 2);
        await WaitForAggregatesAsync(steward, TimeSpan.FromMinutes(60), ct);
        var prepared = watch.Elapsed;
        var stored = await steward.GetFromJsonAsync<JsonElement>("api/v1/privacy/report", ct);
        var storedCases = stored.TryGetProperty("cases", out var count) ? count.GetInt64() : -1;
        Console.WriteLine($"  {(reused ? "started on the kept store" : "loaded, trained and aggregated")} in {prepared.TotalSeconds:F0} s; {storedCases:N0} cases stored; service RSS {server.RssBytes() / 1048576.0:F0} MB");
        if (reused && storedCases >= 0 && storedCases != cases)
            Console.WriteLine($"  warning: the kept store holds {storedCases:N0} cases, not {cases:N0}");

        using var client = LoadPhases.Client(server.BaseAddress, analystKey, concurrency);
        var profile = JsonSerializer.Serialize(new
        {
            victims = new[] { new { ageBand = "12-14", gender = "female", citizenship = "RO" } },
            suspects = new[] { new { role = "recruiter", relationToVictim = "intimate-partner" } },
            recruitmentChannels = new[] { "social-media" },
            routeCountries = new[] { "RO", "IT" },
            exploitationCountries = new[] { "IT" },
        });
        var results = new List<QueryResult>
        {
            await PhaseAsync("GET /api/v1/patterns", () => new HttpRequestMessage(HttpMethod.Get, "api/v1/patterns")),
            await PhaseAsync("GET /api/v1/insights/routes", () => new HttpRequestMessage(HttpMethod.Get, "api/v1/insights/routes")),
            await PhaseAsync("GET /api/v1/insights/summary", () => new HttpRequestMessage(HttpMethod.Get, "api/v1/insights/summary")),
            await PhaseAsync("POST /api/v1/match", () => new HttpRequestMessage(HttpMethod.Post, "api/v1/match") { Content = new StringContent(profile, Encoding.UTF8, "application/json") }),
        };

        var command = "dotnet run -c Release --project benchmarks/Analytics.Benchmarks -- queries " + string.Join(' ', args);
        var markdown = new StringBuilder()
            .AppendLine("# Query latency")
            .AppendLine()
            .AppendLine("```").AppendLine(command).AppendLine("```").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{cases:N0} generated cases stored (SQLite), {concurrency} concurrent clients on 127.0.0.1, {seconds} s per endpoint; load average at start {load}; service peak RSS {server.PeakBytes() / 1048576.0:F0} MB. Goals: p50 ≤ 5 ms and p99 ≤ 25 ms for precomputed aggregates, ≥ 2,000 req/s; `POST /match` p99 ≤ 20 ms.")
            .AppendLine()
            .AppendLine("| endpoint | requests | failures | req/s | p50 ms | p99 ms | max ms |")
            .AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
            markdown.AppendLine(CultureInfo.InvariantCulture, $"| `{r.Endpoint}` | {r.Requests:N0} | {r.Failures} | {r.RequestsPerSecond:N0} | {r.P50Ms:F2} | {r.P99Ms:F2} | {r.MaxMs:F1} |");
        Console.WriteLine();
        Console.WriteLine(markdown.ToString());
        Directory.CreateDirectory(outDir);
        await File.WriteAllTextAsync(Path.Combine(outDir, "queries.md"), markdown.ToString(), ct);
        await File.WriteAllTextAsync(Path.Combine(outDir, "queries.json"), JsonSerializer.Serialize(new { command, cases, concurrency, seconds, load, preparedSeconds = Math.Round(prepared.TotalSeconds, 1), peakMb = Math.Round(server.PeakBytes() / 1048576.0, 1), results }, new JsonSerializerOptions { WriteIndented = true }), ct);
        if (keep is null)
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
        return results.Any(r => r.Failures > 0) ? 1 : 0;

        async Task<QueryResult> PhaseAsync(string name, Func<HttpRequestMessage> request)
        {
            // Warm-up, so the first requests' JIT and caches are not measured.
            for (var i = 0; i < 50; i++) (await client.SendAsync(request(), ct)).Dispose();
            var latencies = new List<double>[concurrency];
            long failures = 0;
            string? firstFailure = null;
            var clock = Stopwatch.StartNew();
            var duration = TimeSpan.FromSeconds(seconds);
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
            {
                var mine = latencies[w] = new List<double>(100_000);
                while (clock.Elapsed < duration && !ct.IsCancellationRequested)
                {
                    var start = Stopwatch.GetTimestamp();
                    using var response = await client.SendAsync(request(), ct);
                    await response.Content.ReadAsByteArrayAsync(ct);
                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    if (!response.IsSuccessStatusCode && Interlocked.Increment(ref failures) == 1) firstFailure = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                }
            }));
            var elapsed = clock.Elapsed.TotalSeconds;
            var all = latencies.SelectMany(l => l).Order().ToArray();
            var result = new QueryResult(name, concurrency, all.Length, failures, elapsed, all.Length / elapsed,
                Percentile(all, 0.50), Percentile(all, 0.99), all.Length == 0 ? 0 : all[^1]);
            Console.WriteLine($"  {name,-32} {result.RequestsPerSecond,8:N0} req/s  p50 {result.P50Ms,6:F2} ms  p99 {result.P99Ms,6:F2} ms  failures {failures} {firstFailure}");
            return result;
        }
    }

    private static async Task WaitForAggregatesAsync(HttpClient steward, TimeSpan limit, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            var runs = await steward.GetFromJsonAsync<JsonElement>("api/v1/jobs/runs?job=refresh-aggregates", ct);
            // Ready when the models are active and an aggregate refresh ran after them (the demo loader trains, then aggregates).
            var models = await steward.GetFromJsonAsync<JsonElement>("api/v1/models", ct);
            var active = models.EnumerateArray().Count(m => m.GetProperty("active").ValueKind == JsonValueKind.String && m.GetProperty("serving").ValueKind == JsonValueKind.String);
            var refreshed = runs.EnumerateArray().Any(r => r.GetProperty("outcome").GetString() == "succeeded"
                && r.GetProperty("detail").GetString()?.Contains("for patterns version", StringComparison.Ordinal) == true);
            if (active == 3 && refreshed) return;
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
        }
        throw new TimeoutException("The service did not finish loading, training and aggregating in time.");
    }

    private static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
