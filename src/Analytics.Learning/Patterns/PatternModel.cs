using System.IO.Compression;
using System.Text.Json;
using Analytics.Core.Cases;
using Analytics.Learning.Features;
using Microsoft.ML;

namespace Analytics.Learning.Patterns;

/// <summary>
/// A trained pattern model: the feature schema, the k-means centres (ML.NET model kept alongside)
/// and the released pattern profiles. Immutable, so one instance can serve many threads.
/// </summary>
public sealed class PatternModel
{
    private const string MlEntry = "kmeans.zip";
    private const string MetaEntry = "patterns.json";

    internal PatternModel(FeatureSchema schema, IReadOnlyList<float[]> centroids, IReadOnlyList<Pattern> patterns,
        double silhouette, double daviesBouldin, IReadOnlyDictionary<string, double> parameters, ITransformer transformer, DataViewSchema inputSchema)
    {
        Schema = schema;
        Centroids = centroids;
        Patterns = patterns;
        Silhouette = silhouette;
        DaviesBouldin = daviesBouldin;
        Parameters = parameters;
        Transformer = transformer;
        InputSchema = inputSchema;
    }

    /// <summary>The feature schema the centres are expressed in.</summary>
    public FeatureSchema Schema { get; }
    /// <summary>Number of patterns (k).</summary>
    public int K => Centroids.Count;
    /// <summary>Cluster centres, index = pattern id.</summary>
    public IReadOnlyList<float[]> Centroids { get; }
    /// <summary>Patterns by id; suppressed ones carry no profile.</summary>
    public IReadOnlyList<Pattern> Patterns { get; }
    /// <summary>Mean silhouette of the chosen clustering on the seeded sample (primary metric).</summary>
    public double Silhouette { get; }
    /// <summary>Davies–Bouldin index of the chosen clustering on all rows.</summary>
    public double DaviesBouldin { get; }
    /// <summary>Training parameters (k, seed, …) for the model card.</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; }
    /// <summary>The ML.NET k-means transformer.</summary>
    public ITransformer Transformer { get; }
    internal DataViewSchema InputSchema { get; }

    /// <summary>Metrics for the model card; the primary metric is "silhouette".</summary>
    public IReadOnlyDictionary<string, double> Metrics => new Dictionary<string, double>
    {
        ["silhouette"] = Silhouette,
        ["daviesBouldin"] = DaviesBouldin,
        ["k"] = K,
        ["suppressedPatterns"] = Patterns.Count(p => p.Suppressed),
    };

    /// <summary>The id of the nearest pattern.</summary>
    public int Assign(CaseProfile profile) => Assign(Schema.Vectorize(profile));

    internal int Assign(float[] vector)
    {
        var best = 0;
        var bestDistance = double.PositiveInfinity;
        for (var c = 0; c < Centroids.Count; c++)
        {
            var d = ClusterQuality.SquaredDistance(vector, Centroids[c]);
            if (d < bestDistance)
            {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /// <summary>The <paramref name="count"/> nearest patterns with Euclidean distances, nearest first.</summary>
    public IReadOnlyList<PatternDistance> Nearest(CaseProfile profile, int count = 3)
    {
        var vector = Schema.Vectorize(profile);
        return Centroids.Select((c, i) => (Id: i, Distance: ClusterQuality.Distance(vector, c)))
            .OrderBy(x => x.Distance).ThenBy(x => x.Id).Take(count)
            .Select(x => new PatternDistance(x.Id, x.Distance, Patterns[x.Id].Suppressed, Patterns[x.Id].Profile?.Label))
            .ToList();
    }

    /// <summary>
    /// The nearest pattern and its Euclidean distance, the first of <see cref="Nearest"/>(profile, 1), worked out without
    /// allocating: the profile's features are written into <paramref name="vector"/> (<see cref="FeatureSchema.Count"/> long),
    /// which the caller reuses from one case to the next. Ties go to the lower id, as in <see cref="Nearest"/>.
    /// </summary>
    public (int PatternId, double Distance) NearestPattern(CaseProfile profile, float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        if (Centroids.Count == 0) throw new InvalidOperationException("The pattern model has no patterns.");
        Schema.Vectorize(profile, vector);
        var best = 0;
        var bestDistance = double.PositiveInfinity;
        for (var c = 0; c < Centroids.Count; c++)
        {
            var d = ClusterQuality.Distance(vector, Centroids[c]);
            if (d < bestDistance)
            {
                best = c;
                bestDistance = d;
            }
        }
        return (best, bestDistance);
    }

    /// <summary>Writes the model (ML.NET model plus schema, centres and profiles) as one zip.</summary>
    public void Save(Stream output)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        using (var ml = zip.CreateEntry(MlEntry).Open())
        {
            // ML.NET writes through a seekable stream; buffer then copy into the entry.
            using var buffer = new MemoryStream();
            new MLContext().Model.Save(Transformer, InputSchema, buffer);
            buffer.Position = 0;
            buffer.CopyTo(ml);
        }
        using var meta = zip.CreateEntry(MetaEntry).Open();
        JsonSerializer.Serialize(meta, new Stored(Schema.Countries, Centroids, Patterns, Silhouette, DaviesBouldin, Parameters), LearningJson.Options);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    public static PatternModel Load(Stream input)
    {
        using var zip = new ZipArchive(input, ZipArchiveMode.Read, leaveOpen: true);
        using var buffer = new MemoryStream();
        using (var ml = zip.GetEntry(MlEntry)?.Open() ?? throw new InvalidDataException($"Pattern model has no {MlEntry}."))
            ml.CopyTo(buffer);
        buffer.Position = 0;
        var transformer = new MLContext().Model.Load(buffer, out var inputSchema);
        using var meta = zip.GetEntry(MetaEntry)?.Open() ?? throw new InvalidDataException($"Pattern model has no {MetaEntry}.");
        var stored = JsonSerializer.Deserialize<Stored>(meta, LearningJson.Options) ?? throw new InvalidDataException("Empty pattern model.");
        return new PatternModel(new FeatureSchema(stored.Countries), stored.Centroids, stored.Patterns,
            stored.Silhouette, stored.DaviesBouldin, stored.Parameters, transformer, inputSchema);
    }

    private sealed record Stored(IReadOnlyList<string> Countries, IReadOnlyList<float[]> Centroids, IReadOnlyList<Pattern> Patterns,
        double Silhouette, double DaviesBouldin, IReadOnlyDictionary<string, double> Parameters);
}
