using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Analytics.Data.ApiKeys;
using Analytics.Data.Database;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Benchmarks.Ingest;

public sealed record Goals(double SingleCasesPerSecond, double BatchCasesPerSecond, double PseudonymisationCpuUs, double SteadyStateMb);

public sealed record IngestReport(
    string Command,
    DateTimeOffset StartedAt,
    string Machine,
    IngestOptions Options,
    double MeanCaseBytes,
    IReadOnlyList<CpuResult> Cpu,
    IReadOnlyList<StoreResult> Store,
    IReadOnlyList<LoadResult> Http,
    double IdleRssAfterStartMb,
    double SteadyStateRssMb,
    double IdleRssAfterRunMb,
    double PeakRssMb,
    string LoadAverage,
    Goals Goals,
    int Cores);

public static class IngestBenchmark
{
    private static readonly Goals Targets = new(2_500, 10_000, 100, 300);

    public static async Task<int> RunAsync(IngestOptions options, string[] rawArgs)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        var ct = cts.Token;
        var command = "dotnet run -c Release --project benchmarks/Analytics.Benchmarks -- " + string.Join(' ', rawArgs.Select(Quote));
        var workDir = Directory.CreateTempSubdirectory("analytics-bench-").FullName;
        var phase = TimeSpan.FromSeconds(options.Seconds);
        ServerProcess? server = null;
        var keepWorkDir = false;
        try
        {
            var apiDll = options.Only is null ? await LocateApiAsync(options, ct) : null;
            if (apiDll is not null) Console.WriteLine($"service:  {apiDll}");
            Console.WriteLine($"work dir: {workDir}");

            Step($"generating {options.Cases:N0} cases (seed {options.Seed})");
            var payloads = CasePayloads.Generate(options.Cases, options.Seed);
            Console.WriteLine($"  mean case size {payloads.MeanBytes:N0} bytes");

            // In-process phases first, while the machine is otherwise quiet.
            var cpuBudget = TimeSpan.FromSeconds(Math.Min(options.Seconds, 5));
            Step("pseudonymisation CPU per case (single thread)");
            // Both modes warm up until a whole pass compiles no method: JIT is a start-up cost, not a per-case one.
            var pseudo = InProcessPhases.Pseudonymisation(payloads, cpuBudget, settle: true);
            Print(pseudo, true);
            Step("whole Prepare step per case (parse, validate, pseudonymise, canonical JSON, hash)");
            var prepare = InProcessPhases.Prepare(payloads, cpuBudget, settle: true);
            Print(prepare, true);
            Step("CaseStore.UpsertAsync alone (in process, fresh SQLite file)");
            var store = await InProcessPhases.StoreAsync(payloads, workDir, TimeSpan.FromSeconds(Math.Min(options.Seconds, 3)), options.WriterCacheMegabytes, ct);
            foreach (var s in store) Console.WriteLine($"  {s.Name}: {s.CasesPerSecond:N0} cases/s ({s.Cases:N0} in {s.Seconds:N1} s), {s.CpuUsPerCase:N0} µs CPU per case");
            GC.Collect();
            if (options.Only == "in-process")
            {
                Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Trim()} (in-process steps only: no service started, no report written)");
                return 0;
            }

            Step("issuing a prosecutor key for RO / RO-BENCH and starting the service");
            var apiKey = await IssueKeyAsync(workDir, ct);
            server = await ServerProcess.StartAsync(apiDll!, workDir, ct, options.WriterCacheMegabytes is { } mb
                ? new Dictionary<string, string> { ["Database__SqliteWriterCacheMegabytes"] = mb.ToString(System.Globalization.CultureInfo.InvariantCulture) }
                : null);
            Console.WriteLine($"  pid {server.Pid} at {server.BaseAddress}");
            await Task.Delay(1000, ct);
            var idleStart = server.RssBytes();

            var http = new List<LoadResult>();
            using (var client = LoadPhases.Client(server.BaseAddress, apiKey, options.Concurrency))
            {
                Step($"single-case POSTs, {options.Concurrency} concurrent workers, {options.Seconds:N0} s");
                http.Add(await LoadPhases.SinglesAsync(server, client, payloads, options.Concurrency, phase, ct));
                Print(http[^1]);
            }
            foreach (var size in new[] { 1_000, 5_000 })
            {
                using var client = LoadPhases.Client(server.BaseAddress, apiKey, 2);
                Step($"NDJSON batches of {size:N0}, 2 concurrent senders, {options.Seconds:N0} s");
                http.Add(await LoadPhases.BatchesAsync(server, client, payloads, size, 2, phase, ct));
                Print(http[^1]);
            }

