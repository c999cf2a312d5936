using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Analytics.Benchmarks.Suite;

public sealed record LoadFigures(double Start, double Max, double Mean, double End, string UptimeBefore, string UptimeAfter, int Cores)
{
    /// <summary>Other work ran on the machine while measuring: more runnable threads than cores at some point.</summary>
    public bool Shared => Max > Cores;
}

public sealed record SuiteInputs(
    string Command, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, double Seconds, double BudgetSeconds, MachineInfo Machine, LoadFigures Load,
    SuiteOptions Options, IReadOnlyList<PartRun> Parts, HmacReport? Hmac, string OutDir);

/// <summary>
/// One measured figure next to what it is compared with. <see cref="Ratio"/> is always measured ÷ reference;
/// <see cref="Better"/> says which side of 1 is good ("higher" for rates, "lower" for times, latency and memory).
/// </summary>
public sealed record Comparison(string Area, string Figure, double Measured, string Unit, string Reference, double? ReferenceValue, double? Ratio, string Better, bool? Met);

/// <summary>ML.NET next to scikit-learn for one model at one size.</summary>
public sealed record TrainingPair(
    int Size, string Model, string Peer, double? Seconds, double? PeerSeconds, double? TimeRatio, double? PeakMb, double? PeerPeakMb, double? MemoryRatio,
    string QualityMetric, double? Quality, double? PeerQuality);

public sealed record MemoryPeak(string Part, string Process, double? PeakMb, string Note);

public sealed record SuiteResult(
    string Command, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, double Seconds, double BudgetSeconds, MachineInfo Machine, LoadFigures Load,
    bool Quick, IReadOnlyList<int> TrainingSizes, int QueryCases, IReadOnlyList<PartRun> Parts, IReadOnlyList<Comparison> Comparisons,
    IReadOnlyList<TrainingPair> Training, IReadOnlyList<MemoryPeak> Memory, HmacReport? Hmac, IReadOnlyList<string> Notes);

/// <summary>Reads the per-area JSON files the parts wrote, and turns them with the HMAC figures into one report.</summary>
public static class SuiteReport
{
    public const string BeginMarker = "<!-- results:begin (written by the `all` benchmark command; edits inside are overwritten) -->";
    public const string EndMarker = "<!-- results:end -->";

