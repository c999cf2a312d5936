using System.IO.Compression;
using System.Text.Json;
using Analytics.Core.Cases;
using Analytics.Learning.Features;
using Analytics.Learning.Registry;
using Microsoft.ML;

namespace Analytics.Learning.Classification;

/// <summary>
/// A trained FastTree classifier over case profiles with its metrics and top indicators.
/// Immutable after training; <see cref="Predict"/> is thread-safe (it rents engines from a pool).
/// </summary>
public sealed class CaseClassifier
{
    private const string MlEntry = "fasttree.zip";
    private const string ClassEntryPrefix = "fasttree-class-";
    private const string MetaEntry = "classifier.json";

    // Either one pool per class model (binary models: one), or one pool over a stored one-versus-all transformer.
    private readonly PredictionEnginePool<FeatureRow, BinaryScore>[] _binary = [];
    private readonly PredictionEnginePool<FeatureRow, MulticlassScore>? _multiclass;
    private readonly int[] _columns;

    internal CaseClassifier(ClassifierKind kind, FeatureSchema schema, IReadOnlyList<string> features, IReadOnlyList<string> classes,
        IReadOnlyDictionary<string, double> parameters, IReadOnlyList<ITransformer> models, DataViewSchema inputSchema)
    {
        Kind = kind;
        Schema = schema;
        Features = features;
        Classes = classes;
        Parameters = parameters;
        Models = models;
        InputSchema = inputSchema;
        _columns = features.Select(f => schema.IndexOf(f) is var i and >= 0 ? i : throw new InvalidDataException($"Unknown feature '{f}'.")).ToArray();
        var ml = new MLContext();
        var input = MlRows.Definition<FeatureRow>(_columns.Length);
        var expected = kind == ClassifierKind.ChildVictim ? 1 : classes.Count;
        if (kind == ClassifierKind.ExploitationType && models.Count == 1 && classes.Count > 1)
            _multiclass = new(ml, models[0], input); // One stored one-versus-all transformer.
        else if (models.Count == expected)
            _binary = models.Select(m => new PredictionEnginePool<FeatureRow, BinaryScore>(ml, m, input)).ToArray();
        else
            throw new InvalidDataException($"A {kind} classifier of {classes.Count} classes needs {expected} models; got {models.Count}.");
    }

    /// <summary>What the model predicts.</summary>
    public ClassifierKind Kind { get; }
    /// <summary>The full feature schema profiles are encoded with.</summary>
    public FeatureSchema Schema { get; }
    /// <summary>The schema columns the model reads (leaking columns removed), in model order.</summary>
    public IReadOnlyList<string> Features { get; }
    /// <summary>Class names in score order.</summary>
    public IReadOnlyList<string> Classes { get; }
    /// <summary>Training parameters for the model card.</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; }
    /// <summary>Test-set metrics.</summary>
    public ClassifierMetrics Metrics { get; internal set; } = null!;
    /// <summary>Features whose permutation hurts the model most, most important first.</summary>
    public IReadOnlyList<FeatureImportance> Indicators { get; internal set; } = [];
    /// <summary>
    /// The ML.NET models: one calibrated binary FastTree per class for exploitation type (class i against the rest), one
    /// for child victim; a logistic regression instead for a class with a handful of training rows
    /// (<see cref="FastTreeFitting.MinimumRowsPerSide"/>).
    /// </summary>
    public IReadOnlyList<ITransformer> Models { get; }
    /// <summary>Seconds of each training phase (features, fit, evaluation, importance); not stored with the model.</summary>
    public IReadOnlyDictionary<string, double> TrainingSeconds { get; internal set; } = new Dictionary<string, double>();
    internal DataViewSchema InputSchema { get; }

    /// <summary>Prefix of the parameters that hold the labelled cases of each class.</summary>
    public const string CasesParameter = "cases.";

    /// <summary>How many labelled cases of <paramref name="className"/> the model was trained and tested on; null for a model stored without the count.</summary>
    public int? LabelledCases(string className) =>
        Parameters.TryGetValue(CasesParameter + className, out var n) ? (int)n : null;

    /// <summary>Class probabilities for one profile, most likely first.</summary>
    public IReadOnlyList<ClassProbability> Predict(CaseProfile profile)
    {
        var p = Probabilities(MlRows.Project(Schema.Vectorize(profile), _columns));
        return p.Select((x, i) => new ClassProbability(Classes[i], x)).OrderByDescending(c => c.Probability).ThenBy(c => c.Class, StringComparer.Ordinal).ToList();
    }

    internal float[] Project(float[] full) => MlRows.Project(full, _columns);

    /// <summary>Probabilities in <see cref="Classes"/> order for a projected feature vector.</summary>
    internal double[] Probabilities(float[] features)
    {
        var row = new FeatureRow { Features = features };
        if (_multiclass is not null)
            return Normalise(_multiclass.Predict(row).Score);
        if (Kind == ClassifierKind.ChildVictim)
        {
            var p = Math.Clamp((double)_binary[0].Predict(row).Probability, 0, 1);
            return [1 - p, p];
        }
        var scores = new float[_binary.Length];
        for (var c = 0; c < scores.Length; c++)
            scores[c] = _binary[c].Predict(row).Probability;
        return Normalise(scores);
    }

