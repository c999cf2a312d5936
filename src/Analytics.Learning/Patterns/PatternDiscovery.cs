using System.Globalization;
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
public sealed record PatternDiscoveryResult(PatternModel Model, IReadOnlyList<int> Assignments, IReadOnlyList<KScore> KScores)
{
    /// <summary>Seconds of each phase (schema, features, choosing k, final fit, quality, profiles), each followed by the
    /// process's processor seconds in it ("chooseK CPU"); not stored with the model.</summary>
    public IReadOnlyDictionary<string, double> Seconds { get; init; } = new Dictionary<string, double>();
}

/// <summary>Finds recurring patterns in case profiles with ML.NET k-means.</summary>
public static class PatternDiscovery
{
    /// <summary>
    /// Chooses k in [MinK, MaxK] on a seeded sample, then fits the released model once with ML.NET k-means and assigns every row.
    /// </summary>
    /// <remarks>
    /// <para>Choosing k: a seeded sample of at most <see cref="PatternDiscoveryOptions.FitSampleSize"/> rows is clustered
    /// for every candidate k (<see cref="PatternDiscoveryOptions.Restarts"/> k-means++ starts each, lowest inertia kept); the
    /// k with the highest mean silhouette on the first <see cref="PatternDiscoveryOptions.SilhouetteSampleSize"/> rows of that
    /// sample wins; silhouettes within <see cref="PatternDiscoveryOptions.SilhouetteTieTolerance"/> of the best are a tie, won
    /// by the lower Davies–Bouldin index (on the fit sample), then by the smaller k. With a single candidate nothing is
    /// fitted on the sample: its score is the model's.</para>
    /// <para>The model: ML.NET k-means with the chosen k, single-threaded from one seeded MLContext, on all rows or, above
    /// <see cref="PatternDiscoveryOptions.FinalFitAllRowsUpTo"/> rows, on a seeded sample (<see cref="PatternDiscoveryOptions.FinalFitRows"/>); ML.NET reads the rows
    /// straight out of the feature matrix. <see cref="PatternDiscoveryOptions.Restarts"/> runs when all rows fit in the
    /// k sample, else one. Every row is then assigned to its nearest centre (two threads), so the same data and seed always
    /// give the same assignments. Its silhouette (same sample) and Davies–Bouldin (all rows) are the model's metrics.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">Too few profiles for the smallest k.</exception>
    public static PatternDiscoveryResult Discover(IReadOnlyList<CaseProfile> profiles, PatternDiscoveryOptions? options = null) =>
        Discover(profiles, options, null);

