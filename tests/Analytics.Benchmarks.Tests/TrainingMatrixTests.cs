using System.Globalization;
using Analytics.Benchmarks.Training;
using Analytics.Learning.Features;

namespace Analytics.Benchmarks.Tests;

public sealed class TrainingMatrixTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("analytics-training-matrix-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ReadMatrix_GivesTheExportedValuesInOneFlatArray_RowByRowAsStreamed()
    {
        var profiles = BenchmarkProfiles.Build(300, seed: 42);
        var path = Path.Combine(_dir, "features.csv");
        FeatureSchema schema;
        using (var output = File.Create(path))
            schema = FeatureExport.WriteCsv(profiles, output);

        var (names, matrix) = TrainingSteps.ReadMatrix(path);
        var streamed = new List<float[]>();
        TrainingSteps.ForEachRow(path, _ => { }, (i, row) =>
        {
            Assert.Equal(streamed.Count, i);
            streamed.Add(row.ToArray());
        });

        // The CSV keeps three decimals: the expected values are the exported text read back.
        var expected = profiles.SelectMany(p => schema.Vectorize(p))
            .Select(x => float.Parse(x.ToString("0.###", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(schema.Names, names);
        Assert.Equal((300, schema.Count), (matrix.Rows, matrix.Columns));
        Assert.Equal(300, TrainingSteps.CountRows(path));
        Assert.Equal(expected, matrix.Values);
        Assert.Equal(expected, streamed.SelectMany(r => r).ToArray());
    }

    [Fact]
    public void ForEachRow_Throws_WhenARowHasMoreValuesThanTheHeader()
    {
        var path = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(path, "a,b\n1,0\n1,0,1\n");

        var error = Assert.Throws<InvalidDataException>(() => TrainingSteps.ForEachRow(path, _ => { }, (_, _) => { }));
        Assert.Contains("Row 2", error.Message, StringComparison.Ordinal);
    }
}
