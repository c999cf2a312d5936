using Analytics.Core.Pseudonymisation;

namespace Analytics.Core.Tests.Pseudonymisation;

public class GeneralisationTests
{
    [Theory]
    [InlineData(0, "0-8")]
    [InlineData(8, "0-8")]
    [InlineData(9, "9-11")]
    [InlineData(11, "9-11")]
    [InlineData(12, "12-14")]
    [InlineData(14, "12-14")]
    [InlineData(15, "15-17")]
    [InlineData(17, "15-17")]
    [InlineData(18, "18-20")]
    [InlineData(20, "18-20")]
    [InlineData(21, "21-23")]
    [InlineData(23, "21-23")]
    [InlineData(24, "24-26")]
    [InlineData(26, "24-26")]
    [InlineData(27, "27-29")]
    [InlineData(29, "27-29")]
    [InlineData(30, "30-38")]
    [InlineData(38, "30-38")]
    [InlineData(39, "39-47")]
    [InlineData(47, "39-47")]
    [InlineData(48, "48+")]
    [InlineData(95, "48+")]
    public void AgeBand_ReturnsBand_AtEachBoundary(int age, string expected)
    {
        Assert.Equal(expected, Generalisation.AgeBand(age));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(200)]
    public void AgeBand_ReturnsNull_WhenImplausible(int age)
    {
        Assert.Null(Generalisation.AgeBand(age));
    }

    [Theory]
    [InlineData("2009-03-12", "2024-03-11", "12-14")]
    [InlineData("2009-03-12", "2024-03-12", "15-17")]
    [InlineData("2006-01-01", "2023-12-31", "15-17")]
    [InlineData("2006-01-01", "2024-01-01", "18-20")]
    public void AgeBandFromDateOfBirth_UsesAgeOnDate(string dob, string at, string expected)
    {
        Assert.Equal(expected, Generalisation.AgeBandFromDateOfBirth(dob, DateOnly.Parse(at)));
    }

    [Theory]
    [InlineData("2030-01-01")]
    [InlineData("12.03.2009")]
    [InlineData("2009-03")]
    public void AgeBandFromDateOfBirth_ReturnsNull_WhenFutureOrNotExact(string dob)
    {
        Assert.Null(Generalisation.AgeBandFromDateOfBirth(dob, new DateOnly(2024, 1, 1)));
    }

    [Theory]
    [InlineData("12-14", "12-14")]
    [InlineData(" 48+ ", "48+")]
    [InlineData("12-15", null)]
    [InlineData("teen", null)]
    public void ValidAgeBand_PassesOnlyAgreedBands(string band, string? expected)
    {
        Assert.Equal(expected, Generalisation.ValidAgeBand(band));
    }

    [Theory]
    [InlineData("2023-04-17", "2023-04")]
    [InlineData("2023-04", "2023-04")]
    [InlineData("17.04.2023", null)]
    [InlineData("2023-13-01", null)]
    [InlineData(null, null)]
    public void YearMonth_TruncatesToMonth(string? date, string? expected)
    {
        Assert.Equal(expected, Generalisation.YearMonth(date));
    }
}
