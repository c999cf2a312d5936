using Analytics.Core.Cases;
using Microsoft.ML;

namespace Analytics.Learning.Features;

/// <summary>
/// A dense row-major feature matrix in one <see cref="float"/> array: no per-row objects, so a million cases
/// of ~185 columns take ~740 MB instead of a list of arrays plus a cached ML.NET copy of it.
/// </summary>
public sealed class FeatureMatrix
{
    /// <summary>Wraps <paramref name="values"/> (row-major, <paramref name="rows"/> × <paramref name="columns"/>) without copying.</summary>
    public FeatureMatrix(float[] values, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if ((long)rows * columns != values.LongLength)
            throw new ArgumentException($"{rows} × {columns} values expected; got {values.LongLength}.", nameof(values));
        Values = values;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Row-major values.</summary>
    public float[] Values { get; }
    private const int RowBlock = 4096;

    /// <summary>Number of rows.</summary>
    public int Rows { get; }
    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>One row (a view, not a copy).</summary>
    public Span<float> Row(int i) => Values.AsSpan(i * Columns, Columns);

    /// <summary>
    /// Vectorises <paramref name="profiles"/> under <paramref name="schema"/>. Rows are independent, so they are
    /// written on up to <paramref name="threads"/> threads with the same result as one. With <paramref name="columns"/>,
    /// only those schema columns are kept, in that order.
    /// </summary>
    public static FeatureMatrix Build(FeatureSchema schema, IReadOnlyList<CaseProfile> profiles, int threads = 2, int[]? columns = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(profiles);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        if (columns is null)
        {
            var width = schema.Count;
            // Not zeroed here: Vectorize clears each row before writing it.
            var all = GC.AllocateUninitializedArray<float>(checked(profiles.Count * width));
            // Blocks of rows, not one delegate call per row; each row is written by exactly one thread.
            Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, profiles.Count, RowBlock), parallel, range =>
            {
                for (var i = range.Item1; i < range.Item2; i++)
                    schema.Vectorize(profiles[i], all.AsSpan(i * width, width));
            });
            return new FeatureMatrix(all, profiles.Count, width);
        }
        // Only the selected columns are kept: each thread vectorises into its own full-width buffer, then projects.
        var values = new float[(long)profiles.Count * columns.Length];
        Parallel.For(0, profiles.Count, parallel, () => new float[schema.Count], (i, _, buffer) =>
        {
            schema.Vectorize(profiles[i], buffer);
            var target = values.AsSpan(i * columns.Length, columns.Length);
            for (var j = 0; j < columns.Length; j++)
                target[j] = buffer[columns[j]];
            return buffer;
        }, _ => { });
        return new FeatureMatrix(values, profiles.Count, columns.Length);
    }

    /// <summary>The selected rows and columns as a new matrix (rows and columns in the given order).</summary>
    public FeatureMatrix Select(IReadOnlyList<int> rows, int[]? columns = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var width = columns?.Length ?? Columns;
        var values = new float[(long)rows.Count * width];
        for (var r = 0; r < rows.Count; r++)
        {
            var source = Row(rows[r]);
            var target = values.AsSpan(r * width, width);
            if (columns is null)
                source.CopyTo(target);
            else
                for (var j = 0; j < width; j++)
                    target[j] = source[columns[j]];
        }
        return new FeatureMatrix(values, rows.Count, width);
    }

    /// <summary>
    /// An unlabelled ML.NET data view over the rows (all, or the sorted <paramref name="rows"/>): no copy is made,
    /// each pass reads the rows out of this matrix, with the fixed vector size ML.NET needs in the schema.
    /// </summary>
    public IDataView ToDataView(int[]? rows = null) => new MatrixDataView(this, rows);
}
