using Analytics.Core.Pseudonymisation;

namespace Analytics.Core.Tests.Pseudonymisation;

public class NormalisersTests
{
    [Theory]
    [InlineData("+40 721 234 567", "RO")]
    [InlineData("0040721234567", "RO")]
    [InlineData("0721 234 567", "RO")]
    [InlineData("0721-234-567", "RO")]
    [InlineData("+40 721 234 567", null)]
    [InlineData("0040721234567", null)]
    [InlineData("+40 721 234 567", "DE")]
    public void Phone_ReturnsE164_ForEquivalentFormats(string value, string? region)
    {
        Assert.Equal("+40721234567", Normalisers.Phone(value, region));
    }

    [Theory]
    [InlineData("12345", "RO")]
    [InlineData("0721 234", "RO")]
    [InlineData("1-800-FLOWERS", "US")]
    [InlineData("0721 234 567", null)]
    [InlineData("", "RO")]
    public void Phone_ReturnsNull_WhenInvalid(string value, string? region)
    {
        Assert.Null(Normalisers.Phone(value, region));
    }

    [Fact]
    public void Email_LowerCasesAndTrims_WhenValid()
    {
        Assert.Equal("john.doe@example.com", Normalisers.Email("  John.Doe@Example.COM "));
    }

    [Theory]
    [InlineData("john.doe")]
    [InlineData("a@b")]
    [InlineData("a@@b.com")]
    [InlineData("john doe@example.com")]
    public void Email_ReturnsNull_WhenInvalid(string value)
    {
        Assert.Null(Normalisers.Email(value));
    }

    [Theory]
    [InlineData("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432")]
    [InlineData("de89370400440532013000", "DE89370400440532013000")]
    [InlineData("RO49 AAAA 1B31 0075 9384 0000", "RO49AAAA1B31007593840000")]
    public void Iban_ReturnsUpperCaseWithoutSpaces_WhenChecksumValid(string value, string expected)
    {
        Assert.Equal(expected, Normalisers.Iban(value));
    }

    [Theory]
    [InlineData("GB83 WEST 1234 5698 7654 32")]
    [InlineData("RO49 AAAA 1B31 0075 9384 000")]
    [InlineData("XX82 WEST 1234 5698 7654 32")]
    [InlineData("GB82 WEST 1234 5698 7654 32!")]
    public void Iban_ReturnsNull_WhenCheckDigitsOrLengthWrong(string value)
    {
        Assert.Null(Normalisers.Iban(value));
    }

    [Theory]
    [InlineData("4111 1111 1111 1111", "4111111111111111")]
    [InlineData("5500-0000-0000-0004", "5500000000000004")]
    [InlineData("378282246310005", "378282246310005")]
    public void Card_ReturnsDigits_WhenLuhnValid(string value, string expected)
    {
        Assert.Equal(expected, Normalisers.Card(value));
    }

    [Theory]
    [InlineData("4111 1111 1111 1112")]
    [InlineData("4111 1111 111")]
    [InlineData("4111 1111 1111 111a")]
    public void Card_ReturnsNull_WhenLuhnOrLengthInvalid(string value)
    {
        Assert.Null(Normalisers.Card(value));
    }

    [Theory]
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")]
    [InlineData("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")]
    [InlineData("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")]
    [InlineData("BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")]
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE7", "0x52908400098527886e0f7030069857d2e4169ee7")]
    public void Wallet_ReturnsCanonicalForm_WhenChecksumValid(string value, string expected)
    {
        Assert.Equal(expected, Normalisers.Wallet(value));
    }

    [Theory]
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")]
    [InlineData("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz")]
    [InlineData("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp")]
    [InlineData("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzWF5MDQ")]
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE")]
    [InlineData("0l52908400098527886E0F7030069857D2E4169EE7")]
    public void Wallet_ReturnsNull_WhenChecksumOrFormatBad(string value)
    {
        Assert.Null(Normalisers.Wallet(value));
    }

    [Theory]
    [InlineData("@John.Doe", "Instagram", "instagram/john.doe")]
    [InlineData("john.doe", "instagram", "instagram/john.doe")]
    [InlineData("@maria", null, "other/maria")]
    public void Handle_StripsAtAndPrefixesPlatform(string value, string? platform, string expected)
    {
        Assert.Equal(expected, Normalisers.Handle(value, platform));
    }

    [Theory]
    [InlineData("@")]
    [InlineData("john doe")]
    public void Handle_ReturnsNull_WhenEmptyOrSpaced(string value)
    {
        Assert.Null(Normalisers.Handle(value, "instagram"));
    }

    [Theory]
    [InlineData("ion popescu")]
    [InlineData("POPESCU, Ion")]
    [InlineData("Ión Popéscu")]
    [InlineData("  Popescu   ION ")]
    public void Name_FoldsCaseDiacriticsAndOrder(string value)
    {
        Assert.Equal("ion popescu", Normalisers.Name(value));
    }

    [Theory]
    [InlineData("Straße", "strasse")]
    [InlineData("Łukasz Wałęsa", "lukasz walesa")]
    [InlineData("Đorđe", "dorde")]
    [InlineData("Søren Kærgaard", "kaergaard soren")]
    [InlineData("Ștefan Țăranu", "stefan taranu")]
    public void Name_FoldsSpecialLetters(string value, string expected)
    {
        Assert.Equal(expected, Normalisers.Name(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" 123 ")]
    public void Name_ReturnsNull_WhenNoLetters(string value)
    {
        Assert.Null(Normalisers.Name(value));
    }

    [Fact]
    public void Document_UpperCasesAlphanumericsAndPrefixesCountry()
    {
        Assert.Equal("RO/AB123456", Normalisers.Document(" ab-123 456 ", "ro"));
        Assert.Equal("AB123456", Normalisers.Document("ab 123456", null));
        Assert.Null(Normalisers.Document(" - / ", "RO"));
    }

    [Fact]
    public void Plate_UpperCasesAlphanumericsAndPrefixesCountry()
    {
        Assert.Equal("RO/B123ABC", Normalisers.Plate("b-123-abc", "RO"));
        Assert.Equal(Normalisers.Plate("B 123 ABC", "RO"), Normalisers.Plate("b-123-abc", "RO"));
    }

    [Fact]
    public void CaseReference_CollapsesWhitespaceAndPrefixesAuthority()
    {
        Assert.Equal("DIICOT IASI/DOS 123/2023", Normalisers.CaseReference("  dos  123/2023 ", "DIICOT  Iasi"));
        Assert.Null(Normalisers.CaseReference("   ", "DIICOT"));
    }
}
