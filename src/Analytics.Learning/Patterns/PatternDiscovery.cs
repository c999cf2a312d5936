using Analytics.Core.Cases;
using Analytics.Learning.Features;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Analytics.Learning.Patterns;

/// <summary>The outcome of pattern discovery: the model, each input case's pattern and how k was chosen.</summary>
/// <param name="Model">The trained model.</param>
/// <param name="Assignments">Pattern id of each input profile, in input order.</param>
/// <param name="KScores">Silhouette and Davies–Bouldin for every k tried.</param>
public sealed record PatternDiscoveryResult(PatternModel Model, IReadOnlyList<int> Assignments, IReadOnlyList<KScore> KScores);

/// <summary>Finds recurring patterns in case profiles with ML.NET k-means.</summary>
public static class PatternDiscovery
{
    /// <summary>
    /// Clusters <paramref name="profiles"/> for every k in [MinK, MaxK] and keeps the k with the highest
    /// mean silhouette on a seeded sample of at most <see cref="PatternDiscoveryOptions.SilhouetteSampleSize"/>
    /// rows; silhouettes within <see cref="PatternDiscoveryOptions.SilhouetteTieTolerance"/> of the best are
    /// a tie, won by the lower Davies–Bouldin index, then by the smaller k. Each k is fitted
    /// <see cref="PatternDiscoveryOptions.Restarts"/> times from k-means++ starts drawn from one seeded
    /// MLContext, single-threaded, so the same data and seed always give the same assignments.
    /// </summary>
    /// <exception cref="ArgumentException">Too few profiles for the smallest k.</exception>
    public static PatternDiscoveryResult Discover(IReadOnlyList<CaseProfile> profiles, PatternDiscoveryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        options ??= new PatternDiscoveryOptions();
        if (options.MinK < 2 || options.MaxK < options.MinK)
            throw new ArgumentException($"Invalid k range {options.MinK}..{options.MaxK}: need 2 <= MinK <= MaxK.", nameof(options));
        if (profiles.Count < options.MinK * 2)
            throw new ArgumentException(
                $"Pattern discovery needs at least {options.MinK * 2} case profiles for k >= {options.MinK}; got {profiles.Count}.", nameof(profiles));

        var schema = FeatureSchema.Build(profiles, options.TopCountries);
        var vectors = profiles.Select(schema.Vectorize).ToList();
        var ml = new MLContext(options.Seed);
        var data = MlRows.Load(ml, vectors.Select(v => new FeatureRow { Features = v }), schema.Count);
        // Cache once: every k re-reads the data many times.
        data = ml.Data.Cache(data);

        var sample = Sample(vectors.Count, options.SilhouetteSampleSize, options.Seed);
        var distances = DistanceMatrix(vectors, sample);

        var maxK = Math.Min(options.MaxK, vectors.Count - 1);
        var fits = new List<Fit>();
        for (var k = options.MinK; k <= maxK; k++)
        {
            var fit = FitBest(ml, data, vectors, k, options);
            var sampleLabels = sample.Select(i => fit.Assignments[i]).ToList();
            fit.Score = new KScore(k,
                ClusterQuality.Silhouette(distances, sampleLabels),
                ClusterQuality.DaviesBouldin(vectors, fit.Assignments, fit.Centroids));
            fits.Add(fit);
        }

        var best = fits.Max(f => f.Score!.Silhouette);
        var chosen = fits.Where(f => f.Score!.Silhouette >= best - options.SilhouetteTieTolerance)
            .OrderBy(f => f.Score!.DaviesBouldin).ThenBy(f => f.Score!.K).First();

        var patterns = PatternProfiler.Build(schema, profiles, vectors, chosen.Assignments, chosen.Centroids.Count, options);
        var parameters = new Dictionary<string, double>
        {
            ["k"] = chosen.Centroids.Count,
            ["seed"] = options.Seed,
            ["minK"] = options.MinK,
            ["maxK"] = options.MaxK,
            ["restarts"] = options.Restarts,
            ["maxIterations"] = options.MaxIterations,
            ["silhouetteSampleSize"] = sample.Length,
            ["suppressionThreshold"] = options.SuppressionThreshold,
            ["topCountries"] = options.TopCountries,
        };
        var model = new PatternModel(schema, chosen.Centroids, patterns, chosen.Score!.Silhouette, chosen.Score.DaviesBouldin,
            parameters, chosen.Transformer, data.Schema);
        return new PatternDiscoveryResult(model, chosen.Assignments, fits.Select(f => f.Score!).ToList());
    }

    private sealed class Fit(ITransformer transformer, IReadOnlyList<float[]> centroids, int[] assignments, double inertia)
    {
        public ITransformer Transformer { get; } = transformer;
        public IReadOnlyList<float[]> Centroids { get; } = centroids;
        public int[] Assignments { get; } = assignments;
        public double Inertia { get; } = inertia;
        public KScore? Score { get; set; }
    }

    private static Fit FitBest(MLContext ml, IDataView data, IReadOnlyList<float[]> vectors, int k, PatternDiscoveryOptions options)
    {
        Fit? best = null;
        for (var r = 0; r < Math.Max(1, options.Restarts); r++)
        {
            var trainer = ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options
            {
                NumberOfClusters = k,
                InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
                MaximumNumberOfIterations = options.MaxIterations,
                // ML.NET documents its parallel k-means as not deterministic.
                NumberOfThreads = 1,
            });
            var transformer = trainer.Fit(data);
            VBuffer<float>[] centres = [];
            transformer.Model.GetClusterCentroids(ref centres, out var count);
            var centroids = centres.Take(count).Select(c => c.DenseValues().ToArray()).ToList();
            var assignments = new int[vectors.Count];
            double inertia = 0;
            for (var i = 0; i < vectors.Count; i++)
            {
                var bestD = double.PositiveInfinity;
                for (var c = 0; c < centroids.Count; c++)
                {
                    var d = ClusterQuality.SquaredDistance(vectors[i], centroids[c]);
                    if (d < bestD)
                    {
                        bestD = d;
                        assignments[i] = c;
                    }
                }
                inertia += bestD;
            }
            if (best is null || inertia < best.Inertia)
                best = new Fit(transformer, centroids, assignments, inertia);
        }
        return best!;
    }

    private static int[] Sample(int count, int size, int seed)
    {
        var indices = Enumerable.Range(0, count).ToArray();
        if (count <= size)
            return indices;
        new Random(seed).Shuffle(indices);
        var sample = indices[..size];
        Array.Sort(sample);
        return sample;
    }

    private static float[,] DistanceMatrix(IReadOnlyList<float[]> vectors, int[] sample)
    {
        var n = sample.Length;
        var d = new float[n, n];
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
                d[i, j] = d[j, i] = (float)ClusterQuality.Distance(vectors[sample[i]], vectors[sample[j]]);
        return d;
    }
}
