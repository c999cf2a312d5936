using Analytics.Core.Cases;

namespace Analytics.Core.Tests.Cases;

public sealed class CodeListsTests
{
    [Fact]
    public void Codes_ReturnsAll249Countries_ForCountries()
    {
        var countries = CodeLists.Codes(CodeLists.Countries);
        Assert.Equal(249, countries.Count);
        Assert.Equal(249, countries.Distinct().Count());
        Assert.All(countries, c => Assert.Matches("^[A-Z]{2}$", c));
    }

    [Theory]
    [InlineData(CodeLists.Countries, "DE", true)]
    [InlineData(CodeLists.Countries, "de", false)]
    [InlineData(CodeLists.Countries, "XK", false)]
    [InlineData(CodeLists.MeansOfControl, "debt-bondage", true)]
    [InlineData(CodeLists.IdentifierTypes, "passport", false)]
    [InlineData(CodeLists.AgeBands, "48+", true)]
    public void Contains_ReturnsMembership_ForCode(string list, string code, bool expected) =>
        Assert.Equal(expected, CodeLists.Contains(list, code));

    [Fact]
    public void Contains_Throws_WhenListUnknown() =>
        Assert.Throws<KeyNotFoundException>(() => CodeLists.Contains("colours", "red"));

    [Fact]
    public void Label_ReturnsEnglishName_ForCountry() =>
        Assert.Equal("Germany", CodeLists.Label(CodeLists.Countries, "DE"));

    [Fact]
    public void Codes_KeepsAgreedOrder_ForAgeBands() =>
        Assert.Equal(["0-8", "9-11", "12-14", "15-17", "18-20", "21-23", "24-26", "27-29", "30-38", "39-47", "48+"], CodeLists.Codes(CodeLists.AgeBands));
}
