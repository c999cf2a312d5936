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

    private static LoadResult Phase(long cases, double serviceUs, double clientUs) =>
        new("batch 1,000", 2, 1_000, cases / 1_000, cases, 0, 6, cases / 6.0, 350, 430, serviceUs, 227, null,
            new WarmUp(6, 32_000, serviceUs, []), clientUs);

    [Fact]
    public void Ceiling_IsWhatTheCoresGiveAtTheServiceAndClientCpuPerCase()
    {
        // 300 µs of the service and 20 µs of the client per case: two cores give at most 2 s ÷ 320 µs.
        Assert.Equal(6_250, Phase(40_000, 300, 20).CeilingCasesPerSecond(2), 6);
        Assert.Equal(3_125, Phase(40_000, 300, 20).CeilingCasesPerSecond(1), 6);
        // A goal of 10,000 cases/s on two cores needs at most 200 µs per case, both sides together.
        Assert.Equal(10_000, Phase(40_000, 180, 20).CeilingCasesPerSecond(2), 6);
    }

    [Fact]
    public void Ceiling_IsZero_WhenThePhaseStoredNothing_AndNeedsACore()
    {
        Assert.Equal(0, Phase(0, 0, 0).CeilingCasesPerSecond(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Phase(40_000, 300, 20).CeilingCasesPerSecond(0));
    }
}
