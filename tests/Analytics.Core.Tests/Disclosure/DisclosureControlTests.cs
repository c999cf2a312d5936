using Analytics.Core.Disclosure;

namespace Analytics.Core.Tests.Disclosure;

public sealed class DisclosureControlTests
{
    [Fact]
    public void Release_SuppressesCountsBelowK_AndKeepsZerosAndLargeCounts()
    {
        var released = DisclosureControl.Release([("RO", 40), ("IT", 3), ("BG", 0), ("DE", 7), ("AT", 25)], k: 10);

        Assert.Equal(40, released.Single(c => c.Key == "RO").Count);
        Assert.True(released.Single(c => c.Key == "IT").Suppressed);
        Assert.True(released.Single(c => c.Key == "DE").Suppressed);
        Assert.Equal(0, released.Single(c => c.Key == "BG").Count);
        Assert.Null(released.Single(c => c.Key == "IT").Count);
    }

    [Fact]
    public void Release_AddsSecondarySuppression_WhenOneSuppressedCellCouldBeRecoveredFromTotal()
    {
        var released = DisclosureControl.Release([("RO", 40), ("IT", 3), ("AT", 25), ("DE", 12)], k: 10);

        // IT = total − RO − AT − DE would reveal 3: the smallest other cell (DE) is withheld too.
        Assert.True(released.Single(c => c.Key == "IT").Suppressed);
        Assert.True(released.Single(c => c.Key == "DE").Suppressed);
        Assert.Equal(2, released.Count(c => c.Suppressed));
    }

    [Fact]
    public void Release_KeepsSuppressingUntilHiddenSumReachesK()
    {
        var released = DisclosureControl.Release([("A", 2), ("B", 3), ("C", 30), ("D", 11), ("E", 50)], k: 10);

        // A + B = 5 < 10 would still be a small recoverable sum: D is withheld as well.
        Assert.Equal(["A", "B", "D"], released.Where(c => c.Suppressed).Select(c => c.Key));
        Assert.True(released.Where(c => c.Suppressed).Sum(c => c.Key switch { "A" => 2, "B" => 3, "D" => 11, _ => 0 }) >= 10);
    }

    [Fact]
    public void Release_NeedsNoSecondarySuppression_WhenTotalIsNotReleased()
    {
        var released = DisclosureControl.Release([("RO", 40), ("IT", 3)], k: 10, totalReleased: false);
        Assert.Single(released, c => c.Suppressed);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(9, false)]
    [InlineData(10, true)]
    public void CanRelease_FollowsThreshold(int count, bool expected) =>
        Assert.Equal(expected, DisclosureControl.CanRelease(count, 10));
}