    private static double[] Normalise(float[] scores)
    {
        // One-versus-all gives one calibrated probability per class; normalise them to sum to 1 (a NaN or negative counts as 0).
        var sum = scores.Sum(s => s > 0 ? (double)s : 0);
        return sum > 0
            ? scores.Select(s => s > 0 ? s / sum : 0).ToArray()
            : Enumerable.Repeat(1.0 / scores.Length, scores.Length).ToArray();
    }

    /// <summary>Probabilities for many projected rows, one ML.NET pass per model (used for evaluation).</summary>
    internal List<double[]> Probabilities(IReadOnlyList<float[]> rows) =>
        Probabilities(MlRows.Load(new MLContext(), rows.Select(r => new FeatureRow { Features = r }), _columns.Length), rows.Count);

    /// <summary>
    /// Probabilities for the <paramref name="count"/> rows of <paramref name="input"/> (a view with the projected
    /// <c>Features</c> column, such as <see cref="FeatureMatrix.ToDataView"/>), one ML.NET pass per model.
    /// </summary>
    internal List<double[]> Probabilities(IDataView input, int count)
    {
        var ml = new MLContext();
        if (_multiclass is not null)
            return ml.Data.CreateEnumerable<MulticlassScore>(Models[0].Transform(input), reuseRowObject: false).Select(s => Normalise(s.Score)).ToList();
        var perModel = Models.Select(m => ml.Data.CreateEnumerable<BinaryScore>(m.Transform(input), reuseRowObject: true).Select(s => s.Probability).ToArray()).ToArray();
        if (Kind == ClassifierKind.ChildVictim)
            return perModel[0].Select(p => Math.Clamp((double)p, 0, 1)).Select(p => new[] { 1 - p, p }).ToList();
        var result = new List<double[]>(count);
        var scores = new float[perModel.Length];
        for (var i = 0; i < count; i++)
        {
            for (var c = 0; c < scores.Length; c++)
                scores[c] = perModel[c][i];
            result.Add(Normalise(scores));
        }
        return result;
    }

    /// <summary>Writes the models (one ML.NET model per class, plus schema, classes, metrics and indicators) as one zip.</summary>
    public void Save(Stream output)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var single = _multiclass is not null;
        for (var i = 0; i < Models.Count; i++)
        {
            using var entry = zip.CreateEntry(single ? MlEntry : $"{ClassEntryPrefix}{i}.zip").Open();
            using var buffer = new MemoryStream();
            new MLContext().Model.Save(Models[i], InputSchema, buffer);
            buffer.Position = 0;
            buffer.CopyTo(entry);
        }
        using var meta = zip.CreateEntry(MetaEntry).Open();
        JsonSerializer.Serialize(meta, new Stored(Kind, Schema.Countries, Features, Classes, Parameters, Metrics, Indicators), LearningJson.Options);
    }

    /// <summary>Reads a model written by <see cref="Save"/> (also the single one-versus-all transformer of earlier versions).</summary>
    public static CaseClassifier Load(Stream input)
    {
        using var zip = new ZipArchive(input, ZipArchiveMode.Read, leaveOpen: true);
        var entries = zip.GetEntry(MlEntry) is { } one
            ? [one]
            : zip.Entries.Where(e => e.FullName.StartsWith(ClassEntryPrefix, StringComparison.Ordinal))
                .OrderBy(e => int.Parse(e.FullName[ClassEntryPrefix.Length..^4], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        if (entries.Count == 0)
            throw new InvalidDataException("Classifier has no model entry.");
        var models = new List<ITransformer>();
        DataViewSchema? inputSchema = null;
        foreach (var e in entries)
        {
            using var buffer = new MemoryStream();
            using (var entry = e.Open())
                entry.CopyTo(buffer);
            buffer.Position = 0;
            models.Add(new MLContext().Model.Load(buffer, out inputSchema));
        }
        using var meta = zip.GetEntry(MetaEntry)?.Open() ?? throw new InvalidDataException($"Classifier has no {MetaEntry}.");
        var s = JsonSerializer.Deserialize<Stored>(meta, LearningJson.Options) ?? throw new InvalidDataException("Empty classifier.");
        return new CaseClassifier(s.Kind, new FeatureSchema(s.Countries), s.Features, s.Classes, s.Parameters, models, inputSchema!)
        {
            Metrics = s.Metrics,
            Indicators = s.Indicators,
        };
    }

    private sealed record Stored(ClassifierKind Kind, IReadOnlyList<string> Countries, IReadOnlyList<string> Features, IReadOnlyList<string> Classes,
        IReadOnlyDictionary<string, double> Parameters, ClassifierMetrics Metrics, IReadOnlyList<FeatureImportance> Indicators);
}

internal sealed class MulticlassScore
{
    public float[] Score { get; set; } = [];
}

internal sealed class BinaryScore
{
    public float Probability { get; set; }
}
