using Analytics.Core.Statistics;

namespace Analytics.Core.Tests.Statistics;

public sealed class PoissonTestTests
{
    [Theory]
    // Reference values: 1 − ppois(x − 1, λ) in R.
    [InlineData(5, 2.0, 0.05265302)]
    [InlineData(10, 4.0, 0.008132243)]
    [InlineData(3, 3.0, 0.5768099)]
    [InlineData(130, 100.0, 0.002282939)]
    public void UpperTail_MatchesReferenceValues(int observed, double expected, double p) =>
        Assert.Equal(p, PoissonTest.UpperTail(observed, expected), 5);

    [Fact]
    public void UpperTail_IsOne_ForZeroObserved_AndZero_ForZeroExpectation()
    {
        Assert.Equal(1.0, PoissonTest.UpperTail(0, 5));
        Assert.Equal(0.0, PoissonTest.UpperTail(3, 0));
    }
}
