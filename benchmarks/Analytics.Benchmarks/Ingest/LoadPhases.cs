using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Analytics.Benchmarks.Ingest;

public sealed record LoadResult(
    string Name,
    int Concurrency,
    int BatchSize,
    long Requests,
    long Cases,
    long Failures,
    double Seconds,
    double CasesPerSecond,
    double P50Ms,
    double P99Ms,
    double ServerCpuUsPerCase,
    double SteadyRssMb,
    string? FirstFailure,
    WarmUp WarmUp,
    double ClientCpuUsPerCase = 0)
{
    /// <summary>
    /// The most cases per second <paramref name="cores"/> cores could give at this phase's processor time per case, service
    /// and load client together, if they did nothing else: what the phase's rate could reach without a cheaper case.
    /// 0 when the phase stored nothing.
    /// </summary>
    public double CeilingCasesPerSecond(int cores)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cores, 1);
        var perCase = ServerCpuUsPerCase + ClientCpuUsPerCase;
        return perCase <= 0 ? 0 : cores * 1_000_000 / perCase;
    }
}

/// <summary>The untimed warm-up before a phase: its length, the cases it stored, their service CPU per case, and the CPU per case of each window.</summary>
public sealed record WarmUp(double Seconds, long Cases, double ServerCpuUsPerCase, IReadOnlyList<WarmWindow> Windows);

/// <summary>One 2-second window of a warm-up: service CPU per case stored in it, and the tiered-compilation thread's share of the service's CPU.</summary>
public sealed record WarmWindow(double ServerCpuUsPerCase, double JitShare);

/// <summary>Timed HTTP phases against the running service. Each phase stops starting requests after its time budget.</summary>
public static class LoadPhases
{
    private const long WarmUpCases = 1_000;

    /// <summary>When a phase of <paramref name="budget"/> abandons the requests still running: the budget plus as much again, at most 20 s more.</summary>
    public static TimeSpan HardStop(TimeSpan budget) => budget + TimeSpan.FromSeconds(Math.Min(20, budget.TotalSeconds));

    public static HttpClient Client(Uri baseAddress, string apiKey, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>Single-case POSTs from <paramref name="concurrency"/> workers, each posting distinct new cases.</summary>
    public static async Task<LoadResult> SinglesAsync(ServerProcess server, HttpClient client, CasePayloads payloads, int concurrency, TimeSpan duration, CancellationToken ct)
    {
        var json = new MediaTypeHeaderValue("application/json");
        return await RunAsync("single", server, concurrency, 1, duration, ct, async _ =>
        {
            using var content = new ByteArrayContent(payloads.NextCase());
            content.Headers.ContentType = json;
            using var response = await client.PostAsync("api/v1/cases", content, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            return response.StatusCode == HttpStatusCode.Created
                ? (1, 0, null)
                : (0, 1, $"HTTP {(int)response.StatusCode}: {Truncate(body)}");
        });
    }

    /// <summary>NDJSON batches of <paramref name="batchSize"/> new cases from <paramref name="senders"/> concurrent senders.</summary>
    public static async Task<LoadResult> BatchesAsync(ServerProcess server, HttpClient client, CasePayloads payloads, int batchSize, int senders, TimeSpan duration, CancellationToken ct)
    {
        var ndjson = new MediaTypeHeaderValue("application/x-ndjson");
        return await RunAsync($"batch {batchSize:N0}", server, senders, batchSize, duration, ct, async warmUp =>
        {
            // Warm-up batches are small: they only need to exercise the path, not to fill the time budget.
            var lines = warmUp ? Math.Min(batchSize, 200) : batchSize;
            using var content = new ByteArrayContent(payloads.NextBatch(lines));
            content.Headers.ContentType = ndjson;
            using var response = await client.PostAsync("api/v1/cases/batch", content, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            if (response.StatusCode != HttpStatusCode.OK) return (0, lines, $"HTTP {(int)response.StatusCode}: {Truncate(body)}");
            var (created, rejected) = Counts(body);
            return (created, lines - created, created == lines ? null : $"batch created {created} of {lines} ({rejected} rejected): {Truncate(body)}");
        });
    }

    private static async Task<LoadResult> RunAsync(
        string name, ServerProcess server, int workers, int batchSize, TimeSpan duration, CancellationToken ct,
        Func<bool, Task<(int Ok, int Failed, string? Failure)>> send)
    {
        // Warm-up, untimed: at least one request per worker, two seconds and 1,000 cases, then on until the runtime's
        // tiered compilation has settled (at most MaxWarmUp). A freshly started service runs Tier-0 and instrumented code
        // while its tiered-compilation thread recompiles the hot methods, which on a busy 2-core machine takes tens of
        // seconds: in that window a single-case request costs three to four times the CPU it costs afterwards. The goals
        // are about the steady state, so the timed phase starts once the JIT is done; what the warm-up cost is reported.
        var warm = Stopwatch.StartNew();
        long warmCases = 0;
        var warmCpuBefore = server.CpuTime();
        using var warmDone = new CancellationTokenSource();
        var warmers = Enumerable.Range(0, workers).Select(async _ =>
        {
            do Interlocked.Add(ref warmCases, (await send(true)).Ok);
            while (!warmDone.IsCancellationRequested && !ct.IsCancellationRequested);
        }).ToArray();
        var windows = await WarmUntilSteadyAsync(server, () => Interlocked.Read(ref warmCases), warm, ct);
        await warmDone.CancelAsync();
        await Task.WhenAll(warmers);
        var warmUp = new WarmUp(warm.Elapsed.TotalSeconds, warmCases,
            warmCases == 0 ? 0 : (server.CpuTime() - warmCpuBefore).TotalMicroseconds / warmCases, windows);

        // Hard stop: a request still running at the budget plus as much again (at most 20 s more) is abandoned and counted as
        // failed. Capping the whole at 20 s would abandon every request in flight at the end of a phase of 20 s or more.
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        hardStop.CancelAfter(HardStop(duration));
        long cases = 0, failures = 0, requests = 0;
        string? firstFailure = null;
        var latencies = new List<long>[workers];
        var cpuBefore = server.CpuTime();
        var clientCpuBefore = ClientCpuTime();
        var rssFrom = server.Now;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<long>(4096);
            var last = TimeSpan.Zero;
            // A request that would likely end well past the budget is not started (matters for long batches).
            while (clock.Elapsed + last * 0.75 < duration && !ct.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                int ok, failed;
                string? failure;
                try
                {
                    (ok, failed, failure) = await send(false).WaitAsync(hardStop.Token);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    // A dropped connection or an abandoned request: counted, reported, and the phase goes on.
                    (ok, failed, failure) = (0, batchSize, e is OperationCanceledException ? "abandoned at the phase's hard stop" : $"{e.GetType().Name}: {e.Message} {e.InnerException?.Message}");
                    Interlocked.Add(ref failures, failed);
                    Interlocked.CompareExchange(ref firstFailure, failure, null);
                    if (hardStop.IsCancellationRequested) break;
                    continue;
                }
                last = Stopwatch.GetElapsedTime(t0);
                mine.Add(Stopwatch.GetTimestamp() - t0);
                Interlocked.Increment(ref requests);
                Interlocked.Add(ref cases, ok);
                if (failed > 0)
                {
                    Interlocked.Add(ref failures, failed);
                    Interlocked.CompareExchange(ref firstFailure, failure, null);
                }
            }
        }, ct)).ToArray();
        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpu = server.CpuTime() - cpuBefore;
        var clientCpu = ClientCpuTime() - clientCpuBefore;
        var rssTo = server.Now;

        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
        // Steady state: the second half of the phase, once the heap has grown to its working size.
        var steady = server.MeanRss(rssFrom + (rssTo - rssFrom) / 2, rssTo);
        return new LoadResult(name, workers, batchSize, requests, cases, failures, elapsed, cases / elapsed,
            Percentile(0.50), Percentile(0.99), cases == 0 ? 0 : cpu.TotalMicroseconds / cases, steady / 1048576.0, firstFailure, warmUp,
            cases == 0 ? 0 : clientCpu.TotalMicroseconds / cases);
    }

