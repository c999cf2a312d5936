namespace Analytics.Learning.Patterns;

/// <summary>Internal cluster-validity indices used to choose the number of patterns.</summary>
public static class ClusterQuality
{
    /// <summary>
    /// Mean silhouette over the given points, from a precomputed distance matrix (Euclidean).
    /// A point alone in its cluster scores 0 (Rousseeuw's convention). Range -1..1, higher is better.
    /// </summary>
    public static double Silhouette(float[,] distances, IReadOnlyList<int> labels)
    {
        var n = labels.Count;
        if (n < 2)
            return 0;
        var k = labels.Max() + 1;
        var sizes = new int[k];
        foreach (var l in labels)
            sizes[l]++;
        var sums = new double[k];
        // Labels in an array and each distance row as a span: the same sums in the same order, without an interface
        // call and a two-dimensional index per pair.
        var label = labels.ToArray();
        if (distances.GetLength(0) < n || distances.GetLength(1) != n)
            throw new ArgumentException($"The distance matrix must be {n} × {n}.", nameof(distances));
        var flat = System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(
            ref System.Runtime.CompilerServices.Unsafe.As<byte, float>(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(distances)),
            distances.Length);
        double total = 0;
        for (var i = 0; i < n; i++)
        {
            Array.Clear(sums);
            var row = flat.Slice(i * n, n);
            for (var j = 0; j < n; j++)
                if (j != i)
                    sums[label[j]] += row[j];
            var own = label[i];
            if (sizes[own] <= 1)
                continue;
            var a = sums[own] / (sizes[own] - 1);
            var b = double.PositiveInfinity;
            for (var c = 0; c < k; c++)
                if (c != own && sizes[c] > 0)
                    b = Math.Min(b, sums[c] / sizes[c]);
            if (double.IsPositiveInfinity(b))
                continue;
            var max = Math.Max(a, b);
            total += max > 0 ? (b - a) / max : 0;
        }
        return total / n;
    }

    /// <summary>Euclidean distance.</summary>
    public static double Distance(float[] x, float[] y)
    {
        double s = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var d = x[i] - y[i];
            s += d * d;
        }
        return Math.Sqrt(s);
    }

    /// <summary>Squared Euclidean distance.</summary>
    public static double SquaredDistance(float[] x, float[] y)
    {
        double s = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var d = x[i] - y[i];
            s += d * d;
        }
        return s;
    }

    /// <summary>Squared Euclidean distance with SIMD lanes (float sums, the same order on every run).</summary>
    internal static float SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var width = System.Numerics.Vector<float>.Count;
        var acc = System.Numerics.Vector<float>.Zero;
        var i = 0;
        for (; i <= x.Length - width; i += width)
        {
            var d = new System.Numerics.Vector<float>(x[i..]) - new System.Numerics.Vector<float>(y[i..]);
            acc += d * d;
        }
        var s = System.Numerics.Vector.Sum(acc);
        for (; i < x.Length; i++)
        {
            var d = x[i] - y[i];
            s += d * d;
        }
        return s;
    }

    /// <summary>Index of the nearest of the <paramref name="k"/> row-major <paramref name="centroids"/>, and its squared distance.</summary>
    internal static int Nearest(ReadOnlySpan<float> row, float[] centroids, int k, out float distance)
    {
        var d = row.Length;
        var best = 0;
        distance = float.PositiveInfinity;
        for (var c = 0; c < k; c++)
        {
            var dist = SquaredDistance(row, centroids.AsSpan(c * d, d));
            if (dist < distance)
            {
                distance = dist;
                best = c;
            }
        }
        return best;
    }

    /// <summary>
    /// Index of the centre nearest to sparse row <paramref name="i"/> and its squared distance, as ‖x‖² + ‖c‖² − 2 x·c
    /// with the centres' squared <paramref name="norms"/>; the first of equally near centres wins.
    /// </summary>
    internal static int Nearest(Features.SparseRows rows, int i, float[] centroids, float[] norms, int k, out float distance)
    {
        var d = rows.Columns;
        var best = 0;
        distance = float.PositiveInfinity;
        for (var c = 0; c < k; c++)
        {
            var dist = rows.SquaredDistance(i, centroids.AsSpan(c * d, d), norms[c]);
            if (dist < distance)
            {
                distance = dist;
                best = c;
            }
        }
        return best;
    }

    /// <summary>
    /// Davies–Bouldin index of a labelled matrix with row-major centroids: the mean over clusters of the worst ratio of
    /// within-cluster scatter to between-centroid distance. Lower is better; empty clusters are ignored.
    /// </summary>
    internal static double DaviesBouldin(Features.FeatureMatrix points, IReadOnlyList<int> labels, float[] centroids, int k)
    {
        var d = points.Columns;
        var squared = new float[points.Rows];
        for (var i = 0; i < points.Rows; i++)
            squared[i] = SquaredDistance(points.Row(i), centroids.AsSpan(labels[i] * d, d));
        return DaviesBouldin(squared, labels, centroids, k, d);
    }

    /// <summary>Davies–Bouldin index of labelled sparse rows (distances to the own centre as ‖x‖² + ‖c‖² − 2 x·c).</summary>
    internal static double DaviesBouldin(Features.SparseRows points, IReadOnlyList<int> labels, float[] centroids, int k)
    {
        var d = points.Columns;
        var norms = new float[k];
        Features.SparseRows.CentreNorms(centroids, k, d, norms);
        var squared = new float[points.Rows];
        for (var i = 0; i < points.Rows; i++)
            squared[i] = points.SquaredDistance(i, centroids.AsSpan(labels[i] * d, d), norms[labels[i]]);
        return DaviesBouldin(squared, labels, centroids, k, d);
    }

    /// <summary>Davies–Bouldin index from each row's squared distance to its own centre (as the assignment computed it).</summary>
    internal static double DaviesBouldin(float[] squaredDistances, IReadOnlyList<int> labels, float[] centroids, int k, int d)
    {
        var scatter = new double[k];
        var sizes = new int[k];
        for (var i = 0; i < squaredDistances.Length; i++)
        {
            scatter[labels[i]] += Math.Sqrt(squaredDistances[i]);
            sizes[labels[i]]++;
        }
        var used = Enumerable.Range(0, k).Where(c => sizes[c] > 0).ToList();
        if (used.Count < 2)
            return 0;
        foreach (var c in used)
            scatter[c] /= sizes[c];
        double sum = 0;
        foreach (var i in used)
        {
            double worst = 0;
            foreach (var j in used)
            {
                if (i == j)
                    continue;
                var dist = Math.Sqrt(SquaredDistance(centroids.AsSpan(i * d, d), centroids.AsSpan(j * d, d)));
                worst = Math.Max(worst, dist > 0 ? (scatter[i] + scatter[j]) / dist : double.MaxValue);
            }
            sum += worst;
        }
        return sum / used.Count;
    }
}
