using Microsoft.ML;
using Microsoft.ML.Data;

namespace Analytics.Learning.Features;

// ML.NET needs the vector length in the schema; it depends on the learnt vocabulary, so the
// schema definitions are built at run time instead of with [VectorType(n)] attributes.

/// <summary>An unlabelled feature row, the input of every model.</summary>
public sealed class FeatureRow
{
    /// <summary>The feature vector.</summary>
    public float[] Features { get; set; } = [];
}

internal sealed class KeyLabelRow
{
    public float[] Features { get; set; } = [];
    public uint Label { get; set; }
}

internal sealed class BoolLabelRow
{
    public float[] Features { get; set; } = [];
    public bool Label { get; set; }
}

/// <summary>A labelled row whose features are held sparse: only the non-zero columns.</summary>
internal sealed class SparseBoolLabelRow
{
    public VBuffer<float> Features { get; set; }
    public bool Label { get; set; }
}

internal static class MlRows
{
    public static SchemaDefinition Definition<T>(int featureCount, int? classCount = null)
    {
        var definition = SchemaDefinition.Create(typeof(T));
        definition[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        // A key label 1..classCount fixes the class order to ours, so Score[i] is class i.
        if (classCount is { } n)
            definition[nameof(KeyLabelRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), n);
        return definition;
    }

    public static IDataView Load<T>(MLContext ml, IEnumerable<T> rows, int featureCount, int? classCount = null)
        where T : class =>
        ml.Data.LoadFromEnumerable(rows, Definition<T>(featureCount, classCount));

    /// <summary>
    /// Each row as a sparse vector of its non-zero columns (NaN counts as non-zero). Most feature columns are 0/1 flags
    /// and a case sets about one in seven of them, so a model that reads the rows column by column skips most values.
    /// </summary>
    public static VBuffer<float>[] Sparse(IReadOnlyList<float[]> rows, int featureCount)
    {
        var result = new VBuffer<float>[rows.Count];
        Span<int> indices = featureCount <= 1024 ? stackalloc int[featureCount] : new int[featureCount];
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            if (row.Length != featureCount)
                throw new ArgumentException($"Row {r} has {row.Length} features, not {featureCount}.", nameof(rows));
            var count = 0;
            for (var j = 0; j < row.Length; j++)
            {
                if (row[j] != 0)
                    indices[count++] = j;
            }
            var values = new float[count];
            for (var k = 0; k < count; k++)
                values[k] = row[indices[k]];
            result[r] = new VBuffer<float>(featureCount, count, values, indices[..count].ToArray());
        }
        return result;
    }

    public static float[] Project(float[] full, int[] columns)
    {
        var result = new float[columns.Length];
        for (var i = 0; i < columns.Length; i++)
            result[i] = full[columns[i]];
        return result;
    }
}
