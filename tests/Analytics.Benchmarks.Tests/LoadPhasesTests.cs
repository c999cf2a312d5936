using Analytics.Benchmarks.Ingest;

namespace Analytics.Benchmarks.Tests;

public sealed class LoadPhasesTests
{
    [Theory]
    [InlineData(6, 12)]
    [InlineData(8, 16)]
    [InlineData(20, 40)]
    [InlineData(60, 80)]
    public void HardStop_LeavesTheBudgetAgainAtMost20SecondsMore_SoLongPhasesDoNotAbandonTheirLastRequests(int budget, int stop)
    {
        Assert.Equal(TimeSpan.FromSeconds(stop), LoadPhases.HardStop(TimeSpan.FromSeconds(budget)));
    }
}