    // Issue #2 (ingestion) and issue #5 (queries) goals on this 2-core machine.
    public const double SingleGoal = 2_500, BatchGoal = 10_000, PseudonymisationGoalUs = 100, MemoryGoalMb = 300;
    public const double AggregateP50GoalMs = 5, AggregateP99GoalMs = 25, AggregateRateGoal = 2_000, MatchP99GoalMs = 20;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static SuiteResult Build(SuiteInputs s)
    {
        var comparisons = new List<Comparison>();
        var training = new List<TrainingPair>();
        var memory = new List<MemoryPeak>();
        var notes = new List<string>();
        JsonNode? Read(string part, string file)
        {
            var run = s.Parts.FirstOrDefault(p => p.Name == part);
            var path = Path.Combine(run?.Output ?? s.OutDir, file);
            // Only a file this run wrote: a failed part must not report an older run's figures.
            if (run is null || !run.Completed || !File.Exists(path) || File.GetLastWriteTimeUtc(path) < s.StartedAt.UtcDateTime) return null;
            try { return JsonNode.Parse(File.ReadAllText(path)); }
            catch (JsonException e) { notes.Add($"{file} could not be read: {e.Message}"); return null; }
        }

        if (s.Hmac is { } hmac)
        {
            foreach (var r in hmac.Sizes)
            {
                comparisons.Add(Peer("hmac", $"Tokeniser.Token, {r.InputBytes}-byte input (tokens/s, 1 thread)", r.TokeniserPerSecond, "tokens/s", $"openssl HMAC-SHA256 {r.InputBytes} bytes", r.OpensslPerSecond));
                comparisons.Add(Peer("hmac", $".NET HMAC-SHA256 (IncrementalHash), {r.InputBytes} bytes (MACs/s, 1 thread)", r.DotnetHmacPerSecond, "MACs/s", $"openssl HMAC-SHA256 {r.InputBytes} bytes", r.OpensslPerSecond));
            }
            if (hmac.OpensslProblem is not null) notes.Add($"HMAC peer: {hmac.OpensslProblem}.");
            memory.Add(new("hmac", "suite process", s.Parts.FirstOrDefault(p => p.Name == "hmac")?.DriverPeakMb, "VmHWM of the suite process after the in-process HMAC part"));
        }

        if (Read("ingest", "ingestion.json") is { } ingest)
        {
            var http = ingest["http"]?.AsArray() ?? [];
            foreach (var h in http)
            {
                var batch = Int(h?["batchSize"]);
                var rate = Num(h?["casesPerSecond"]);
                if (rate is null) continue;
                comparisons.Add(batch <= 1
                    ? Goal("ingest", $"HTTP single-case POSTs, {Int(h?["concurrency"])} concurrent (cases/s)", rate.Value, "cases/s", SingleGoal, "higher")
                    : Goal("ingest", $"HTTP NDJSON batches of {batch:N0}, {Int(h?["concurrency"])} senders (cases/s)", rate.Value, "cases/s", BatchGoal, "higher"));
                // Where the processor time per case alone rules the goal out, say so: no scheduling would reach it.
                var goal = batch <= 1 ? SingleGoal : BatchGoal;
                if (Num(h?["serverCpuUsPerCase"]) is { } service && Num(h?["clientCpuUsPerCase"]) is { } client && Int(ingest["cores"]) is > 0 and var cores
                    && service + client > 0 && cores * 1_000_000 / (service + client) is var ceiling && ceiling < goal)
                    notes.Add(string.Create(CultureInfo.InvariantCulture,
                        $"Ingest, {(batch <= 1 ? "single-case POSTs" : $"NDJSON batches of {batch:N0}")}: {service:N0} µs of service and {client:N0} µs of load-client processor time per case; " +
                        $"at that cost the {cores} cores give at most {ceiling:N0} cases/s, below the goal of {goal:N0}."));
            }
            var pseudo = ingest["cpu"]?.AsArray().FirstOrDefault(c => (string?)c?["name"] == "pseudonymise");
            if (Num(pseudo?["cpuUsPerCase"]) is { } us)
                comparisons.Add(Goal("ingest", "Pseudonymisation CPU per case (µs, 1 thread)", us, "µs", PseudonymisationGoalUs, "lower"));
            if (Num(ingest["steadyStateRssMb"]) is { } steady)
                comparisons.Add(Goal("ingest", "Service memory, steady state under load (RSS, MB)", steady, "MB", MemoryGoalMb, "lower"));
            memory.Add(new("ingest", "service", Num(ingest["peakRssMb"]), $"VmHWM of the Analytics.Api process; steady state under load {Num(ingest["steadyStateRssMb"]):F0} MB"));
        }

        if (Read("queries", "queries.json") is { } queries)
        {
            foreach (var q in queries["results"]?.AsArray() ?? [])
            {
                var endpoint = (string?)q?["Endpoint"] ?? "?";
                var match = endpoint.Contains("/match", StringComparison.Ordinal);
                if (Num(q?["P50Ms"]) is { } p50)
                    comparisons.Add(match ? Plain("queries", $"`{endpoint}` p50 (ms)", p50, "ms") : Goal("queries", $"`{endpoint}` p50 (ms)", p50, "ms", AggregateP50GoalMs, "lower"));
                if (Num(q?["P99Ms"]) is { } p99)
                    comparisons.Add(Goal("queries", $"`{endpoint}` p99 (ms)", p99, "ms", match ? MatchP99GoalMs : AggregateP99GoalMs, "lower"));
                if (Num(q?["RequestsPerSecond"]) is { } rps)
                    comparisons.Add(match ? Plain("queries", $"`{endpoint}` req/s", rps, "req/s") : Goal("queries", $"`{endpoint}` req/s", rps, "req/s", AggregateRateGoal, "higher"));
            }
            memory.Add(new("queries", "service", Num(queries["peakMb"]),
                $"VmHWM of the Analytics.Api process holding {Int(queries["cases"]):N0} cases (loading, training, aggregating, then serving)"));
            if (Int(queries["cases"]) < 1_000_000)
                notes.Add($"Queries ran on {Int(queries["cases"]):N0} stored cases to stay within the budget; issue #5 states its goals for 1M cases " +
                          "(`queries --cases 1000000` on its own measures that; loading alone takes longer than the suite's ten minutes here).");
        }

        foreach (var size in s.Options.Sizes)
        {
            var part = $"training {SuiteOptions.SizeText(size)}";
            var steps = Read(part, "training.json") is { } trainingJson
                ? (trainingJson["results"]?.AsArray() ?? []).Where(r => r is not null).Select(r => r!).ToList()
                : FinishedSteps(s.Parts.FirstOrDefault(p => p.Name == part), size, s.StartedAt);
            if (steps.Count == 0) continue;
            if (s.Parts.FirstOrDefault(p => p.Name == part) is { Completed: false } unfinished)
                notes.Add($"Part {part} was {unfinished.Status}: the steps that finished before it stopped ({string.Join(", ", steps.Select(r => $"{r["engine"]} {r["step"]}"))}) are reported.");
            JsonNode? Step(int n, string engine, string step) => steps.FirstOrDefault(r => Int(r["size"]) == n && (string?)r["engine"] == engine && (string?)r["step"] == step);
            {
                foreach (var (model, peer, net, py, metric) in new[]
                         {
                             ("ML.NET k-means (k-means++, 1 init)", "scikit-learn KMeans", "kmeans", "kmeans", "inertia"),
                             ("ML.NET FastTree one-vs-all", "scikit-learn HistGradientBoostingClassifier", "fasttree", "hgb", "macroF1"),
                         })
                {
                    var a = Step(size, "ml.net", net);
                    var b = Step(size, "sklearn", py);
                    if (a is null && b is null) continue;
                    double? sa = Num(a?["seconds"]), sb = Num(b?["seconds"]), ma = Num(a?["peakMb"]), mb = Num(b?["peakMb"]);
                    training.Add(new(size, model, peer, Round(sa, 2), Round(sb, 2), Div(sa, sb), Round(ma, 0), Round(mb, 0), Div(ma, mb), metric,
                        Round(Num(a?["quality"]?[metric]), metric == "inertia" ? 0 : 3), Round(Num(b?["quality"]?[metric]), metric == "inertia" ? 0 : 3)));
                }
                var prepare = Step(size, "ml.net", "prepare");
                var peaks = steps.Where(r => Int(r["size"]) == size).Select(r => ((string?)r["engine"], Num(r["peakMb"]))).ToList();
                memory.Add(new("training", $"ML.NET steps, {SuiteOptions.SizeText(size)}", Round(peaks.Where(p => p.Item1 == "ml.net").Max(p => p.Item2), 0),
                    $"largest VmHWM of the ML.NET step processes (profile building and CSV export: {F(Num(prepare?["peakMb"]), 0)} MB)"));
                memory.Add(new("training", $"scikit-learn steps, {SuiteOptions.SizeText(size)}", Round(peaks.Where(p => p.Item1 == "sklearn").Max(p => p.Item2), 0),
                    "largest ru_maxrss of the Python step processes"));
            }
        }
        if (!s.Options.Sizes.Contains(1_000_000))
            notes.Add("Training at 1M is opt-in (`--sizes 10k,100k,1m`): its budget, sized for a busy machine, does not fit the ten-minute target (on a quiet machine its steps took about 3 minutes).");

        foreach (var p in s.Parts.Where(p => p.Name != "hmac"))
            memory.Add(new(p.Name, "benchmark driver", p.DriverPeakMb, "VmHWM of the child process that drove the part (load client, or the training orchestrator)"));
        foreach (var p in s.Parts.Where(p => !p.Completed && !notes.Any(n => n.StartsWith($"Part {p.Name} was", StringComparison.Ordinal))))
            notes.Add($"Part {p.Name}: {p.Status}{(p.Problem is null ? "" : $" ({p.Problem})")}; its figures are missing above.");
        if (s.Load.Shared)
            notes.Add($"The machine was shared with other work while measuring: the 1-minute load average reached {s.Load.Max:F2} on {s.Load.Cores} cores " +
                      $"(mean {s.Load.Mean:F2}). Rates are lower and times higher than on a quiet machine; ratios between figures of the same part are the firmer figures.");

        return new SuiteResult(s.Command, s.StartedAt, s.FinishedAt, s.Seconds, s.BudgetSeconds, s.Machine, s.Load, s.Options.Quick, s.Options.Sizes, s.Options.QueryCases,
            s.Parts, comparisons, training, memory, s.Hmac, notes);
    }

