using Analytics.Learning.Features;
using Microsoft.ML;

namespace Analytics.Learning.Tests;

public sealed class FeatureMatrixTests
{
    private static FeatureMatrix Numbered(int rows, int columns) =>
        new(Enumerable.Range(0, rows * columns).Select(i => (float)i).ToArray(), rows, columns);

    [Fact]
    public void ToDataView_ReadsEveryValueInRowOrder_OnEveryPass()
    {
        var matrix = Numbered(5, 3);
        var view = matrix.ToDataView();
        var ml = new MLContext(1);
        for (var pass = 0; pass < 2; pass++)
        {
            var rows = ml.Data.CreateEnumerable<FeatureRow>(view, reuseRowObject: false).Select(r => r.Features).ToList();
            Assert.Equal(Enumerable.Range(0, 5).Select(i => matrix.Row(i).ToArray()), rows);
        }
    }

    [Fact]
    public void ToDataView_ReadsOnlyTheSelectedRows_WhenGivenRows()
    {
        var matrix = Numbered(6, 4);
        var view = matrix.ToDataView([1, 4]);
        var rows = new MLContext(1).Data.CreateEnumerable<FeatureRow>(view, reuseRowObject: false).Select(r => r.Features).ToList();
        Assert.Equal([matrix.Row(1).ToArray(), matrix.Row(4).ToArray()], rows);
    }

    [Fact]
    public void Build_WritesTheSameRowsAsVectorize_OnAnyThreadCount()
    {
        var (profiles, _) = PlantedCases.Generate(perGroup: 1500, seed: 4);
        var schema = FeatureSchema.Build(profiles);
        var one = FeatureMatrix.Build(schema, profiles, threads: 1);
        var two = FeatureMatrix.Build(schema, profiles, threads: 2);
        Assert.Equal(one.Values, two.Values);
        foreach (var i in new[] { 0, 4095, 4096, profiles.Count - 1 })
            Assert.Equal(schema.Vectorize(profiles[i]), one.Row(i).ToArray());
    }
}
