using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Learning.Patterns;

namespace Analytics.Benchmarks.Training;

/// <summary>
/// Training benchmark: ML.NET k-means and FastTree next to scikit-learn (KMeans, HistGradientBoostingClassifier)
/// on the same exported feature matrix. Each step runs in a fresh child process (this binary with <c>--step</c>,
/// or benchmarks/training/sklearn_bench.py) so that its peak memory is its own.
/// </summary>
public static class TrainingBenchmark
{
    public const string Usage = """
        usage: Analytics.Benchmarks training [--sizes 10k,100k] [--k 10] [--seed 42] [--threads 2]
                                             [--auto-k-up-to 100k] [--out docs/benchmarks] [--work DIR]
                                             [--python /usr/bin/python3] [--script benchmarks/training/sklearn_bench.py]
                                             [--no-sklearn] [--steps kmeans,kmeans-e2e,fasttree,classifier,kmeans-auto]
                                             [--final-fit-sample 30000]
          --sizes         case counts, e.g. 10k,100k,1m (default 10k,100k)
          --k             fixed number of clusters of the like-with-like k-means run (default 10)
          --threads       threads for ML.NET trainers, the platform's loops and scikit-learn's OpenMP/BLAS (default 2, as the platform trains)
          --steps         ML.NET steps after prepare (default all; sklearn runs kmeans/hgb only when kmeans/fasttree run)
          --auto-k-up-to  also run the platform's automatic-k discovery at sizes up to this (default 1m)
          --final-fit-sample  rows the pattern model's k-means is fitted on in kmeans-e2e/kmeans-auto (default: the platform's, 0 = all rows)

        One step in this process: training --step STEP --size N --work DIR --result FILE.json, where STEP is one of the above,
        prepare, or the service's own training on a SQLite store of N generated cases: service-load (fills DIR/service-N.db),
        then service-patterns or service-classifier (the train job of that model, as the service runs it).
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        if (options.Step is { } step)
        {
            var result = TrainingSteps.Run(step, options.Sizes[0], options.Work, options.Settings);
            await File.WriteAllTextAsync(options.Result!, JsonSerializer.Serialize(result, TrainingSteps.Json));
            return 0;
        }
        return await RunAllAsync(options, args);
    }

    private sealed record Options
    {
        public List<int> Sizes { get; init; } = [10_000, 100_000];
        public BenchSettings Settings { get; init; } = new();
        public int AutoKUpTo { get; init; } = 1_000_000;
        public string Out { get; init; } = "docs/benchmarks";
        public string Work { get; init; } = Path.Combine(Path.GetTempPath(), "analytics-training-bench");
        public string Python { get; init; } = "/usr/bin/python3";
        public string Script { get; init; } = "benchmarks/training/sklearn_bench.py";
        public bool Sklearn { get; init; } = true;
        public List<string> Steps { get; init; } = ["kmeans", "kmeans-e2e", "fasttree", "classifier", "kmeans-auto"];
        public string? Step { get; init; }
        public string? Result { get; init; }
    }

    private static Options? Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            try
            {
                o = args[i] switch
                {
                    "--sizes" => o with { Sizes = Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ParseSize).ToList() },
                    "--size" => o with { Sizes = [ParseSize(Next())] },
                    "--k" => o with { Settings = o.Settings with { K = int.Parse(Next(), CultureInfo.InvariantCulture) } },
                    "--seed" => o with { Settings = o.Settings with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) } },
                    "--threads" => o with { Settings = o.Settings with { Threads = int.Parse(Next(), CultureInfo.InvariantCulture) } },
                    "--auto-k-up-to" => o with { AutoKUpTo = ParseSize(Next()) },
                    "--final-fit-sample" => o with { Settings = o.Settings with { FinalFitSample = ParseSize(Next()) } },
                    "--out" => o with { Out = Next() },
                    "--work" => o with { Work = Next() },
                    "--python" => o with { Python = Next() },
                    "--script" => o with { Script = Next() },
                    "--no-sklearn" => o with { Sklearn = false },
                    "--steps" => o with { Steps = Next().Split(',', StringSplitOptions.RemoveEmptyEntries).ToList() },
                    "--step" => o with { Step = Next() },
                    "--result" => o with { Result = Next() },
                    _ => throw new ArgumentException($"Unknown option {args[i]}."),
                };
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return null;
            }
        }
        if (o.Sizes.Count == 0 || o.Sizes.Any(s => s < 100) || (o.Step is not null && o.Result is null))
            return null;
        return o;
    }

    /// <summary>"10k" → 10 000, "1m" → 1 000 000, "2500" → 2 500.</summary>
    public static int ParseSize(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        var factor = t.EndsWith('k') ? 1_000 : t.EndsWith('m') ? 1_000_000 : 1;
        if (factor > 1)
            t = t[..^1];
        return checked((int)(double.Parse(t, CultureInfo.InvariantCulture) * factor));
    }

    private static string SizeText(int n) => n % 1_000_000 == 0 ? $"{n / 1_000_000}M" : n % 1_000 == 0 ? $"{n / 1_000}k" : n.ToString(CultureInfo.InvariantCulture);

    private static async Task<int> RunAllAsync(Options o, string[] args)
    {
        var command = "dotnet run -c Release --project benchmarks/Analytics.Benchmarks -- training" + (args.Length > 0 ? " " + string.Join(' ', args) : "");
        Console.WriteLine($"$ {command}");
        if (o.Sklearn && !File.Exists(o.Script))
        {
            Console.Error.WriteLine($"error: {o.Script} not found: run from the repository root, or pass --script.");
            return 2;
        }
        var results = new List<StepResult>();
        var loadBefore = LoadAverage();
        var total = Stopwatch.StartNew();
        foreach (var size in o.Sizes)
        {
            var work = Path.Combine(o.Work, SizeText(size));
            Directory.CreateDirectory(work);
            var steps = new List<string> { "prepare" };
            steps.AddRange(o.Steps.Where(s => s != "prepare" && (s != "kmeans-auto" || size <= o.AutoKUpTo)));
            foreach (var step in steps)
            {
                var r = await ChildAsync(o, step, size, work);
                if (r is null)
                    return 1;
                results.Add(r);
                if (step == "prepare" && o.Sklearn)
                {
                    foreach (var py in new[] { "kmeans", "hgb" }.Where(p => o.Steps.Contains(p == "hgb" ? "fasttree" : p)))
                    {
                        var s = await PythonAsync(o, py, size, work);
                        if (s is null)
                            return 1;
                        results.Add(s);
                    }
                }
            }
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }

        var markdown = Markdown(o.Settings, o.Sizes, results, command, total.Elapsed, $"{loadBefore} before, {LoadAverage()} after");
        Console.WriteLine();
        Console.WriteLine(markdown);
        Directory.CreateDirectory(o.Out);
        await File.WriteAllTextAsync(Path.Combine(o.Out, "training.md"), markdown);
        await File.WriteAllTextAsync(Path.Combine(o.Out, "training.json"), JsonSerializer.Serialize(new
        {
            command,
            machine = new { cores = Environment.ProcessorCount, os = System.Runtime.InteropServices.RuntimeInformation.OSDescription, dotnet = Environment.Version.ToString() },
            settings = o.Settings,
            profiles = new { BenchmarkProfiles.BaseCount, BenchmarkProfiles.JitterShare },
            results,
        }, TrainingSteps.Json));
        Console.WriteLine($"wrote {Path.Combine(o.Out, "training.md")} and training.json ({total.Elapsed.TotalSeconds:F0} s)");
        return 0;
    }

    private static async Task<StepResult?> ChildAsync(Options o, string step, int size, string work)
    {
        var result = Path.Combine(work, $"result-{step}.json");
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        // Under "dotnet Analytics.Benchmarks.dll" the process is the host: pass the assembly again.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            start.ArgumentList.Add(typeof(TrainingBenchmark).Assembly.Location);
        foreach (var a in new[] { "training", "--step", step, "--size", size.ToString(CultureInfo.InvariantCulture), "--work", work, "--result", result,
                     "--k", o.Settings.K.ToString(CultureInfo.InvariantCulture), "--seed", o.Settings.Seed.ToString(CultureInfo.InvariantCulture),
                     "--threads", o.Settings.Threads.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        if (o.Settings.FinalFitSample is { } sample)
        {
            start.ArgumentList.Add("--final-fit-sample");
            start.ArgumentList.Add(sample.ToString(CultureInfo.InvariantCulture));
        }
        return await RunAsync(start, result, $"ml.net {step} {SizeText(size)}");
    }

    private static async Task<StepResult?> PythonAsync(Options o, string step, int size, string work)
    {
        var result = Path.Combine(work, $"result-sklearn-{step}.json");
        var start = new ProcessStartInfo(o.Python) { UseShellExecute = false };
        foreach (var a in new[] { o.Script, "--step", step, "--work", work, "--result", result })
            start.ArgumentList.Add(a);
        var threads = o.Settings.Threads.ToString(CultureInfo.InvariantCulture);
        start.Environment["OMP_NUM_THREADS"] = threads;
        start.Environment["OPENBLAS_NUM_THREADS"] = threads;
        var r = await RunAsync(start, result, $"sklearn {step} {SizeText(size)}");
        return r is null ? null : r with { Size = size };
    }

    private static async Task<StepResult?> RunAsync(ProcessStartInfo start, string result, string title)
    {
        Console.Write($"{title} … ");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || !File.Exists(result))
        {
            Console.Error.WriteLine($"\nerror: {title} failed (exit code {process.ExitCode}).");
            return null;
        }
        var r = JsonSerializer.Deserialize<StepResult>(await File.ReadAllTextAsync(result), TrainingSteps.Json)!;
        Console.WriteLine($"{r.Seconds:F2} s, peak {r.PeakMb:F0} MB (process {clock.Elapsed.TotalSeconds:F1} s)");
        return r;
    }

    // ---- report ----------------------------------------------------------------------------------------

    private static string F(double v, string format = "F2") => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The 1-minute load average: the machine is shared, so other work can slow the steps down.</summary>
    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    /// <summary>
    /// The paragraph of the report that points to the hand-written notes: the changes made to make training fast and
    /// every measured round live there, so that a rerun, which rewrites training.md, keeps them.
    /// </summary>
    public const string NotesPointer = """
        What was changed to make training fast, and every measured round (before and after each change, and the
        variants measured but not adopted), are in [`training-notes.md`](training-notes.md), which this command leaves as it is.
        """;

    /// <summary>The report written to training.md: the run's table, a pointer to the notes and how it is measured.</summary>
    /// <summary>One of issue #4's training goals against this run; <see cref="Met"/> is null when the run did not measure it.</summary>
    public sealed record TrainingGoal(string Goal, double? Measured, string Unit, bool? Met, string? Note = null);

    /// <summary>
    /// Issue #4's goals judged on the ML.NET steps of a run: k-means end to end (automatic k when the run has it, else the
    /// fixed-k run) ≤ 2 s at 100k and ≤ 15 s at 1M, the FastTree one-versus-all fit ≤ 5 s at 100k, and the largest peak
    /// memory of the training steps at 1M under 1.5 GB (1,500 MB).
    /// </summary>
    public static IReadOnlyList<TrainingGoal> Goals(IReadOnlyList<StepResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        StepResult? Net(int size, string step) => results.FirstOrDefault(r => r.Engine == "ml.net" && r.Size == size && r.Step == step);
        var goals = new List<TrainingGoal>();
        void Time(string goal, int size, double limit, params string[] steps)
        {
            var result = steps.Select(step => Net(size, step)).FirstOrDefault(r => r is not null);
            goals.Add(new TrainingGoal(goal, result?.Seconds, "s", result is null ? null : result.Seconds <= limit,
                result is null || steps.Length == 1 ? null : result.Step == "kmeans-auto" ? "automatic k" : "fixed k"));
        }
        Time("k-means end to end ≤ 2 s at 100k", 100_000, 2, "kmeans-auto", "kmeans-e2e");
        Time("k-means end to end ≤ 15 s at 1M", 1_000_000, 15, "kmeans-auto", "kmeans-e2e");
        Time("FastTree ≤ 5 s at 100k (one-versus-all fit)", 100_000, 5, "fasttree");
        var atMillion = results.Where(r => r.Engine == "ml.net" && r.Size == 1_000_000 && r.Step is not ("prepare" or "service-load")).ToList();
        var peak = atMillion.Count == 0 ? (double?)null : atMillion.Max(r => r.PeakMb);
        goals.Add(new TrainingGoal("training at 1M under 1.5 GB (largest peak of the training steps)", peak, "MB", peak is null ? null : peak < 1_500,
            peak is null ? null : atMillion.MaxBy(r => r.PeakMb)!.Step));
        return goals;
    }

    public static string Markdown(BenchSettings s, IReadOnlyList<int> sizes, IReadOnlyList<StepResult> results, string command, TimeSpan elapsed, string load)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(results);
        var p = new PatternDiscoveryOptions();
        var finalFit = s.FinalFitSample switch
        {
            null => "",
            0 => "; this run: all rows",
            { } n => string.Create(CultureInfo.InvariantCulture, $"; this run: {n:N0} rows"),
        };
        var sb = new StringBuilder();
        sb.AppendLine("# Training benchmark: ML.NET next to scikit-learn");
        sb.AppendLine();
        sb.AppendLine("```");
        sb.AppendLine(command);
        sb.AppendLine("```");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}. " +
            $"Threads: {s.Threads} for ML.NET trainers, the platform's own loops and scikit-learn (OMP_NUM_THREADS/OPENBLAS_NUM_THREADS). Whole run: {elapsed.TotalSeconds:F0} s. CPU s = processor time of the timed part, all threads. " +
            $"1-minute load average {load} (the machine is shared with other work: times under load are upper bounds).");
        sb.AppendLine();
        sb.AppendLine("| size | step | ML.NET s | ML.NET CPU s | sklearn s | sklearn CPU s | ratio | ML.NET MB | sklearn MB | quality ML.NET vs sklearn |");
        sb.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var size in sizes)
        {
            StepResult? Get(string engine, string step) => results.FirstOrDefault(r => r.Size == size && r.Engine == engine && r.Step == step);
            void Row(string label, StepResult? net, StepResult? py, string quality)
            {
                var ratio = net is not null && py is not null && py.Seconds > 0 ? F(net.Seconds / py.Seconds, "F1") + "×" : "";
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {SizeText(size)} | {label} | {(net is null ? "" : F(net.Seconds))} | {(net?.CpuSeconds is { } nc ? F(nc) : "")} | {(py is null ? "" : F(py.Seconds))} | {(py?.CpuSeconds is { } pc ? F(pc) : "")} | {ratio} | {(net is null ? "" : F(net.PeakMb, "F0"))} | {(py is null ? "" : F(py.PeakMb, "F0"))} | {quality} |");
            }
            double Q(StepResult? r, string key) => r is not null && r.Quality.TryGetValue(key, out var v) ? v : double.NaN;

            var prepare = Get("ml.net", "prepare");
            Row("profiles + CSV export", prepare, null,
                prepare is null ? "" : $"{Q(prepare, "features"):F0} features, {prepare.Notes.GetValueOrDefault("csvMb")} MB CSV; profiles {prepare.Notes.GetValueOrDefault("profilesSeconds")} s, export {prepare.Notes.GetValueOrDefault("exportSeconds")} s");
            var km = Get("ml.net", "kmeans");
            var skm = Get("sklearn", "kmeans");
            Row($"k-means k={s.K}, 1 init (fit)", km, skm, $"inertia {F(Q(km, "inertia"), "N0")} vs {F(Q(skm, "inertia"), "N0")}; CSV read {F(km?.LoadSeconds ?? double.NaN)} vs {F(skm?.LoadSeconds ?? double.NaN)} s");
            var e2e = Get("ml.net", "kmeans-e2e");
            Row($"k-means k={s.K} end to end (PatternDiscovery)", e2e, null, $"inertia {F(Q(e2e, "inertia"), "N0")}, silhouette {F(Q(e2e, "silhouette"), "F3")}, {F(Q(e2e, "meanNonZeros"), "F1")} non-zeros per row; s: {e2e?.Notes.GetValueOrDefault("phases")}");
            var auto = Get("ml.net", "kmeans-auto");
            if (auto is not null)
                Row("k-means automatic k (PatternDiscovery defaults)", auto, null, $"k = {Q(auto, "k"):F0} of {Q(auto, "kTried"):F0} tried, silhouette {F(Q(auto, "silhouette"), "F3")}, inertia {F(Q(auto, "inertia"), "N0")}; s: {auto.Notes.GetValueOrDefault("phases")}");
            var ft = Get("ml.net", "fasttree");
            var hgb = Get("sklearn", "hgb");
            Row($"exploitation type: FastTree OVA vs HistGradientBoosting ({s.Trees} iterations, {s.Leaves} leaves)", ft, hgb,
                $"macro-F1 {F(Q(ft, "macroF1"), "F3")} vs {F(Q(hgb, "macroF1"), "F3")}; accuracy {F(Q(ft, "accuracy"), "F3")} vs {F(Q(hgb, "accuracy"), "F3")}");
            var classifier = Get("ml.net", "classifier");
            if (classifier is not null)
                Row("classifiers end to end (ClassifierTraining: exploitation type + child victim)", classifier, null,
                    $"macro-F1 {F(Q(classifier, "macroF1"), "F3")} (child victim {F(Q(classifier, "childMacroF1"), "F3")}); exploitation type {F(Q(classifier, "exploitationSeconds"))} s, " +
                    $"CPU {F(Q(classifier, "exploitationCpuSeconds"))} s: {classifier.Notes.GetValueOrDefault("exploitationPhases")}");
        }
        sb.AppendLine();
        sb.AppendLine("Goals of issue #4 (a size this run did not measure is not judged):");
        sb.AppendLine();
        sb.AppendLine("| goal | measured | met |");
        sb.AppendLine("|---|---:|:---:|");
        foreach (var goal in Goals(results))
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {goal.Goal} | {(goal.Measured is { } m ? $"{F(m, goal.Unit == "MB" ? "N0" : "F2")} {goal.Unit}{(goal.Note is null ? "" : $" ({goal.Note})")}" : "not run")} | {goal.Met switch { true => "yes", false => "**no**", null => "" }} |");
        sb.AppendLine();
        sb.AppendLine(NotesPointer);
        sb.AppendLine();
        sb.AppendLine("## How it is measured");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"""
            - **Data.** Generated cases (seed {s.Seed}). Up to {BenchmarkProfiles.BaseCount:N0} cases come from `CaseGenerator`; `CaseProfile`s are built straight from the
              `CaseSubmission` with the pseudonymiser's generalisation (age → band, date → year-month), without HMAC tokens or text scrubbing,
              which are not what is measured. Larger sizes replicate those profiles with seeded jitter: each field group (victims, suspects,
              recruitment, means of control, route, evidence, payment) comes from another random base profile with probability {BenchmarkProfiles.JitterShare}.
            - **Same matrix.** The `prepare` step writes the feature matrix with `FeatureExport.WriteCsv` plus `labels.csv`
              (primary exploitation type and the classifier's stratified 80/20 split, seed {s.Seed}); both engines read these files.
              CSV reading is reported apart and is not in the training time.
            - **k-means (fit).** ML.NET `KMeansTrainer` (k-means++ start, ≤ {s.MaxIterations} iterations, one run) vs
              `KMeans(n_clusters={s.K}, init="k-means++", n_init=1, max_iter={s.MaxIterations}, random_state={s.Seed})`; time = fit + assignment/inertia.
              Inertia = sum of squared distances to the nearest centre, the same definition on both sides.
            - **k-means end to end.** `PatternDiscovery.Discover` from profiles (schema, vectorisation into one float matrix, candidate k on
              the {p.FitSampleSize:N0}-row fit sample, one ML.NET k-means fit on all rows up to {p.FinalFitAllRowsUpTo:N0} (above that on a seeded half, at most {p.FinalFitSampleSize:N0}) and assignment of
              every row, {p.SilhouetteSampleSize:N0}-row silhouette, Davies–Bouldin on all rows, pattern profiles) with MinK = MaxK = {s.K} and one run
              (`--final-fit-sample N` fits on exactly N rows, 0 = all rows{finalFit}); *automatic k* uses the platform defaults (k = {p.MinK}…{p.MaxK}, {p.Restarts} runs each on the sample).
              Profile building is not in the time but is in the peak memory.
            - **Classifier.** ML.NET one-versus-all FastTree ({s.Trees} trees, {s.Leaves} leaves, ≥ {s.MinLeaf} rows per leaf, learning rate {s.LearningRate})
              vs `HistGradientBoostingClassifier(max_iter={s.Trees}, max_leaf_nodes={s.Leaves}, min_samples_leaf={s.MinLeaf}, learning_rate={s.LearningRate}, early_stopping=False)`
              on the same columns (exploitation and sector columns left out, as `ClassifierTraining` does) and the same split. Both grow
              {s.Trees} trees per class (OVA binary models vs a softmax model). Time = fit; macro-F1 over the classes present in the test set.
              FastTree runs with the classifier's own fitting (`FastTreeFitting.FitOneVersusAll`: the class models one after the other, each on
              {s.Threads} thread{(s.Threads == 1 ? "" : "s")}, the training rows handed to FastTree sparse (only their non-zero columns), feature fraction {s.FeatureFraction} drawn with the
              classifier's seed, no disk transpose); above {s.MaximumTrainingRows:N0} training rows both engines train on the same stratified
              subsample (`ClassifierTraining.StratifiedSubsample`), the test split is never reduced.
            - **Classifiers end to end.** `ClassifierTraining.TrainExploitationType` then `TrainChildVictim` from profiles, as the retrain
              job runs them: schema and matrix, split, fit, test-set evaluation, permutation importance (2 rounds on 2,000 test rows).
              Profile building is not in the time. The seconds of each phase of the exploitation-type model are in the quality column.
            - **Memory.** Every step runs in a fresh process; peak = VmHWM of the `dotnet` child (/proc/self/status) or `ru_maxrss` of the
              Python child, so it includes the runtime, the CSV rows held in memory and the model.
            """);
        return sb.ToString();
    }
}