    /// <summary>
    /// The step results a training part left in its work folder (one JSON file per step, written as each step ends),
    /// for a part stopped before it wrote training.json.
    /// </summary>
    private static List<JsonNode> FinishedSteps(PartRun? run, int size, DateTimeOffset since)
    {
        var dir = run?.Output is null ? null : Path.Combine(run.Output, "data", SuiteOptions.SizeText(size));
        if (dir is null || !Directory.Exists(dir)) return [];
        var steps = new List<JsonNode>();
        foreach (var file in Directory.GetFiles(dir, "result-*.json").Order(StringComparer.Ordinal))
        {
            if (File.GetLastWriteTimeUtc(file) < since.UtcDateTime) continue;
            try
            {
                if (JsonNode.Parse(File.ReadAllText(file)) is { } step)
                {
                    // sklearn_bench.py records the rows of meta.json; the parent run sets the size as the ML.NET steps do.
                    step["size"] = (double)size; // read back with Num, which reads doubles
                    steps.Add(step);
                }
            }
            catch (JsonException) { }
        }
        return steps;
    }

    public static async Task WriteAsync(SuiteResult r, string outDir, CancellationToken ct)
    {
        await File.WriteAllTextAsync(Path.Combine(outDir, "results.json"), JsonSerializer.Serialize(r, Json) + "\n", ct);
        var readme = Path.Combine(outDir, "README.md");
        var existing = File.Exists(readme) ? await File.ReadAllTextAsync(readme, ct) : "# Benchmarks\n";
        await File.WriteAllTextAsync(readme, ReplaceResults(existing, Markdown(r)), ct);
    }

