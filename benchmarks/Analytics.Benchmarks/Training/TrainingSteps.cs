using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Core.Cases;
using Analytics.Learning.Classification;
using Analytics.Learning.Features;
using Analytics.Learning.Patterns;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;

namespace Analytics.Benchmarks.Training;

/// <summary>Settings shared by the parent run, its child steps and the Python script (through meta.json).</summary>
public sealed record BenchSettings
{
    public int K { get; init; } = 10;
    public int Seed { get; init; } = 42;
    /// <summary>Threads of ML.NET trainers and scikit-learn; the platform trains with two.</summary>
    public int Threads { get; init; } = 2;
    public int MaxIterations { get; init; } = 100;
    /// <summary>Rows the released k-means is fitted on, exactly (both <see cref="PatternDiscoveryOptions.FinalFitSampleSize"/> and <see cref="PatternDiscoveryOptions.FinalFitAllRowsUpTo"/>); null = the platform's rule, 0 = all rows.</summary>
    public int? FinalFitSample { get; init; }

    /// <summary>The platform's classifier settings (<see cref="ClassifierOptions"/> defaults) with this seed and thread count.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ClassifierOptions Classifier => new() { Seed = Seed, Threads = Threads };
    public int Trees => Classifier.NumberOfTrees;
    public int Leaves => Classifier.NumberOfLeaves;
    public int MinLeaf => Classifier.MinimumExampleCountPerLeaf;
    public double LearningRate => Classifier.LearningRate;
    public double FeatureFraction => Classifier.FeatureFraction;
    public int MaximumTrainingRows => Classifier.MaximumTrainingRows;
    public double TestFraction => Classifier.TestFraction;
}

/// <summary>What one step measured, written by the child process as JSON.</summary>
public sealed record StepResult
{
    public string Engine { get; init; } = "ml.net";
    public string Step { get; init; } = "";
    public int Size { get; init; }
    /// <summary>Timed seconds of the step (training, or what the step says it times).</summary>
    public double Seconds { get; init; }
    /// <summary>Processor seconds of the process during <see cref="Seconds"/> (all threads): steadier than wall time on a shared machine.</summary>
    public double? CpuSeconds { get; init; }
    /// <summary>Seconds to read the shared CSV (not part of <see cref="Seconds"/>).</summary>
    public double? LoadSeconds { get; init; }
    /// <summary>Peak resident memory of the whole process (VmHWM / ru_maxrss), MB.</summary>
    public double PeakMb { get; init; }
    public Dictionary<string, double> Quality { get; init; } = [];
    public Dictionary<string, string> Notes { get; init; } = [];
}

/// <summary>The meta data written next to the exported matrix, read by sklearn_bench.py.</summary>
public sealed record BenchMeta(
    int Rows, int K, int Seed, int Threads, int MaxIterations, int Trees, int Leaves, int MinLeaf, double LearningRate,
    IReadOnlyList<string> Features, IReadOnlyList<string> ClassifierFeatures, IReadOnlyList<string> Classes);

