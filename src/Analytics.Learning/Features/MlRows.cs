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

    public static float[] Project(float[] full, int[] columns)
    {
        var result = new float[columns.Length];
        for (var i = 0; i < columns.Length; i++)
            result[i] = full[columns[i]];
        return result;
    }
}