    // The load client is this process: its processor time over a phase is what sending the requests and reading the answers cost.
    private static TimeSpan ClientCpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>Longest warm-up of a phase; a service still compiling after this is timed as it is.</summary>
    public static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan WarmWindow = TimeSpan.FromSeconds(2);

    /// <summary>Share of the service's CPU below which the tiered-compilation thread counts as settled.</summary>
    public const double SettledJitShare = 0.05;

    // The service's tier-up of the request path takes several CPU-seconds; below this it has barely started.
    private static readonly TimeSpan MinTieringCpu = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Returns once the minimum warm-up is done and, in two 2-second windows in a row, the runtime's tiered-compilation
    /// thread used under 5 % of the service's CPU (after it has used at least a second of CPU since the service
    /// started), or at <see cref="MaxWarmUp"/>. Each window's service CPU per case and
    /// JIT share are returned for the report.
    /// </summary>
    private static async Task<IReadOnlyList<WarmWindow>> WarmUntilSteadyAsync(ServerProcess server, Func<long> cases, Stopwatch warm, CancellationToken ct)
    {
        var windows = new List<WarmWindow>();
        var settled = 0;
        var cpuFrom = server.CpuTime();
        var jitFrom = server.TieringCpu();
        var casesFrom = cases();
        while (warm.Elapsed < MaxWarmUp && !ct.IsCancellationRequested)
        {
            await Task.Delay(WarmWindow, ct);
            var (cpu, jit, done) = (server.CpuTime(), server.TieringCpu(), cases());
            var used = (cpu - cpuFrom).TotalMicroseconds;
            var jitUsed = jit.Sum(t => Math.Max(0, (t.Value - jitFrom.GetValueOrDefault(t.Key)).TotalMicroseconds));
            var share = used <= 0 ? 0 : jitUsed / used;
            windows.Add(new WarmWindow(Math.Round(done > casesFrom ? used / (done - casesFrom) : 0), Math.Round(share, 3)));
            (cpuFrom, jitFrom, casesFrom) = (cpu, jit, done);
            // A service whose tiered compilation has not got going yet (its first seconds) is not settled either.
            settled = share < SettledJitShare && server.TieringCpuSeen() >= MinTieringCpu ? settled + 1 : 0;
            if (settled >= 2 && warm.Elapsed >= TimeSpan.FromSeconds(2) && done >= WarmUpCases) break;
        }
        return windows;
    }

    private static (int Created, int Rejected) Counts(byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        return (root.GetProperty("created").GetInt32(), root.GetProperty("rejected").GetInt32());
    }

    private static string Truncate(byte[] body)
    {
        var text = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 400));
        return body.Length > 400 ? text + "…" : text;
    }
}
