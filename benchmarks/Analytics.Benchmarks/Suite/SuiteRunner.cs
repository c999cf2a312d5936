using System.Diagnostics;
using System.Globalization;
using Analytics.Benchmarks.Training;

namespace Analytics.Benchmarks.Suite;

/// <summary>How one part of the suite went.</summary>
public sealed record PartRun(string Name, string Status, double Seconds, double BudgetSeconds, string? Command, double? DriverPeakMb, string? Problem)
{
    /// <summary>Folder the part wrote its JSON to, when not the report's folder.</summary>
    public string? Output { get; init; }

    public bool Completed => Status is "ok" or "completed with failures";
}

/// <summary>
/// <c>all</c>: runs every benchmark as a child process of this same binary (so each keeps its own entry point, options
/// and per-area files, and its memory is its own), each within a time budget, then writes one combined report with
/// the peers and goals as ratios. The HMAC comparison runs in this process, before the others load the machine.
/// </summary>
public static class SuiteRunner
{
    /// <summary>The whole suite's target on this 2-core machine with the default options.</summary>
    public const double TargetSeconds = 600;

    public static async Task<int> RunAsync(string[] args)
    {
        SuiteOptions options;
        try
        {
            options = SuiteOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(SuiteOptions.Usage);
            return 2;
        }
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        var ct = cts.Token;

        var root = RepositoryRoot();
        if (root is null)
        {
            Console.Error.WriteLine("Run from the repository (Analytics.sln not found above the working directory or the binary).");
            return 2;
        }
        var outDir = Path.GetFullPath(options.Out);
        Directory.CreateDirectory(outDir);
        var command = "dotnet run -c Release --project benchmarks/Analytics.Benchmarks -- all" + (args.Length > 0 ? " " + string.Join(' ', args) : "");
        var machine = MachineInfo.Read(root);
        var startedAt = DateTimeOffset.UtcNow;
        var uptimeBefore = LoadSampler.Uptime();
        await using var load = new LoadSampler();
        var plan = Plan(options, root);
        var budget = plan.Sum(p => p.Budget);
        Log($"benchmark suite: {string.Join(", ", plan.Select(p => $"{p.Name} (budget {p.Budget:F0} s)"))}; total budget {budget:F0} s");
        Log($"machine: {machine}");
        Log($"uptime:  {uptimeBefore}");
        if (budget > TargetSeconds)
            Log($"note: the budget ({budget:F0} s) is over the suite's {TargetSeconds:F0} s target because of the options given (--sizes 1m, a larger --query-cases or --budget-scale)");

        var total = Stopwatch.StartNew();
        var parts = new List<PartRun>();
        HmacReport? hmac = null;
        foreach (var part in plan)
        {
            if (ct.IsCancellationRequested) break;
            Log($"[{parts.Count + 1}/{plan.Count}] {part.Name}: {part.Description}");
            if (part.Name == "hmac")
            {
                var clock = Stopwatch.StartNew();
                hmac = await HmacPeer.RunAsync(options.Quick ? 1 : 2, ct);
                parts.Add(new PartRun("hmac", "ok", Math.Round(clock.Elapsed.TotalSeconds, 1), part.Budget, hmac.OpensslCommand, SelfPeakMb(), hmac.OpensslProblem));
            }
            else
            {
                parts.Add(await ChildAsync(part, root, ct));
            }
            var done = parts[^1];
            Log($"[{parts.Count}/{plan.Count}] {part.Name}: {done.Status} in {done.Seconds:F0} s of {part.Budget:F0} s{(done.Problem is null ? "" : $" ({done.Problem})")}; " +
                $"{total.Elapsed.TotalSeconds:F0} s so far, load average {LoadSampler.Current():F2}");
        }

        var report = SuiteReport.Build(new SuiteInputs(command, startedAt, DateTimeOffset.UtcNow, Math.Round(total.Elapsed.TotalSeconds, 1), budget, machine,
            new LoadFigures(load.Start, load.Max, load.Mean, LoadSampler.Current(), uptimeBefore, LoadSampler.Uptime(), machine.Cores),
            options, parts, hmac, outDir));
        await SuiteReport.WriteAsync(report, outDir, ct);
        Console.WriteLine();
        Console.WriteLine(SuiteReport.Markdown(report));
        try { Directory.Delete(Path.Combine(Path.GetTempPath(), $"analytics-suite-{Environment.ProcessId}"), recursive: true); }
        catch (DirectoryNotFoundException) { }
        catch (IOException) { }
        Log($"wrote {Path.Combine(outDir, "README.md")} (results section) and {Path.Combine(outDir, "results.json")} in {total.Elapsed.TotalSeconds:F0} s");
        return ct.IsCancellationRequested ? 130 : parts.All(p => p.Completed) ? 0 : 1;
    }

    public sealed record PlannedPart(string Name, string Description, double Budget, string[] Args, string? Output = null);

