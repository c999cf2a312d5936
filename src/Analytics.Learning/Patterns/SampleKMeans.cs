using Analytics.Learning.Features;

namespace Analytics.Learning.Patterns;

/// <summary>
/// A small, seeded Lloyd k-means (k-means++ start, SIMD distances) used only to score candidate k on the
/// seeded fit sample. The released model is always fitted with ML.NET k-means.
/// </summary>
internal static class SampleKMeans
{
    public sealed record Result(float[] Centroids, int K, int[] Labels, double Inertia, int Iterations);

    /// <summary>Fits k clusters; stops when no label changes or inertia improves by less than <paramref name="tolerance"/> (relative).</summary>
    public static Result Fit(FeatureMatrix x, int k, Random random, int maxIterations, double tolerance)
    {
        var n = x.Rows;
        var d = x.Columns;
        var centroids = PlusPlus(x, k, random);
        var labels = new int[n];
        Array.Fill(labels, -1);
        var sums = new double[k * d];
        var counts = new int[k];
        var inertia = double.PositiveInfinity;
        var iterations = 0;
        for (var it = 0; it < Math.Max(1, maxIterations); it++)
        {
            iterations++;
            var changed = 0;
            double total = 0;
            for (var i = 0; i < n; i++)
            {
                var c = ClusterQuality.Nearest(x.Row(i), centroids, k, out var dist);
                total += dist;
                if (c != labels[i])
                {
                    labels[i] = c;
                    changed++;
                }
            }
            var improvement = double.IsPositiveInfinity(inertia) ? double.PositiveInfinity : (inertia - total) / Math.Max(inertia, 1e-12);
            inertia = total;
            if (changed == 0 || improvement < tolerance)
                break;
            Array.Clear(sums);
            Array.Clear(counts);
            for (var i = 0; i < n; i++)
            {
                var row = x.Row(i);
                var offset = labels[i] * d;
                for (var j = 0; j < d; j++)
                    sums[offset + j] += row[j];
                counts[labels[i]]++;
            }
            // An emptied cluster keeps its previous centre.
            for (var c = 0; c < k; c++)
                if (counts[c] > 0)
                    for (var j = 0; j < d; j++)
                        centroids[c * d + j] = (float)(sums[c * d + j] / counts[c]);
        }
        return new Result(centroids, k, labels, inertia, iterations);
    }

    private static float[] PlusPlus(FeatureMatrix x, int k, Random random)
    {
        var n = x.Rows;
        var d = x.Columns;
        var centroids = new float[k * d];
        x.Row(random.Next(n)).CopyTo(centroids.AsSpan(0, d));
        var nearest = new double[n];
        for (var i = 0; i < n; i++)
            nearest[i] = ClusterQuality.SquaredDistance(x.Row(i), centroids.AsSpan(0, d));
        for (var c = 1; c < k; c++)
        {
            var total = 0.0;
            for (var i = 0; i < n; i++)
                total += nearest[i];
            var pick = n - 1;
            if (total > 0)
            {
                var target = random.NextDouble() * total;
                for (var i = 0; i < n; i++)
                {
                    target -= nearest[i];
                    if (target <= 0)
                    {
                        pick = i;
                        break;
                    }
                }
            }
            else
                pick = random.Next(n);
            var centre = centroids.AsSpan(c * d, d);
            x.Row(pick).CopyTo(centre);
            for (var i = 0; i < n; i++)
                nearest[i] = Math.Min(nearest[i], ClusterQuality.SquaredDistance(x.Row(i), centre));
        }
        return centroids;
    }
}