    /// <summary>Puts <paramref name="results"/> between the markers of <paramref name="document"/>, or appends it with markers.</summary>
    public static string ReplaceResults(string document, string results)
    {
        var block = BeginMarker + "\n\n" + results.TrimEnd() + "\n\n" + EndMarker;
        var begin = document.IndexOf("<!-- results:begin", StringComparison.Ordinal);
        var end = document.IndexOf(EndMarker, StringComparison.Ordinal);
        if (begin >= 0 && end > begin)
            return document[..begin] + block + document[(end + EndMarker.Length)..];
        return document.TrimEnd() + "\n\n" + block + "\n";
    }

    public static string Markdown(SuiteResult r)
    {
        var sb = new StringBuilder();
        void Line(string text = "") => sb.Append(text).Append('\n');
        Line("## Latest results");
        Line();
        Line($"Command: `{r.Command}`{(r.Quick ? " (quick: short phases and small sizes, rough figures)" : "")}");
        Line();
        Line($"Run {r.StartedAt:yyyy-MM-dd HH:mm} UTC, {F(r.Seconds, 0)} s in all (budget {F(r.BudgetSeconds, 0)} s), on {r.Machine}.");
        Line();
        Line($"Load (1-minute average): {F(r.Load.Start, 2)} at the start, {F(r.Load.Max, 2)} at most, {F(r.Load.Mean, 2)} on average, {F(r.Load.End, 2)} at the end, on {r.Load.Cores} cores" +
             (r.Load.Shared ? ": **the machine was shared with other work while measuring**." : "."));
        Line($"`uptime` before: `{r.Load.UptimeBefore}`; after: `{r.Load.UptimeAfter}`.");
        Line();
        Line("| Part | Status | Seconds | Budget s | Command |");
        Line("|---|---|---:|---:|---|");
        foreach (var p in r.Parts)
            Line($"| {p.Name} | {p.Status}{(p.Problem is null ? "" : $" ({p.Problem})")} | {F(p.Seconds, 0)} | {F(p.BudgetSeconds, 0)} | {(p.Command is null ? "" : $"`{p.Command}`")} |");
        Line();

        Section("HMAC-SHA256: the tokeniser vs openssl (peer)", "hmac", "openssl figure", "measured ÷ openssl");
        Section("Ingestion vs the issue #2 goals", "ingest", "goal", "measured ÷ goal");
        Section("Query latency vs the issue #5 goals", "queries", "goal", "measured ÷ goal");

        if (r.Training.Count > 0)
        {
            Line("### Training: ML.NET vs scikit-learn (peer), same exported feature matrix");
            Line();
            Line("| Size | ML.NET model | Peer | ML.NET s | Peer s | Time ratio | ML.NET MB | Peer MB | Memory ratio | Quality ML.NET | Quality peer |");
            Line("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var t in r.Training)
                Line($"| {SuiteOptions.SizeText(t.Size)} | {t.Model} | {t.Peer} | {F(t.Seconds, 2)} | {F(t.PeerSeconds, 2)} | {X(t.TimeRatio)} | {F(t.PeakMb, 0)} | {F(t.PeerPeakMb, 0)} | {X(t.MemoryRatio)} | " +
                     $"{t.QualityMetric} {F(t.Quality, t.QualityMetric == "inertia" ? 0 : 3)} | {t.QualityMetric} {F(t.PeerQuality, t.QualityMetric == "inertia" ? 0 : 3)} |");
            Line();
            Line("Time and memory ratios are ML.NET ÷ scikit-learn (below 1: ML.NET faster or smaller). Inertia: lower is better (same definition on both sides); macro-F1: higher is better.");
            Line();
        }

        if (r.Memory.Count > 0)
        {
            Line("### Memory peaks");
            Line();
            Line("| Part | Process | Peak MB | What |");
            Line("|---|---|---:|---|");
            foreach (var m in r.Memory)
                Line($"| {m.Part} | {m.Process} | {F(m.PeakMb, 0)} | {m.Note} |");
            Line();
        }

        if (r.Notes.Count > 0)
        {
            Line("### Notes");
            Line();
            foreach (var n in r.Notes) Line($"- {n}");
            Line();
        }
        return sb.ToString();

        void Section(string title, string area, string referenceHeader, string ratioHeader)
        {
            var rows = r.Comparisons.Where(c => c.Area == area).ToList();
            if (rows.Count == 0) return;
            Line($"### {title}");
            Line();
            Line($"| Figure | Measured | {char.ToUpperInvariant(referenceHeader[0])}{referenceHeader[1..]} | Ratio ({ratioHeader}) | Better | Met |");
            Line("|---|---:|---:|---:|:---:|:---:|");
            foreach (var c in rows)
            {
                var reference = c.ReferenceValue is null ? c.Reference : $"{(c.Better == "higher" && area != "hmac" ? "≥ " : c.Better == "lower" && area != "hmac" ? "≤ " : "")}{Amount(c.ReferenceValue.Value, area == "hmac" ? "MACs/s" : c.Unit, goal: area != "hmac")}";
                Line($"| {c.Figure} | {Amount(c.Measured, c.Unit)} | {reference} | {X(c.Ratio)} | {c.Better} | {(c.Met is null ? "" : c.Met.Value ? "yes" : "**no**")} |");
            }
            Line();
        }
    }

    private static Comparison Peer(string area, string figure, double measured, string unit, string reference, double? referenceValue) =>
        new(area, figure, measured, unit, referenceValue is null ? "openssl not measured" : reference, referenceValue, Div(measured, referenceValue), "higher", null);

    private static Comparison Goal(string area, string figure, double measured, string unit, double goal, string better) =>
        new(area, figure, Math.Round(measured, 2), unit, better == "higher" ? $"≥ {goal}" : $"≤ {goal}", goal, Div(measured, goal), better,
            better == "higher" ? measured >= goal : measured <= goal);

    private static Comparison Plain(string area, string figure, double measured, string unit) =>
        new(area, figure, Math.Round(measured, 2), unit, "no goal", null, null, unit == "req/s" ? "higher" : "lower", null);

    private static double? Num(JsonNode? n) =>
        n is JsonValue v && v.TryGetValue<double>(out var d) && double.IsFinite(d) ? d : null;

    private static int Int(JsonNode? n) => Num(n) is { } d ? (int)d : 0;

    private static double? Round(double? v, int digits) => v is null ? null : Math.Round(v.Value, digits);

    private static double? Div(double? a, double? b) => a is null || b is null || b.Value == 0 ? null : Math.Round(a.Value / b.Value, 3);

    private static string F(double? v, int digits) => v is null || double.IsNaN(v.Value) ? "–" : v.Value.ToString("N" + digits, CultureInfo.InvariantCulture);

    private static string X(double? ratio) => ratio is null ? "–" : ratio.Value.ToString(ratio.Value < 10 ? "0.00" : "N1", CultureInfo.InvariantCulture) + "×";

    private static string Amount(double v, string unit, bool goal = false) => unit switch
    {
        "tokens/s" or "MACs/s" or "cases/s" or "req/s" => $"{F(v, 0)} {unit}",
        "µs" or "ms" => $"{F(v, goal ? 0 : 2)} {unit}",
        _ => $"{F(v, 0)} {unit}",
    };
}