    /// <summary>
    /// The parts with their arguments and budgets. Budgets are what each part took here under load, with headroom:
    /// a part over its budget is stopped (with its child processes) and reported as such, and the suite goes on.
    /// </summary>
    public static List<PlannedPart> Plan(SuiteOptions o, string root)
    {
        var inv = CultureInfo.InvariantCulture;
        var list = new List<PlannedPart>();
        // Parts write their own reports to a scratch folder: the per-area files in docs/benchmarks stay those of the
        // standalone commands (which other work regenerates), and the combined report quotes this run only.
        string Scratch(string name) => Path.Combine(Path.GetTempPath(), $"analytics-suite-{Environment.ProcessId}", name);
        foreach (var name in o.Parts)
        {
            switch (name)
            {
                case "hmac":
                    list.Add(new("hmac", $"HMAC-SHA256 tokens/s of the tokeniser vs openssl speed at {string.Join(" / ", HmacPeer.InputSizes)} bytes", 30, []));
                    break;
                case "ingest":
                    var phase = o.Quick ? "3" : "6";
                    list.Add(new("ingest", $"HTTP single (16 workers) and batch ingestion against the service process, {phase} s phases",
                        o.Quick ? 90 : 120, ["ingest", "--seconds", phase, "--cases", o.Quick ? "1000" : "3000", "--out", Scratch("ingest")], Scratch("ingest")));
                    break;
                case "queries":
                    var seconds = o.Quick ? 3 : 10;
                    // Loading, training and aggregating take about 1 s per 500 cases here, then 4 endpoints × (seconds + warm-up).
                    var queryBudget = 60 + o.QueryCases / 250.0 + 4 * (seconds + 5);
                    list.Add(new("queries", $"analyst endpoint latency on {o.QueryCases:N0} stored cases, 16 clients × {seconds} s per endpoint",
                        Math.Round(queryBudget), ["queries", "--cases", o.QueryCases.ToString(inv), "--seconds", seconds.ToString(inv), "--out", Scratch("queries")], Scratch("queries")));
                    break;
                case "training":
                    // One child per size, so that a size that runs past its budget does not lose the smaller ones.
                    // About 2 s per 1,000 cases for prepare + k-means + FastTree on both engines here, plus start-ups.
                    foreach (var size in o.Sizes)
                    {
                        var work = Scratch("training-" + SuiteOptions.SizeText(size));
                        list.Add(new($"training {SuiteOptions.SizeText(size)}", $"k-means and FastTree vs scikit-learn at {SuiteOptions.SizeText(size)} cases",
                            Math.Round(30 + Math.Max(30, size * 0.002)), ["training", "--sizes", size.ToString(inv), "--steps", "kmeans,fasttree",
                                "--out", work, "--script", Path.Combine(root, "benchmarks", "training", "sklearn_bench.py"), "--work", Path.Combine(work, "data")], work));
                    }
                    break;
            }
        }
        return list.Select(p => p with { Budget = Math.Round(p.Budget * o.BudgetScale) }).ToList();
    }

    private static async Task<PartRun> ChildAsync(PlannedPart part, string root, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        // Under "dotnet Analytics.Benchmarks.dll" the process is the host: pass the assembly again.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            start.ArgumentList.Add(typeof(SuiteRunner).Assembly.Location);
        foreach (var a in part.Args) start.ArgumentList.Add(a);
        var shown = "dotnet run -c Release --project benchmarks/Analytics.Benchmarks -- " + string.Join(' ', part.Args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var prefix = $"    {part.Name} | ";
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine(prefix + e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine(prefix + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // VmHWM of the driver process is monotonic: the last sample before it exits is its peak.
        double? driverPeak = null;
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(TimeSpan.FromSeconds(part.Budget));
        var overBudget = false;
        try
        {
            while (!process.HasExited)
            {
                driverPeak = PeakMb(process.Id) ?? driverPeak;
                try { await process.WaitForExitAsync(budget.Token).WaitAsync(TimeSpan.FromSeconds(1), budget.Token); }
                catch (TimeoutException) { }
            }
        }
        catch (OperationCanceledException)
        {
            overBudget = !ct.IsCancellationRequested;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        process.WaitForExit(); // flushes the redirected output
        var seconds = Math.Round(clock.Elapsed.TotalSeconds, 1);
        var (status, problem) = overBudget ? ("over budget", $"stopped after {part.Budget:F0} s")
            : ct.IsCancellationRequested ? ("cancelled", null)
            : process.ExitCode == 0 ? ("ok", (string?)null)
            : process.ExitCode == 1 && part.Name is "ingest" or "queries" ? ("completed with failures", "some requests failed; see the per-area file")
            : ("failed", $"exit code {process.ExitCode}");
        return new PartRun(part.Name, status, seconds, part.Budget, shown, driverPeak is null ? null : Math.Round(driverPeak.Value, 1), problem) { Output = part.Output };
    }

    /// <summary>Peak resident memory (VmHWM) of a process in MB, or null when it is gone or this is not Linux.</summary>
    internal static double? PeakMb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return kb is null ? null : double.Parse(kb, CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }

    private static double? SelfPeakMb() => PeakMb(Environment.ProcessId) is { } mb ? Math.Round(mb, 1) : null;

    private static void Log(string text) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {text}");

    private static string? RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Analytics.sln"))) return dir.FullName;
        return null;
    }
}
