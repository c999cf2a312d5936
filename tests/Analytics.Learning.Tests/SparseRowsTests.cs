using Analytics.Learning.Features;
using Analytics.Learning.Patterns;

namespace Analytics.Learning.Tests;

public sealed class SparseRowsTests
{
    /// <summary>Rows like the feature rows: mostly 0, some 1, a few scaled counts.</summary>
    private static FeatureMatrix Flags(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * columns];
        for (var i = 0; i < values.Length; i++)
        {
            var u = random.NextDouble();
            values[i] = u < 0.1 ? 1f : u < 0.13 ? (float)random.NextDouble() : 0f;
        }
        return new FeatureMatrix(values, rows, columns);
    }

    private static double Dense(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double s = 0;
        for (var j = 0; j < x.Length; j++)
            s += (double)(x[j] - y[j]) * (x[j] - y[j]);
        return s;
    }

    [Fact]
    public void From_KeepsOnlyNonZerosInColumnOrder_WithEachRowsSquaredNorm()
    {
        var matrix = new FeatureMatrix([0, 1, 0, 0.5f, 0, 0, 0, 0, 2, 0, 0, 1], 3, 4);
        var sparse = SparseRows.From(matrix);
        Assert.Equal([0, 2, 2, 4], sparse.Starts);
        Assert.Equal([1, 3, 0, 3], sparse.Indices);
        Assert.Equal([1f, 0.5f, 2f, 1f], sparse.Values);
        Assert.Equal([1.25f, 0f, 5f], sparse.SquaredNorms);
        Assert.Equal(4.0 / 3, sparse.MeanNonZeros, 9);
    }

    [Fact]
    public void SquaredDistance_MatchesDenseDistance_AndIsZeroForTheRowItself()
    {
        var matrix = Flags(200, 37, seed: 5);
        var sparse = SparseRows.From(matrix);
        var centre = matrix.Row(7).ToArray();
        var norm = sparse.SquaredNorms[7];
        Assert.Equal(0f, sparse.SquaredDistance(7, centre, norm));
        for (var i = 0; i < matrix.Rows; i++)
            Assert.Equal(Dense(matrix.Row(i), centre), sparse.SquaredDistance(i, centre, norm), 4);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    [InlineData(16)]
    public void Nearest_PicksTheDenseNearestCentre_ForAnyNumberOfCentres(int k)
    {
        var matrix = Flags(500, 41, seed: k);
        var sparse = SparseRows.From(matrix);
        var random = new Random(k);
        var centroids = Enumerable.Range(0, k * matrix.Columns).Select(_ => (float)random.NextDouble() * 0.4f).ToArray();
        var norms = new float[k];
        SparseRows.CentreNorms(centroids, k, matrix.Columns, norms);
        var byColumn = SparseRows.ByColumn(centroids, k, matrix.Columns, out var stride);
        Assert.True(stride >= k && stride % System.Numerics.Vector<float>.Count == 0);
        var dots = new float[stride];
        for (var i = 0; i < matrix.Rows; i++)
        {
            var dense = Enumerable.Range(0, k).Select(c => Dense(matrix.Row(i), centroids.AsSpan(c * matrix.Columns, matrix.Columns))).ToArray();
            var expected = Array.IndexOf(dense, dense.Min());
            var nearest = SparseRows.Nearest(sparse.RowIndices(i), sparse.RowValues(i), sparse.SquaredNorms[i], byColumn, stride, norms, k, dots, out var distance);
            // A row within rounding of two centres may go to either; otherwise it must be the dense answer.
            if (nearest != expected)
                Assert.True(Math.Abs(dense[nearest] - dense[expected]) < 1e-4, $"row {i}: centre {nearest} instead of {expected}");
            Assert.Equal(dense[nearest], distance, 3);
            Assert.True(distance >= 0);
        }
    }

    [Fact]
    public void NonZeros_ReadsADenseRowAsFromStoresIt()
    {
        var matrix = Flags(50, 23, seed: 2);
        var sparse = SparseRows.From(matrix);
        var indices = new int[23];
        var values = new float[23];
        for (var i = 0; i < matrix.Rows; i++)
        {
            var count = SparseRows.NonZeros(matrix.Row(i), indices, values, out var norm);
            Assert.Equal(sparse.RowIndices(i).ToArray(), indices[..count]);
            Assert.Equal(sparse.RowValues(i).ToArray(), values[..count]);
            Assert.Equal(sparse.SquaredNorms[i], norm);
        }
    }

    [Fact]
    public void Discover_SameResult_OnOneOrTwoThreads()
    {
        var (profiles, _) = PlantedCases.Generate(perGroup: 60, seed: 4);
        var options = new PatternDiscoveryOptions { MinK = 4, MaxK = 8, Seed = 5, FitSampleSize = 250, SilhouetteSampleSize = 150 };
        var one = PatternDiscovery.Discover(profiles, options with { Threads = 1 });
        var two = PatternDiscovery.Discover(profiles, options with { Threads = 2 });
        Assert.Equal(one.Assignments, two.Assignments);
        Assert.Equal(one.KScores, two.KScores);
        Assert.Equal(one.Model.DaviesBouldin, two.Model.DaviesBouldin);
    }
}
