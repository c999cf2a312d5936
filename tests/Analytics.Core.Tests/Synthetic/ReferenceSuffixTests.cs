using Analytics.Core.Synthetic;

namespace Analytics.Core.Tests.Synthetic;

public sealed class ReferenceSuffixTests
{
    [Fact]
    public void Suffix_EndsEveryReference_AndLeavesTheRestOfTheCaseAsIs()
    {
        var plain = new CaseGenerator(new GeneratorOptions { Seed = 9, Count = 50 }).Run().Cases;
        var suffixed = new CaseGenerator(new GeneratorOptions { Seed = 9, Count = 50, ReferenceSuffix = "-3" }).Run().Cases;

        Assert.All(suffixed.Zip(plain), pair =>
        {
            Assert.Equal(pair.Second.Case.CaseReference + "-3", pair.First.Case.CaseReference);
            Assert.Equal(pair.Second.Case.Jurisdiction, pair.First.Case.Jurisdiction);
            Assert.Equal(pair.Second.Case.Victims.Count, pair.First.Case.Victims.Count);
        });
    }
}