/// <summary>The ML.NET steps, each run in its own child process so its peak memory is its own.</summary>
public static class TrainingSteps
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string FeaturesCsv(string work) => Path.Combine(work, "features.csv");
    public static string LabelsCsv(string work) => Path.Combine(work, "labels.csv");
    public static string MetaJson(string work) => Path.Combine(work, "meta.json");

    public static StepResult Run(string step, int size, string work, BenchSettings s) => step switch
    {
        "prepare" => Prepare(size, work, s),
        "kmeans" => KMeansFit(size, work, s),
        "kmeans-e2e" => KMeansEndToEnd(size, s, auto: false),
        "kmeans-auto" => KMeansEndToEnd(size, s, auto: true),
        "fasttree" => FastTreeFit(size, work, s),
        "classifier" => ClassifierEndToEnd(size, s),
        "service-load" => ServiceTraining.Load(size, work, s),
        "service-patterns" => ServiceTraining.Train(size, work, s, Analytics.Api.Learning.ModelNames.Patterns),
        "service-classifier" => ServiceTraining.Train(size, work, s, Analytics.Api.Learning.ModelNames.ExploitationType),
        _ => throw new ArgumentException($"Unknown step '{step}'."),
    };

    /// <summary>Processor time of this process so far (all threads), seconds.</summary>
    public static double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>Peak resident set of this process in MB (VmHWM), or NaN off Linux.</summary>
    public static double PeakMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException) { }
        return double.NaN;
    }

    // ---- prepare: profiles → feature matrix CSV + labels/split --------------------------------------

    private static StepResult Prepare(int size, string work, BenchSettings s)
    {
        Directory.CreateDirectory(work);
        var clock = Stopwatch.StartNew();
        var profiles = BenchmarkProfiles.Build(size, s.Seed);
        var build = clock.Elapsed.TotalSeconds;

        clock.Restart();
        FeatureSchema schema;
        using (var output = new FileStream(FeaturesCsv(work), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            schema = FeatureExport.WriteCsv(profiles, output);
        var export = clock.Elapsed.TotalSeconds;

        // Label = primary exploitation type; split = the classifier's stratified split (same rule as ClassifierTraining).
        var labels = profiles.Select(p => p.ExploitationTypes.Count > 0 ? p.ExploitationTypes[0] : null).ToList();
        var classes = labels.OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        var labelled = Enumerable.Range(0, size).Where(i => labels[i] is not null).ToList();
        var y = labelled.Select(i => classes.IndexOf(labels[i]!)).ToList();
        var (train, test) = ClassifierTraining.StratifiedSplit(y, s.TestFraction, s.Seed);
        // The platform's cap on training rows (a stratified subsample), so both engines train on the same rows.
        var fitted = ClassifierTraining.StratifiedSubsample(y, train, s.Classifier.MaximumTrainingRows, s.Seed);
        var split = new string[size];
        Array.Fill(split, "none");
        foreach (var t in fitted) split[labelled[t]] = "train";
        foreach (var t in test) split[labelled[t]] = "test";
        using (var writer = new StreamWriter(LabelsCsv(work), false, new UTF8Encoding(false)) { NewLine = "\n" })
        {
            writer.WriteLine("label,split");
            for (var i = 0; i < size; i++)
                writer.WriteLine($"{labels[i]},{split[i]}");
        }

        var classifierFeatures = schema.Names.Where(n => !ClassifierTraining.IsLeaking(ClassifierKind.ExploitationType, n)).ToList();
        var meta = new BenchMeta(size, s.K, s.Seed, s.Threads, s.MaxIterations, s.Trees, s.Leaves, s.MinLeaf, s.LearningRate,
            schema.Names, classifierFeatures, classes);
        File.WriteAllText(MetaJson(work), JsonSerializer.Serialize(meta, Json));
        return new StepResult
        {
            Step = "prepare",
            Size = size,
            Seconds = build + export,
            PeakMb = PeakMb(),
            Quality = new() { ["features"] = schema.Count, ["classes"] = classes.Count, ["trainRows"] = fitted.Count, ["trainRowsAvailable"] = train.Count, ["testRows"] = test.Count },
            Notes = new()
            {
                ["profilesSeconds"] = build.ToString("F2", CultureInfo.InvariantCulture),
                ["exportSeconds"] = export.ToString("F2", CultureInfo.InvariantCulture),
                ["csvMb"] = (new FileInfo(FeaturesCsv(work)).Length / 1048576.0).ToString("F0", CultureInfo.InvariantCulture),
            },
        };
    }

    // ---- reading the shared CSV ---------------------------------------------------------------------

    /// <summary>
    /// Reads the exported matrix (values are 0, 1 or short decimals) into one flat row-major array: the rows are counted
    /// first, so the array is allocated once at its final size and no object is made per row.
    /// </summary>
    public static (List<string> Names, FeatureMatrix Matrix) ReadMatrix(string path)
    {
        var rows = CountRows(path);
        List<string>? names = null;
        float[] values = [];
        var n = 0;
        ForEachRow(path, header =>
        {
            names = header;
            values = GC.AllocateUninitializedArray<float>(checked(rows * header.Count));
        }, (i, row) =>
        {
            row.CopyTo(values.AsSpan(i * row.Length, row.Length));
            n = i + 1;
        });
        if (n != rows)
            throw new InvalidDataException($"{path} changed while it was read: {rows} rows counted, {n} read.");
        return (names!, new FeatureMatrix(values, rows, names!.Count));
    }

    /// <summary>Data rows of the CSV (lines after the header), counted without parsing them.</summary>
    public static int CountRows(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var buffer = new byte[1 << 20];
        long lines = 0;
        var last = (byte)'\n';
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            last = buffer[read - 1];
        }
        if (last != (byte)'\n')
            lines++;
        return checked((int)Math.Max(0, lines - 1));
    }

    /// <summary>
    /// Streams the exported matrix: <paramref name="header"/> gets the column names, then <paramref name="row"/> gets each
    /// row's index and values in one reused buffer (copy what must be kept).
    /// </summary>
    public static void ForEachRow(string path, Action<List<string>> header, Action<int, float[]> row)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, false, 1 << 20);
        var names = reader.ReadLine()!.Split(',').ToList();
        header(names);
        var buffer = new float[names.Count];
        var index = 0;
        while (reader.ReadLine() is { } line)
        {
            var j = 0;
            var span = line.AsSpan();
            var start = 0;
            for (var i = 0; i <= span.Length; i++)
            {
                if (i < span.Length && span[i] != ',')
                    continue;
                if (j == buffer.Length)
                {
                    j++;
                    break;
                }
                buffer[j++] = ParseValue(span[start..i]);
                start = i + 1;
            }
            if (j != names.Count)
                throw new InvalidDataException($"Row {index + 1} of {path} has {(j > names.Count ? "more than " + names.Count : j)} values, the header {names.Count}.");
            row(index++, buffer);
        }
    }

    private static float ParseValue(ReadOnlySpan<char> s)
    {
        if (s.Length == 1 && s[0] is >= '0' and <= '9')
            return s[0] - '0';
        return float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static (List<string> Labels, List<string> Split) ReadLabels(string path)
    {
        var labels = new List<string>();
        var split = new List<string>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var comma = line.IndexOf(',');
            labels.Add(line[..comma]);
            split.Add(line[(comma + 1)..]);
        }
        return (labels, split);
    }

    // ---- k-means --------------------------------------------------------------------------------------

    private sealed class VectorRow
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class ProbabilityRow
    {
        public float Probability { get; set; }
    }

    private static IDataView Load<T>(MLContext ml, IEnumerable<T> rows, int width, int? classes = null) where T : class
    {
        var definition = SchemaDefinition.Create(typeof(T));
        definition["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        if (classes is { } n)
            definition["Label"].ColumnType = new KeyDataViewType(typeof(uint), n);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    /// <summary>ML.NET k-means (k-means++ start, one run, fixed k) on the shared matrix: like with like against sklearn.</summary>
    private static StepResult KMeansFit(int size, string work, BenchSettings s)
    {
        var clock = Stopwatch.StartNew();
        var (names, matrix) = ReadMatrix(FeaturesCsv(work));
        var load = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var cpu = Cpu();
        var ml = new MLContext(s.Seed);
        // ML.NET reads the rows straight out of the flat matrix. The enumerable view it read before took one seed of the
        // context; the same registration on an empty view keeps the k-means++ start, and the inertia, as they were.
        Load(ml, Array.Empty<VectorRow>(), names.Count);
        var data = matrix.ToDataView();
        var model = ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options
        {
            NumberOfClusters = s.K,
            InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
            MaximumNumberOfIterations = s.MaxIterations,
            NumberOfThreads = s.Threads,
        }).Fit(data);
        VBuffer<float>[] centres = [];
        model.Model.GetClusterCentroids(ref centres, out var count);
        var centroids = centres.Take(count).Select(c => c.DenseValues().ToArray()).ToList();
        var inertia = Inertia(matrix, centroids);
        var seconds = clock.Elapsed.TotalSeconds;
        cpu = Cpu() - cpu;
        return new StepResult
        {
            Step = "kmeans",
            Size = size,
            Seconds = seconds,
            CpuSeconds = cpu,
            LoadSeconds = load,
            PeakMb = PeakMb(),
            Quality = new() { ["inertia"] = inertia, ["k"] = count },
        };
    }

    private static double Inertia(FeatureMatrix matrix, IReadOnlyList<float[]> centroids)
    {
        double inertia = 0;
        for (var i = 0; i < matrix.Rows; i++)
        {
            var row = matrix.Row(i);
            var best = double.PositiveInfinity;
            foreach (var c in centroids)
            {
                double d = 0;
                for (var j = 0; j < row.Length; j++)
                {
                    var diff = row[j] - c[j];
                    d += diff * diff;
                }
                best = Math.Min(best, d);
            }
            inertia += best;
        }
        return inertia;
    }

    /// <summary>
    /// The platform's own path, <see cref="PatternDiscovery.Discover"/> from case profiles: vectorise, cache, fit,
    /// silhouette sample, Davies–Bouldin and pattern profiles. Fixed k with one run, or the default automatic k.
    /// </summary>
    private static StepResult KMeansEndToEnd(int size, BenchSettings s, bool auto)
    {
        var clock = Stopwatch.StartNew();
        var profiles = BenchmarkProfiles.Build(size, s.Seed);
        var build = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var cpu = Cpu();
        var options = auto
            ? new PatternDiscoveryOptions { Seed = s.Seed, Threads = s.Threads }
            : new PatternDiscoveryOptions { Seed = s.Seed, Threads = s.Threads, MinK = s.K, MaxK = s.K, Restarts = 1, MaxIterations = s.MaxIterations };
        if (s.FinalFitSample is { } sample)
            options = options with { FinalFitSampleSize = sample, FinalFitAllRowsUpTo = sample };
        var result = PatternDiscovery.Discover(profiles, options);
        var seconds = clock.Elapsed.TotalSeconds;
        cpu = Cpu() - cpu;

        var model = result.Model;
        // One row buffer, not a second matrix: the peak memory stays the discovery's own.
        var row = new float[model.Schema.Count];
        double inertia = 0;
        long nonZeros = 0;
        for (var i = 0; i < profiles.Count; i++)
        {
            var c = model.Centroids[result.Assignments[i]];
            model.Schema.Vectorize(profiles[i], row);
            for (var j = 0; j < c.Length; j++)
            {
                var diff = row[j] - c[j];
                inertia += diff * diff;
                if (row[j] != 0)
                    nonZeros++;
            }
        }
        return new StepResult
        {
            Step = auto ? "kmeans-auto" : "kmeans-e2e",
            Size = size,
            Seconds = seconds,
            CpuSeconds = cpu,
            PeakMb = PeakMb(),
            Quality = new()
            {
                ["k"] = model.K,
                ["silhouette"] = model.Silhouette,
                ["daviesBouldin"] = model.DaviesBouldin,
                ["inertia"] = inertia,
                ["kTried"] = result.KScores.Count,
                ["finalFitRows"] = model.Parameters["finalFitRows"],
                ["meanNonZeros"] = (double)nonZeros / profiles.Count,
            },
            Notes = new()
            {
                ["profilesSeconds"] = build.ToString("F2", CultureInfo.InvariantCulture),
                ["phases"] = string.Join(", ", result.Seconds.Select(p => $"{p.Key} {p.Value.ToString("F2", CultureInfo.InvariantCulture)}")),
            },
        };
    }

    // ---- FastTree ----------------------------------------------------------------------------------------

    /// <summary>One-versus-all FastTree (the classifier's settings) on the shared matrix and split.</summary>
    private static StepResult FastTreeFit(int size, string work, BenchSettings s)
    {
        var clock = Stopwatch.StartNew();
        var meta = JsonSerializer.Deserialize<BenchMeta>(File.ReadAllText(MetaJson(work)), Json)!;
        var (labels, split) = ReadLabels(LabelsCsv(work));
        var classes = meta.Classes.ToList();
        var columns = Array.Empty<int>();
        float[] Project(float[] r)
        {
            var x = new float[columns.Length];
            for (var j = 0; j < columns.Length; j++)
                x[j] = r[columns[j]];
            return x;
        }
        var trainX = new List<float[]>();
        var trainY = new List<int>();
        var testX = new List<VectorRow>();
        var testY = new List<int>();
        // Streamed: only the projected rows of the split are kept, never the whole matrix.
        ForEachRow(FeaturesCsv(work), names => columns = meta.ClassifierFeatures.Select(f => names.IndexOf(f)).ToArray(), (i, row) =>
        {
            if (split[i] == "train")
            {
                trainX.Add(Project(row));
                trainY.Add(classes.IndexOf(labels[i]));
            }
            else if (split[i] == "test")
            {
                testX.Add(new VectorRow { Features = Project(row) });
                testY.Add(classes.IndexOf(labels[i]));
            }
        });
        var load = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var cpu = Cpu();
        // The classifier's own fitting (FastTreeFitting: one model per class, one after the other, each on every thread,
        // from the rows handed over sparse), on the rows prepare marked "train".
        var models = FastTreeFitting.FitOneVersusAll(trainX, trainY, meta.Classes.Count, columns.Length, s.Classifier);
        var seconds = clock.Elapsed.TotalSeconds;
        cpu = Cpu() - cpu;

        clock.Restart();
        var ml = new MLContext(s.Seed);
        var test = Load(ml, testX, columns.Length);
        var perClass = models.Select(m => ml.Data.CreateEnumerable<ProbabilityRow>(m.Transform(test), reuseRowObject: true).Select(r => (double)r.Probability).ToArray()).ToArray();
        var probabilities = Enumerable.Range(0, testY.Count).Select(i => perClass.Select(p => p[i]).ToArray()).ToList();
        var predict = clock.Elapsed.TotalSeconds;
        var metrics = ClassificationMetrics.Compute(meta.Classes, testY, probabilities, trainX.Count);
        return new StepResult
        {
            Step = "fasttree",
            Size = size,
            Seconds = seconds,
            CpuSeconds = cpu,
            LoadSeconds = load,
            PeakMb = PeakMb(),
            Quality = new()
            {
                ["macroF1"] = metrics.MacroF1,
                ["accuracy"] = metrics.Accuracy,
                ["trainRows"] = trainX.Count,
                ["testRows"] = testY.Count,
                ["predictSeconds"] = predict,
            },
        };
    }

    /// <summary>
    /// The platform's own classifier training from case profiles (<see cref="ClassifierTraining"/>): features, split, FastTree
    /// fit, test-set evaluation and permutation importance, for exploitation type (one-versus-all) and child victim (binary).
    /// Profile building is not timed. Each phase's seconds are in the notes.
    /// </summary>
    private static StepResult ClassifierEndToEnd(int size, BenchSettings s)
    {
        var profiles = BenchmarkProfiles.Build(size, s.Seed);
        var clock = Stopwatch.StartNew();
        var cpu = Cpu();
        var exploitation = ClassifierTraining.TrainExploitationType(profiles, s.Classifier);
        var exploitationSeconds = clock.Elapsed.TotalSeconds;
        var exploitationCpu = Cpu() - cpu;
        var child = ClassifierTraining.TrainChildVictim(profiles, s.Classifier);
        var seconds = clock.Elapsed.TotalSeconds;
        cpu = Cpu() - cpu;
        string Phases(CaseClassifier c) => string.Join(", ", c.TrainingSeconds.Select(p => $"{p.Key} {p.Value.ToString("F2", CultureInfo.InvariantCulture)}"));
        return new StepResult
        {
            Step = "classifier",
            Size = size,
            Seconds = seconds,
            CpuSeconds = cpu,
            PeakMb = PeakMb(),
            Quality = new()
            {
                ["macroF1"] = exploitation.Metrics.MacroF1,
                ["accuracy"] = exploitation.Metrics.Accuracy,
                ["childMacroF1"] = child.Metrics.MacroF1,
                ["exploitationSeconds"] = exploitationSeconds,
                ["exploitationCpuSeconds"] = exploitationCpu,
                ["trainRows"] = exploitation.Parameters["trainingRowsUsed"],
            },
            Notes = new()
            {
                ["exploitationPhases"] = Phases(exploitation),
                ["childPhases"] = Phases(child),
                ["indicators"] = string.Join(",", exploitation.Indicators.Select(i => i.Feature)),
            },
        };
    }
}
