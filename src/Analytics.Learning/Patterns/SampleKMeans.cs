using Analytics.Learning.Features;

namespace Analytics.Learning.Patterns;

/// <summary>
/// A small, seeded Lloyd k-means (k-means++ start) used only to score candidate k on the seeded fit sample. Rows are
/// read through their non-zeros (<see cref="SparseRows"/>): distances as ‖x‖² + ‖c‖² − 2 x·c, centre sums from the
/// non-zeros. The released model is always fitted with ML.NET k-means.
/// </summary>
internal static class SampleKMeans
{
    public sealed record Result(float[] Centroids, int K, int[] Labels, double Inertia, int Iterations);

    /// <summary>Fits k clusters; stops when no label changes or inertia improves by less than <paramref name="tolerance"/> (relative).</summary>
    public static Result Fit(FeatureMatrix x, SparseRows sparse, int k, Random random, int maxIterations, double tolerance)
    {
        var n = x.Rows;
        var d = x.Columns;
        var centroids = PlusPlus(x, sparse, k, random);
        var norms = new float[k];
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
            SparseRows.CentreNorms(centroids, k, d, norms);
            var byColumn = SparseRows.ByColumn(centroids, k, d, out var stride);
            var dots = new float[stride];
            for (var i = 0; i < n; i++)
            {
                var c = SparseRows.Nearest(sparse.RowIndices(i), sparse.RowValues(i), sparse.SquaredNorms[i], byColumn, stride, norms, k, dots, out var dist);
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
                sparse.AddTo(i, sums.AsSpan(labels[i] * d, d));
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

    private static float[] PlusPlus(FeatureMatrix x, SparseRows sparse, int k, Random random)
    {
        var n = x.Rows;
        var d = x.Columns;
        var centroids = new float[k * d];
        var first = random.Next(n);
        x.Row(first).CopyTo(centroids.AsSpan(0, d));
        var norm = sparse.SquaredNorms[first];
        var nearest = new double[n];
        for (var i = 0; i < n; i++)
            nearest[i] = sparse.SquaredDistance(i, centroids.AsSpan(0, d), norm);
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
            norm = sparse.SquaredNorms[pick];
            for (var i = 0; i < n; i++)
                nearest[i] = Math.Min(nearest[i], sparse.SquaredDistance(i, centre, norm));
        }
        return centroids;
    }
}