            Step("idle 5 s, then resident memory");
            await Task.Delay(5000, ct);
            var report = new IngestReport(
                command,
                DateTimeOffset.UtcNow,
                $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}",
                options,
                Math.Round(payloads.MeanBytes),
                [pseudo, prepare],
                store,
                http,
                Mb(idleStart),
                http.Max(h => h.SteadyRssMb),
                Mb(server.RssBytes()),
                Mb(server.PeakBytes()),
                LoadAverage(),
                Targets,
                Environment.ProcessorCount);
            await server.DisposeAsync();
            server = null;

            var markdown = Markdown(report);
            Console.WriteLine();
            Console.WriteLine(markdown);
            var outDir = Path.GetFullPath(options.Out);
            Directory.CreateDirectory(outDir);
            await File.WriteAllTextAsync(Path.Combine(outDir, "ingestion.md"), markdown, ct);
            await File.WriteAllTextAsync(Path.Combine(outDir, "ingestion.json"),
                JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }) + "\n", ct);
            Console.WriteLine($"wrote {Path.Combine(outDir, "ingestion.md")} and ingestion.json");
            return http.Any(h => h.Failures > 0) ? 1 : 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"benchmark failed: {e}");
            if (server is not null) Console.Error.WriteLine($"service {(server.HasExited ? "had exited" : "was running")}; its log is kept in {workDir}/server.log");
            keepWorkDir = true;
            return 1;
        }
        finally
        {
            if (server is not null) await server.DisposeAsync();
            if (!keepWorkDir)
                try { Directory.Delete(workDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "unknown"; }
    }

    private static double Mb(long bytes) => Math.Round(bytes / 1048576.0, 1);

    private static void Step(string text) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {text}");

    private static void Print(CpuResult r, bool details = false)
    {
        Console.WriteLine($"  {r.CpuUsPerCase:N1} µs CPU per case, wall {r.WallUsPerCase:N1} µs (p50 {r.P50Us:N1}, p99 {r.P99Us:N1}) over {r.Cases:N0} cases");
        if (details) Console.WriteLine($"  of which JIT {r.JitUsPerCase:N1} µs per case; {r.AllocatedBytesPerCase:N0} bytes allocated per case");
    }

    private static void Print(LoadResult r)
    {
        Console.WriteLine($"  {r.CasesPerSecond:N0} cases/s ({r.Cases:N0} in {r.Seconds:N1} s, {r.Requests:N0} requests), p50 {r.P50Ms:N2} ms, p99 {r.P99Ms:N2} ms, " +
                          $"server CPU {r.ServerCpuUsPerCase:N0} µs/case, client CPU {r.ClientCpuUsPerCase:N0} µs/case " +
                          $"(ceiling on {Environment.ProcessorCount} cores {r.CeilingCasesPerSecond(Environment.ProcessorCount):N0} cases/s), RSS {r.SteadyRssMb:N0} MB, failures {r.Failures:N0}");
        Console.WriteLine($"  warm-up before it: {r.WarmUp.Seconds:N1} s, {r.WarmUp.Cases:N0} cases, server CPU {r.WarmUp.ServerCpuUsPerCase:N0} µs/case " +
                          $"(2-s windows, µs/case and JIT share: {string.Join(", ", r.WarmUp.Windows.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.ServerCpuUsPerCase:N0}/{w.JitShare:P0}")))})");
        if (r.FirstFailure is not null) Console.WriteLine($"  first failure: {r.FirstFailure}");
    }

    /// <summary>Issues a prosecutor key straight into the database the service will open (after migrating it).</summary>
    private static async Task<string> IssueKeyAsync(string workDir, CancellationToken ct)
    {
        var db = new Db(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(workDir, "bench.db")}" });
        await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).RunAsync(ct);
        var key = await new ApiKeyStore(db).CreateAsync("benchmark prosecutor", Roles.Prosecutor, CasePayloads.Jurisdiction, CasePayloads.Authority, ct);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return key.Key;
    }

    /// <summary>The Release build of the service next to this repository's sources; built when missing.</summary>
    internal static async Task<string> LocateApiAsync(IngestOptions options, CancellationToken ct)
    {
        if (options.Api is not null)
            return File.Exists(options.Api) ? Path.GetFullPath(options.Api) : throw new FileNotFoundException($"--api: {options.Api} not found.");

        var root = RepositoryRoot() ?? throw new InvalidOperationException("Could not find the repository (Analytics.sln) above the benchmark or the working directory; pass --api.");
        var project = Path.Combine(root, "src", "Analytics.Api");
        var candidates = Directory.Exists(Path.Combine(project, "bin", "Release"))
            ? Directory.GetFiles(Path.Combine(project, "bin", "Release"), "Analytics.Api.dll", SearchOption.AllDirectories)
                .Where(p => File.Exists(Path.ChangeExtension(p, ".runtimeconfig.json")))
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .ToList()
            : [];
        if (candidates.Count > 0) return candidates[0];

        Step("building src/Analytics.Api (Release)");
        var build = Process.Start(new ProcessStartInfo("dotnet", ["build", "-c", "Release", project, "--nologo", "-v", "q"]) { WorkingDirectory = root })
            ?? throw new InvalidOperationException("Could not start dotnet build.");
        await build.WaitForExitAsync(ct);
        if (build.ExitCode != 0) throw new InvalidOperationException("dotnet build of src/Analytics.Api failed.");
        return await LocateApiAsync(options with { Api = null }, ct) is { } built && File.Exists(built)
            ? built
            : throw new InvalidOperationException("Analytics.Api.dll not found after building.");
    }

    private static string? RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Analytics.sln"))) return dir.FullName;
        }
        return null;
    }

    private static string Quote(string arg) => arg.Length > 0 && !arg.Any(char.IsWhiteSpace) ? arg : $"\"{arg}\"";

    public static string Markdown(IngestReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        string N(double v, int decimals = 0) => v.ToString("N" + decimals, inv);
        string Met(bool ok) => ok ? "yes" : "**no**";
        var single = r.Http.First(h => h.BatchSize == 1);
        var batches = r.Http.Where(h => h.BatchSize > 1).ToList();
        var bestBatch = batches.Max(h => h.CasesPerSecond);
        var pseudo = r.Cpu.First(c => c.Name == "pseudonymise");
        var sb = new StringBuilder();
        sb.AppendLine("# Ingestion benchmark");
        sb.AppendLine();
        sb.AppendLine($"Command: `{r.Command}`");
        sb.AppendLine();
        sb.AppendLine($"Run {r.StartedAt:yyyy-MM-dd HH:mm} UTC on {r.Machine}; client and service share the machine. " +
                      $"{N(r.Options.Cases)} generated cases (seed {r.Options.Seed}, mean {N(r.MeanCaseBytes)} bytes of JSON), every request a new case for RO / RO-BENCH; " +
                      $"timed phases of {N(r.Options.Seconds)} s against the Release service on 127.0.0.1 with a fresh SQLite database.");
        sb.AppendLine();
        sb.AppendLine("| Figure | Result | Goal | Met |");
        sb.AppendLine("|---|---:|---:|:---:|");
        sb.AppendLine($"| Single-case POSTs, {single.Concurrency} concurrent | {N(single.CasesPerSecond)} cases/s | ≥ {N(r.Goals.SingleCasesPerSecond)} | {Met(single.CasesPerSecond >= r.Goals.SingleCasesPerSecond)} |");
        foreach (var b in batches)
            sb.AppendLine($"| NDJSON batches of {N(b.BatchSize)}, {b.Concurrency} senders | {N(b.CasesPerSecond)} cases/s | ≥ {N(r.Goals.BatchCasesPerSecond)} | {Met(b.CasesPerSecond >= r.Goals.BatchCasesPerSecond)} |");
        sb.AppendLine($"| Pseudonymisation CPU per typical case | {N(pseudo.CpuUsPerCase, 1)} µs | ≤ {N(r.Goals.PseudonymisationCpuUs)} µs | {Met(pseudo.CpuUsPerCase <= r.Goals.PseudonymisationCpuUs)} |");
        sb.AppendLine($"| Service memory, steady state under load (RSS) | {N(r.SteadyStateRssMb)} MB | ≤ {N(r.Goals.SteadyStateMb)} MB | {Met(r.SteadyStateRssMb <= r.Goals.SteadyStateMb)} |");
        sb.AppendLine($"| Service memory, peak (VmHWM) | {N(r.PeakRssMb)} MB | | |");
        sb.AppendLine($"| Service memory, idle after start / 5 s after the run | {N(r.IdleRssAfterStartMb)} / {N(r.IdleRssAfterRunMb)} MB | | |");
        sb.AppendLine();
        sb.AppendLine("## HTTP phases");
        sb.AppendLine();
        sb.AppendLine($"| Phase | Workers | Requests | Cases | Cases/s | p50 latency | p99 latency | Service CPU per case | Load client CPU per case | Ceiling on {r.Cores} cores | RSS (2nd half) | Failures | Warm-up before it: time, cases, service CPU per case |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var h in r.Http)
            sb.AppendLine($"| {h.Name} | {h.Concurrency} | {N(h.Requests)} | {N(h.Cases)} | {N(h.CasesPerSecond)} | {N(h.P50Ms, 2)} ms | {N(h.P99Ms, 2)} ms | {N(h.ServerCpuUsPerCase)} µs | {N(h.ClientCpuUsPerCase)} µs | {N(h.CeilingCasesPerSecond(r.Cores))} cases/s | {N(h.SteadyRssMb)} MB | {N(h.Failures)} | {N(h.WarmUp.Seconds, 1)} s, {N(h.WarmUp.Cases)}, {N(h.WarmUp.ServerCpuUsPerCase)} µs |");
        sb.AppendLine();
        sb.AppendLine($"The ceiling is the rate the {r.Cores} cores would give if they did nothing but this phase's work at its measured processor time " +
                      "per case, the service's and the load client's together (cores × 1 s ÷ both per case). A goal above it cannot be reached by " +
                      "scheduling or concurrency, only by a cheaper case.");
        sb.AppendLine();
        sb.AppendLine("Each phase is timed after an untimed warm-up that runs until the runtime's tiered compilation has settled (its " +
                      $"worker thread under {N(LoadPhases.SettledJitShare * 100)} % of the service's CPU in two 2-second windows in a row; at least 2 s and 1,000 cases, " +
                      $"at most {N(LoadPhases.MaxWarmUp.TotalSeconds)} s). A freshly started service runs Tier-0 and instrumented code while that thread " +
                      "recompiles the hot methods, which on a busy 2-core machine takes tens of seconds; the warm-up column shows what requests cost in that window.");
        sb.AppendLine();
        sb.AppendLine("## In-process breakdown (single thread)");
        sb.AppendLine();
        sb.AppendLine("| Step | Cases | CPU per case | Wall per case | p50 | p99 |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var c in r.Cpu)
            sb.AppendLine($"| {(c.Name == "prepare" ? "Prepare (parse, validate, pseudonymise, canonical JSON, hash)" : "Pseudonymise only")} | {N(c.Cases)} | {N(c.CpuUsPerCase, 1)} µs | {N(c.WallUsPerCase, 1)} µs | {N(c.P50Us, 1)} µs | {N(c.P99Us, 1)} µs |");
        sb.AppendLine();
        sb.AppendLine("Both steps warm up until a whole pass over the cases compiles no method (at most 60 s), so the runtime's one-time JIT " +
                      "is not counted per case; JIT inside the timed part: " +
                      string.Join(", ", r.Cpu.Select(c => $"{(c.Name == "prepare" ? "Prepare" : "pseudonymise")} {N(c.JitUsPerCase, 1)} µs per case")) + ". " +
                      "CPU per case is the process's processor time over the timed part, all threads (the GC's included).");
        sb.AppendLine();
        sb.AppendLine("| Store (CaseStore.UpsertAsync, no HTTP, no Prepare) | Cases | Cases/s | Wall per case | CPU per case |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var s in r.Store)
            sb.AppendLine($"| {s.Name} | {N(s.Cases)} | {N(s.CasesPerSecond)} | {N(1_000_000 / Math.Max(s.CasesPerSecond, 1e-9), 0)} µs | {N(s.CpuUsPerCase, 0)} µs |");
        sb.AppendLine();
        sb.AppendLine($"Load on the machine when the run ended (1-minute load average): {r.LoadAverage}. ");
        sb.AppendLine($"Best batch rate: {N(bestBatch)} cases/s. Service CPU per case is the service process's user+system CPU time over the phase divided by the cases stored; " +
                      "the machine's cores are shared with the load generator.");
        return sb.ToString();
    }
}
