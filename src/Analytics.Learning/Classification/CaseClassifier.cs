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
    private const string MetaEntry = "classifier.json";

    private readonly PredictionEnginePool<FeatureRow, MulticlassScore>? _multiclass;
    private readonly PredictionEnginePool<FeatureRow, BinaryScore>? _binary;
    private readonly int[] _columns;

    internal CaseClassifier(ClassifierKind kind, FeatureSchema schema, IReadOnlyList<string> features, IReadOnlyList<string> classes,
        IReadOnlyDictionary<string, double> parameters, ITransformer transformer, DataViewSchema inputSchema)
    {
        Kind = kind;
        Schema = schema;
        Features = features;
        Classes = classes;
        Parameters = parameters;
        Transformer = transformer;
        InputSchema = inputSchema;
        _columns = features.Select(f => schema.IndexOf(f) is var i and >= 0 ? i : throw new InvalidDataException($"Unknown feature '{f}'.")).ToArray();
        var ml = new MLContext();
        var input = MlRows.Definition<FeatureRow>(_columns.Length);
        if (kind == ClassifierKind.ChildVictim)
            _binary = new(ml, transformer, input);
        else
            _multiclass = new(ml, transformer, input);
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
    /// <summary>The ML.NET model.</summary>
    public ITransformer Transformer { get; }
    internal DataViewSchema InputSchema { get; }

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
        if (_binary is not null)
        {
            var p = Math.Clamp((double)_binary.Predict(row).Probability, 0, 1);
            return [1 - p, p];
        }
        return Normalise(_multiclass!.Predict(row).Score);
    }

    private static double[] Normalise(float[] scores)
    {
        // One-versus-all gives one calibrated probability per class; normalise them to sum to 1.
        var sum = scores.Sum(s => Math.Max(0.0, s));
        return sum > 0
            ? scores.Select(s => Math.Max(0.0, s) / sum).ToArray()
            : Enumerable.Repeat(1.0 / scores.Length, scores.Length).ToArray();
    }

    /// <summary>Probabilities for many projected rows in one ML.NET pass (used for evaluation).</summary>
    internal List<double[]> Probabilities(IReadOnlyList<float[]> rows)
    {
        var ml = new MLContext();
        var scored = Transformer.Transform(MlRows.Load(ml, rows.Select(r => new FeatureRow { Features = r }), _columns.Length));
        if (_binary is not null)
            return ml.Data.CreateEnumerable<BinaryScore>(scored, reuseRowObject: false)
                .Select(s => Math.Clamp((double)s.Probability, 0, 1)).Select(p => new[] { 1 - p, p }).ToList();
        return ml.Data.CreateEnumerable<MulticlassScore>(scored, reuseRowObject: false).Select(s => Normalise(s.Score)).ToList();
    }

    /// <summary>Writes the model (ML.NET model plus schema, classes, metrics and indicators) as one zip.</summary>
    public void Save(Stream output)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        using (var entry = zip.CreateEntry(MlEntry).Open())
        {
            using var buffer = new MemoryStream();
            new MLContext().Model.Save(Transformer, InputSchema, buffer);
            buffer.Position = 0;
            buffer.CopyTo(entry);
        }
        using var meta = zip.CreateEntry(MetaEntry).Open();
        JsonSerializer.Serialize(meta, new Stored(Kind, Schema.Countries, Features, Classes, Parameters, Metrics, Indicators), LearningJson.Options);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    public static CaseClassifier Load(Stream input)
    {
        using var zip = new ZipArchive(input, ZipArchiveMode.Read, leaveOpen: true);
        using var buffer = new MemoryStream();
        using (var entry = zip.GetEntry(MlEntry)?.Open() ?? throw new InvalidDataException($"Classifier has no {MlEntry}."))
            entry.CopyTo(buffer);
        buffer.Position = 0;
        var transformer = new MLContext().Model.Load(buffer, out var inputSchema);
        using var meta = zip.GetEntry(MetaEntry)?.Open() ?? throw new InvalidDataException($"Classifier has no {MetaEntry}.");
        var s = JsonSerializer.Deserialize<Stored>(meta, LearningJson.Options) ?? throw new InvalidDataException("Empty classifier.");
        return new CaseClassifier(s.Kind, new FeatureSchema(s.Countries), s.Features, s.Classes, s.Parameters, transformer, inputSchema)
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
