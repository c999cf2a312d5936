using Analytics.Core.Disclosure;

namespace Analytics.Core.Tests.Disclosure;

public sealed class CellKeyPerturbationTests
{
    private static readonly byte[] Secret = CellKeyPerturbation.DeriveSecret(Enumerable.Repeat((byte)7, 32).ToArray());

    [Fact]
    public void Noise_FollowsTheTriangularWeights_OverEvenlySpreadKeys()
    {
        // 90,000 keys spread evenly over the 32-bit range: the noise of range 2 takes -2..2 in the shares 1:2:3:2:1 of 9.
        const int n = 90_000;
        var counts = new Dictionary<int, int>();
        for (var i = 0; i < n; i++)
        {
            var key = (uint)((ulong)i * uint.MaxValue / n);
            var d = CellKeyPerturbation.Noise(key, 2);
            counts[d] = counts.GetValueOrDefault(d) + 1;
        }

        Assert.Equal([-2, -1, 0, 1, 2], counts.Keys.Order());
        Assert.Equal(10_000, counts[-2], tolerance: 2);
        Assert.Equal(20_000, counts[-1], tolerance: 2);
        Assert.Equal(30_000, counts[0], tolerance: 2);
        Assert.Equal(20_000, counts[1], tolerance: 2);
        Assert.Equal(10_000, counts[2], tolerance: 2);
    }

    [Fact]
    public void Noise_IsZeroOnAverage_AndWithinTheRange_OverRecordKeysOfCaseIds()
    {
        var noises = Enumerable.Range(0, 20_000).Select(i => CellKeyPerturbation.Noise(CellKeyPerturbation.RecordKey(Secret, $"case-{i}"), 3)).ToList();

        Assert.All(noises, d => Assert.InRange(d, -3, 3));
        Assert.InRange(noises.Average(), -0.05, 0.05);
        Assert.Equal(7, noises.Distinct().Count());
    }

    [Fact]
    public void Apply_KeepsZero_NeverGoesBelowK_AndMovesCountsByAtMostTheRange()
    {
        var moved = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var key = CellKeyPerturbation.RecordKey(Secret, $"cell-{i}");
            Assert.Equal(0, CellKeyPerturbation.Apply(0, key, k: 10, range: 2));
            var atK = CellKeyPerturbation.Apply(10, key, k: 10, range: 2);
            Assert.InRange(atK, 10, 12);
            var large = CellKeyPerturbation.Apply(500, key, k: 10, range: 2);
            Assert.InRange(large, 498, 502);
            if (large != 500) moved++;
        }
        // About two thirds of the cells are moved: the perturbation is really applied.
        Assert.InRange(moved, 1_200, 1_460);
    }

    [Fact]
    public void Apply_RefusesACountBelowK_WhichDisclosureControlSuppresses()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CellKeyPerturbation.Apply(4, 123u, k: 10, range: 2));
    }

    [Fact]
    public void CellKey_IsTheSameForTheSameCases_WhateverOrderOrGroupingSumsThem()
    {
        var keys = Enumerable.Range(0, 50).Select(i => (long)CellKeyPerturbation.RecordKey(Secret, $"id-{i}")).ToList();

        // As a database sums them: all at once, or per sub-cell (months, jurisdictions) and then summed again.
        var whole = CellKeyPerturbation.CellKey(keys.Sum());
        var bySubCells = CellKeyPerturbation.CellKey(keys.Chunk(7).Select(c => (long)CellKeyPerturbation.CellKey(c.Sum())).Sum());
        var reversed = CellKeyPerturbation.CellKey(Enumerable.Reverse(keys).Sum());
        var withoutOne = CellKeyPerturbation.CellKey(keys.Skip(1).Sum());

        Assert.Equal(whole, bySubCells);
        Assert.Equal(whole, reversed);
        Assert.NotEqual(whole, withoutOne);
    }

    [Fact]
    public void RecordKeys_OfManyCases_AreTheRecordKeyOfEach()
    {
        string[] ids = ["a", "case-1", new string('x', 300), "ĂÎȘ-7", ""];
        using var keyer = new CellKeyPerturbation.RecordKeyer(Secret);

        Assert.Equal(ids.Select(id => CellKeyPerturbation.RecordKey(Secret, id)), CellKeyPerturbation.RecordKeys(Secret, ids));
        Assert.Equal(ids.Select(id => CellKeyPerturbation.RecordKey(Secret, id)), ids.Select(keyer.Of).ToList());
    }

    [Fact]
    public void RecordKey_DependsOnTheSecret_AndNotOnlyOnTheId()
    {
        var other = CellKeyPerturbation.DeriveSecret(Enumerable.Repeat((byte)8, 32).ToArray());

        Assert.Equal(CellKeyPerturbation.RecordKey(Secret, "c1"), CellKeyPerturbation.RecordKey(Secret, "c1"));
        Assert.NotEqual(CellKeyPerturbation.RecordKey(Secret, "c1"), CellKeyPerturbation.RecordKey(other, "c1"));
        Assert.NotEqual(CellKeyPerturbation.RecordKey(Secret, "c1"), CellKeyPerturbation.RecordKey(Secret, "c2"));
    }

    [Fact]
    public void Differencing_TwoCountsNarrowedDifferently_NoLongerGivesTheSmallCountExactly()
    {
        // 40 cases of a pattern in a month, 37 of them in one jurisdiction: the difference of the two released counts was
        // the other jurisdictions' 3. With the noise of both cells it is 3 only some of the time, and spread over 3 ± 4.
        var differences = new HashSet<int>();
        var exact = 0;
        const int trials = 500;
        for (var t = 0; t < trials; t++)
        {
            var keys = Enumerable.Range(0, 40).Select(i => (long)CellKeyPerturbation.RecordKey(Secret, $"t{t}-c{i}")).ToList();
            var all = CellKeyPerturbation.Apply(40, CellKeyPerturbation.CellKey(keys.Sum()), 10, 2);
            var one = CellKeyPerturbation.Apply(37, CellKeyPerturbation.CellKey(keys.Take(37).Sum()), 10, 2);
            differences.Add(all - one);
            if (all - one == 3) exact++;
        }

        Assert.True(differences.Count >= 7, string.Join(", ", differences.Order()));
        Assert.All(differences, d => Assert.InRange(d, -1, 7));
        Assert.InRange(exact, trials / 10, trials / 3);
    }
}
