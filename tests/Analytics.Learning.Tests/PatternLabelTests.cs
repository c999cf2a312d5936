using Analytics.Learning.Features;
using Analytics.Learning.Patterns;

namespace Analytics.Learning.Tests;

/// <summary>A pattern's label names only values held by at least as many of its cases as a released count needs.</summary>
public sealed class PatternLabelTests
{
    private static readonly FeatureSchema Schema = new(["RO", "IT"]);

    private static double[] Shares(params (string Column, double Share)[] set)
    {
        var shares = new double[Schema.Count];
        foreach (var (column, share) in set) shares[Schema.IndexOf(column)] = share;
        return shares;
    }

    private static readonly double[] Typical = Shares(
        ("victim.gender=female", 0.9), ("victim.child", 0.9), ("victim.age=12-14", 0.2), ("victim.age=15-17", 0.7),
        ("recruitment=social-media", 0.35), ("origin=RO", 0.8), ("destination=IT", 0.8), ("exploitation=sexual", 0.9));

    [Fact]
    public void Label_NamesTheTypicalValues_OfALargePattern()
    {
        // 200 cases: 20 % of them (the 12–14 band) and 35 % (social media) are well above 10 cases.
        Assert.Equal("Girls 12–17 · social media · RO→IT · sexual exploitation", PatternProfiler.Label(Schema, Typical, 0.1, 10 / 200.0));
    }

    [Fact]
    public void Label_LeavesOutAValueHeldByFewerThanTheThreshold_OfASmallPattern()
    {
        // 40 cases: the 12–14 band is 8 of them and social media 14; at a threshold of 10 the band goes, the channel stays.
        Assert.Equal("Girls 15–17 · social media · RO→IT · sexual exploitation", PatternProfiler.Label(Schema, Typical, 0.1, 10 / 40.0));
        // 25 cases: social media is 8.75 of them, so it goes too.
        Assert.Equal("Girls 15–17 · RO→IT · sexual exploitation", PatternProfiler.Label(Schema, Typical, 0.1, 10 / 25.0));
    }
}
