namespace Analytics.Learning.Features;

/// <summary>
/// The non-zero entries of a <see cref="FeatureMatrix"/>'s rows (compressed sparse rows) with each row's squared norm.
/// Feature rows are mostly 0/1 flags with few set, so a squared distance to a dense centre is computed as
/// ‖x‖² + ‖c‖² − 2 x·c over the row's non-zeros only (<see cref="SquaredDistance"/>).
/// </summary>
internal sealed class SparseRows
{
    private SparseRows(int[] starts, int[] indices, float[] values, float[] squaredNorms, int columns)
    {
        Starts = starts;
        Indices = indices;
        Values = values;
        SquaredNorms = squaredNorms;
        Columns = columns;
    }

    /// <summary>Row i's entries are <c>Starts[i]..Starts[i + 1]</c> of <see cref="Indices"/> and <see cref="Values"/>.</summary>
    public int[] Starts { get; }
    /// <summary>Column of each non-zero, ascending within a row.</summary>
    public int[] Indices { get; }
    /// <summary>Value of each non-zero.</summary>
    public float[] Values { get; }
    /// <summary>‖x‖² of each row.</summary>
    public float[] SquaredNorms { get; }
    /// <summary>Number of rows.</summary>
    public int Rows => SquaredNorms.Length;
    /// <summary>Number of columns.</summary>
    public int Columns { get; }
    /// <summary>Mean number of non-zeros per row.</summary>
    public double MeanNonZeros => Rows == 0 ? 0 : (double)Indices.Length / Rows;

    /// <summary>The non-zeros of every row of <paramref name="matrix"/>.</summary>
    public static SparseRows From(FeatureMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var n = matrix.Rows;
        var starts = new int[n + 1];
        for (var i = 0; i < n; i++)
        {
            var count = 0;
            foreach (var v in matrix.Row(i))
                if (v != 0)
                    count++;
            starts[i + 1] = starts[i] + count;
        }
        var indices = new int[starts[n]];
        var values = new float[starts[n]];
        var norms = new float[n];
        for (var i = 0; i < n; i++)
            NonZeros(matrix.Row(i), indices.AsSpan(starts[i]), values.AsSpan(starts[i]), out norms[i]);
        return new SparseRows(starts, indices, values, norms, matrix.Columns);
    }

    /// <summary>x·c of row <paramref name="i"/> and a dense vector (products summed in column order, in double).</summary>
    public float Dot(int i, ReadOnlySpan<float> dense)
    {
        double s = 0;
        for (var p = Starts[i]; p < Starts[i + 1]; p++)
            s += (double)Values[p] * dense[Indices[p]];
        return (float)s;
    }

    /// <summary>
    /// ‖x − c‖² of row <paramref name="i"/> and a dense centre <paramref name="centre"/> whose squared norm is
    /// <paramref name="centreNorm"/>; a tiny negative from rounding is returned as 0.
    /// </summary>
    public float SquaredDistance(int i, ReadOnlySpan<float> centre, float centreNorm) =>
        SquaredDistance(Indices.AsSpan(Starts[i], Starts[i + 1] - Starts[i]), Values.AsSpan(Starts[i], Starts[i + 1] - Starts[i]),
            SquaredNorms[i], centre, centreNorm);

    /// <summary>
    /// ‖x − c‖² = ‖x‖² + ‖c‖² − 2 x·c of a row given by its non-zeros and squared norm, and a dense centre: the products
    /// are summed in column order in double; a tiny negative from rounding is returned as 0.
    /// </summary>
    public static float SquaredDistance(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, float norm, ReadOnlySpan<float> centre, float centreNorm)
    {
        double s = 0;
        for (var p = 0; p < indices.Length; p++)
            s += (double)values[p] * centre[indices[p]];
        var d = (double)norm + centreNorm - 2 * s;
        return d > 0 ? (float)d : 0f;
    }

    /// <summary>Writes the non-zeros of a dense row into the buffers (each at least the row's length); returns their count
    /// and the row's squared norm, as <see cref="From"/> stores them.</summary>
    public static int NonZeros(ReadOnlySpan<float> row, Span<int> indices, Span<float> values, out float norm)
    {
        var count = 0;
        double s = 0;
        for (var j = 0; j < row.Length; j++)
            if (row[j] != 0)
            {
                indices[count] = j;
                values[count++] = row[j];
                s += (double)row[j] * row[j];
            }
        norm = (float)s;
        return count;
    }

    /// <summary>Non-zero columns of row <paramref name="i"/>.</summary>
    public ReadOnlySpan<int> RowIndices(int i) => Indices.AsSpan(Starts[i], Starts[i + 1] - Starts[i]);

    /// <summary>Non-zero values of row <paramref name="i"/>.</summary>
    public ReadOnlySpan<float> RowValues(int i) => Values.AsSpan(Starts[i], Starts[i + 1] - Starts[i]);

    /// <summary>Adds row <paramref name="i"/> to <paramref name="sums"/>.</summary>
    public void AddTo(int i, Span<double> sums)
    {
        for (var p = Starts[i]; p < Starts[i + 1]; p++)
            sums[Indices[p]] += Values[p];
    }

    /// <summary>
    /// The <paramref name="k"/> row-major centres laid out column by column (<c>[j * stride + c]</c>, stride = k rounded up to
    /// whole SIMD vectors, padding zero), so a row's dot products with every centre are one SIMD pass over its non-zeros.
    /// </summary>
    public static float[] ByColumn(ReadOnlySpan<float> centroids, int k, int d, out int stride)
    {
        var width = System.Numerics.Vector<float>.Count;
        stride = (k + width - 1) / width * width;
        var t = new float[d * stride];
        for (var c = 0; c < k; c++)
            for (var j = 0; j < d; j++)
                t[j * stride + c] = centroids[c * d + j];
        return t;
    }

    /// <summary>
    /// Index of the centre nearest to the row given by its non-zeros and squared norm, and its squared distance
    /// ‖x‖² + ‖c‖² − 2 x·c (tiny negatives from rounding as 0); the first of equally near centres wins. The dot products
    /// with all centres are summed in float, non-zero by non-zero in column order, in <paramref name="dots"/> (length stride):
    /// the same on every run and thread.
    /// </summary>
    public static int Nearest(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, float norm, float[] byColumn, int stride,
        ReadOnlySpan<float> centreNorms, int k, Span<float> dots, out float distance)
    {
        var width = System.Numerics.Vector<float>.Count;
        dots.Clear();
        for (var p = 0; p < indices.Length; p++)
        {
            var v = new System.Numerics.Vector<float>(values[p]);
            var column = byColumn.AsSpan(indices[p] * stride, stride);
            for (var o = 0; o < stride; o += width)
            {
                var target = dots.Slice(o, width);
                (new System.Numerics.Vector<float>(target) + v * new System.Numerics.Vector<float>(column.Slice(o, width))).CopyTo(target);
            }
        }
        var best = 0;
        distance = float.PositiveInfinity;
        for (var c = 0; c < k; c++)
        {
            var dist = norm + centreNorms[c] - 2 * dots[c];
            if (dist < 0)
                dist = 0;
            if (dist < distance)
            {
                distance = dist;
                best = c;
            }
        }
        return best;
    }

    /// <summary>‖c‖² of each of the <paramref name="k"/> row-major centres (in double, rounded to float).</summary>
    public static void CentreNorms(ReadOnlySpan<float> centroids, int k, int d, Span<float> norms)
    {
        for (var c = 0; c < k; c++)
        {
            double s = 0;
            foreach (var v in centroids.Slice(c * d, d))
                s += (double)v * v;
            norms[c] = (float)s;
        }
    }
}