    /// <summary>
    /// <see cref="Discover(IReadOnlyList{CaseProfile}, PatternDiscoveryOptions?)"/>, telling <paramref name="progress"/> what it
    /// is doing at the start of each phase (plain text, counts only).
    /// </summary>
    public static PatternDiscoveryResult Discover(IReadOnlyList<CaseProfile> profiles, PatternDiscoveryOptions? options, IProgress<string>? progress)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        options ??= new PatternDiscoveryOptions();
        if (options.MinK < 2 || options.MaxK < options.MinK)
            throw new ArgumentException($"Invalid k range {options.MinK}..{options.MaxK}: need 2 <= MinK <= MaxK.", nameof(options));
        if (profiles.Count < options.MinK * 2)
            throw new ArgumentException(
                $"Pattern discovery needs at least {options.MinK * 2} case profiles for k >= {options.MinK}; got {profiles.Count}.", nameof(profiles));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var seconds = new Dictionary<string, double>();
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        void Phase(string name)
        {
            seconds[name] = clock.Elapsed.TotalSeconds;
            clock.Restart();
            // Processor time of the phase, all threads of the process: wall seconds alone mislead on a shared machine.
            process.Refresh();
            var now = process.TotalProcessorTime;
            seconds[name + " CPU"] = (now - cpu).TotalSeconds;
            cpu = now;
        }
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"building the features of {profiles.Count:N0} cases"));
        var schema = FeatureSchema.Build(profiles, options.TopCountries);
        Phase("schema");
        var matrix = FeatureMatrix.Build(schema, profiles, options.Threads);
        Phase("features");
        var n = matrix.Rows;

        // One seeded permutation: its first rows are the fit sample, the first of those the silhouette sample.
        var order = Enumerable.Range(0, n).ToArray();
        new Random(options.Seed).Shuffle(order);
        var fitRows = order[..Math.Min(n, Math.Max(options.FitSampleSize, options.MinK * 2))];
        Array.Sort(fitRows);
        var silhouetteRows = order[..Math.Min(n, options.SilhouetteSampleSize)];
        Array.Sort(silhouetteRows);
        var fitSample = fitRows.Length == n ? matrix : matrix.Select(fitRows);
        var silhouetteSample = matrix.Select(silhouetteRows);
        var distances = DistanceMatrix(silhouetteSample, options.Threads);
        // Feature rows are mostly 0/1 flags with few set: the sample k-means reads only the non-zeros.
        var fitSparse = SparseRows.From(fitSample);
        // Position of each silhouette row inside the fit sample (both sorted; the first is a subset of the second).
        var silhouetteInFit = new int[silhouetteRows.Length];
        for (int a = 0, b = 0; a < silhouetteRows.Length; a++)
        {
            while (fitRows[b] != silhouetteRows[a])
                b++;
            silhouetteInFit[a] = b;
        }

        var maxK = Math.Min(options.MaxK, fitSample.Rows - 1);
        var candidates = Enumerable.Range(options.MinK, Math.Max(0, maxK - options.MinK + 1)).ToArray();
        if (candidates.Length > 1)
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"choosing the number of patterns ({candidates[0]} to {candidates[^1]}) on a sample of {fitSample.Rows:N0} cases"));
        var scores = new KScore[candidates.Length];
        var chosenK = candidates[0];
        // A single candidate needs no choice: its score is the released model's own (filled in after the fit).
        if (candidates.Length > 1)
        {
            Parallel.For(0, candidates.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads) }, c =>
            {
                var k = candidates[c];
                SampleKMeans.Result? best = null;
                for (var r = 0; r < Math.Max(1, options.Restarts); r++)
                {
                    // A seed per (k, run): the result does not depend on which thread fits which k.
                    var fit = SampleKMeans.Fit(fitSample, fitSparse, k, new Random(unchecked(options.Seed * 7919 + k * 131 + r)), options.MaxIterations, options.Tolerance);
                    if (best is null || fit.Inertia < best.Inertia)
                        best = fit;
                }
                scores[c] = new KScore(k,
                    ClusterQuality.Silhouette(distances, silhouetteInFit.Select(i => best!.Labels[i]).ToList()),
                    ClusterQuality.DaviesBouldin(fitSparse, best!.Labels, best.Centroids, k));
            });
            var top = scores.Max(f => f.Silhouette);
            chosenK = scores.Where(f => f.Silhouette >= top - options.SilhouetteTieTolerance)
                .OrderBy(f => f.DaviesBouldin).ThenBy(f => f.K).First().K;
        }
        Phase("chooseK");

        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"fitting {chosenK} patterns with k-means"));
        var ml = new MLContext(options.Seed);
        // The released model is fitted on a seeded sample of the rows (all rows when there are few), read straight out
        // of the matrix; small data is fitted from several starts. Then every row goes to its nearest centre.
        var finalRows = order[..Math.Min(n, Math.Max(options.FinalFitRows(n), fitRows.Length))];
        var finalSample = finalRows.Length == n ? null : finalRows.Order().ToArray();
        var finalRuns = fitRows.Length == n ? Math.Max(1, options.Restarts) : 1;
        KeepSeedSequence(ml, matrix.Columns, cached: finalRuns > 1);
        var final = FitBest(ml, matrix.ToDataView(finalSample), matrix, chosenK, finalRuns, options);
        Phase("fit");

        var centroids = Enumerable.Range(0, chosenK).Select(c => final.Centroids.AsSpan(c * schema.Count, schema.Count).ToArray()).ToList();
        var silhouette = ClusterQuality.Silhouette(distances, silhouetteRows.Select(i => final.Assignments[i]).ToList());
        // Each row's distance to its own centre is known from the assignment: Davies–Bouldin needs no further pass.
        var daviesBouldin = ClusterQuality.DaviesBouldin(final.Distances, final.Assignments, final.Centroids, chosenK, schema.Count);
        if (candidates.Length == 1)
            scores[0] = new KScore(chosenK, silhouette, daviesBouldin);
        Phase("quality");
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"profiling the {chosenK} patterns"));
        var patterns = PatternProfiler.Build(schema, profiles, matrix, final.Assignments, chosenK, options);
        Phase("profiles");
        var parameters = new Dictionary<string, double>
        {
            ["k"] = chosenK,
            ["seed"] = options.Seed,
            ["minK"] = options.MinK,
            ["maxK"] = options.MaxK,
            ["restarts"] = options.Restarts,
            ["maxIterations"] = options.MaxIterations,
            ["tolerance"] = options.Tolerance,
            ["fitSampleSize"] = fitRows.Length,
            ["silhouetteSampleSize"] = silhouetteRows.Length,
            ["finalRuns"] = finalRuns,
            ["finalFitRows"] = finalRows.Length,
            ["suppressionThreshold"] = options.SuppressionThreshold,
            ["topCountries"] = options.TopCountries,
        };
        var model = new PatternModel(schema, centroids, patterns, silhouette, daviesBouldin, parameters, final.Transformer, matrix.ToDataView().Schema);
        return new PatternDiscoveryResult(model, final.Assignments, scores) { Seconds = seconds };
    }

    private sealed record Fit(ITransformer Transformer, float[] Centroids, int[] Assignments, float[] Distances, double Inertia);

    /// <summary>ML.NET k-means on <paramref name="data"/>, <paramref name="runs"/> times; the lowest inertia over all rows of
    /// <paramref name="matrix"/> wins.</summary>
    private static Fit FitBest(MLContext ml, IDataView data, FeatureMatrix matrix, int k, int runs, PatternDiscoveryOptions options)
    {
        Fit? best = null;
        var d = matrix.Columns;
        for (var r = 0; r < runs; r++)
        {
            var trainer = ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options
            {
                NumberOfClusters = k,
                InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
                MaximumNumberOfIterations = options.MaxIterations,
                OptimizationTolerance = (float)options.Tolerance,
                // ML.NET documents its parallel k-means as not deterministic.
                NumberOfThreads = 1,
            });
            var transformer = trainer.Fit(data);
            VBuffer<float>[] centres = [];
            transformer.Model.GetClusterCentroids(ref centres, out var count);
            var centroids = new float[count * d];
            for (var c = 0; c < count; c++)
                centres[c].DenseValues().ToArray().CopyTo(centroids, c * d);
            var (assignments, distances, inertia) = Assign(matrix, centroids, count, options.Threads);
            if (best is null || inertia < best.Inertia)
                best = new Fit(transformer, centroids, assignments, distances, inertia);
        }
        return best!;
    }

    /// <summary>
    /// ML.NET gives every component registered with a context the next seed of the context's generator, so the k-means++
    /// starts depend on what was registered before the trainer. The final fit used to read an enumerable data view (and a
    /// cache of it for several runs), which took one seed each; the same registrations are made here on an empty view,
    /// so the same data and seed keep drawing the same starts, and the same patterns, as before the direct matrix view.
    /// </summary>
    private static void KeepSeedSequence(MLContext ml, int columns, bool cached)
    {
        var view = ml.Data.LoadFromEnumerable(Array.Empty<FeatureRow>(), MlRows.Definition<FeatureRow>(columns));
        if (cached)
            ml.Data.Cache(view);
    }

    /// <summary>Nearest centroid of every row (rows in parallel) and the inertia, summed in row order.</summary>
    private static (int[] Assignments, float[] Distances, double Inertia) Assign(FeatureMatrix matrix, float[] centroids, int k, int threads)
    {
        var assignments = new int[matrix.Rows];
        var distances = new float[matrix.Rows];
        var d = matrix.Columns;
        var norms = new float[k];
        SparseRows.CentreNorms(centroids, k, d, norms);
        var byColumn = SparseRows.ByColumn(centroids, k, d, out var stride);
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, matrix.Rows, 4096),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, range =>
            {
                // Each row's non-zeros are read once, then scored against every centre (no sparse copy of the matrix).
                var indices = new int[d];
                var values = new float[d];
                var dots = new float[stride];
                for (var i = range.Item1; i < range.Item2; i++)
                {
                    var count = SparseRows.NonZeros(matrix.Row(i), indices, values, out var norm);
                    assignments[i] = SparseRows.Nearest(indices.AsSpan(0, count), values.AsSpan(0, count), norm, byColumn, stride, norms, k, dots, out distances[i]);
                }
            });
        double inertia = 0;
        foreach (var x in distances)
            inertia += x;
        return (assignments, distances, inertia);
    }

    /// <summary>Pairwise distances of the silhouette sample; rows on up to <paramref name="threads"/> threads (every cell is
    /// written once, so the result does not depend on the count).</summary>
    private static float[,] DistanceMatrix(FeatureMatrix sample, int threads)
    {
        var n = sample.Rows;
        var d = new float[n, n];
        var sparse = SparseRows.From(sample);
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
        {
            // ‖xi − xj‖² = ‖xi‖² + ‖xj‖² − 2 xi·xj over the non-zeros of xj, xi read dense.
            var row = sample.Row(i);
            var norm = sparse.SquaredNorms[i];
            for (var j = i + 1; j < n; j++)
                d[i, j] = d[j, i] = MathF.Sqrt(sparse.SquaredDistance(j, row, norm));
        });
        return d;
    }
}
