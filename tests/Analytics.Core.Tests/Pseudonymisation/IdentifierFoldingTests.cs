using System.Text;
using Analytics.Core.Pseudonymisation;

namespace Analytics.Core.Tests.Pseudonymisation;

/// <summary>
/// The same identifier written with invisible characters, full-width forms, digits of another script, slash or dash
/// variants, or in another Unicode normal form, gets the same normalised form (and so the same token).
/// </summary>
public class IdentifierFoldingTests
{
    private const string Authority = "RO-DIICOT";
    private const string Reference = "DIICOT/2024/00017";

    [Theory]
    [InlineData("DIICOT/2024/00017\u200B")]
    [InlineData("\u202EDIICOT/2024/00017")]
    [InlineData("DII\u00ADCOT/2024/\uFEFF00017")]
    [InlineData("\uFF24\uFF29\uFF29\uFF23\uFF2F\uFF34/2024/00017")]
    [InlineData("\uFF24\uFF29\uFF29\uFF23\uFF2F\uFF34\uFF0F\uFF12\uFF10\uFF12\uFF14\uFF0F\uFF10\uFF10\uFF10\uFF11\uFF17")]
    [InlineData("DIICOT\u22152024\u221500017")]
    [InlineData("DIICOT\u20442024\u204400017")]
    [InlineData("DIICOT/\u0662\u0660\u0662\u0664/\u0660\u0660\u0660\u0661\u0667")]
    [InlineData("DIICOT/\u06F2\u06F0\u06F2\u06F4/\u06F0\u06F0\u06F0\u06F1\u06F7")]
    [InlineData("DIICOT/2024/00017\U000E0041")]
    [InlineData("diicot/2024/00017\u2060")]
    public void CaseReference_FoldsVariantsToTheSameReference(string variant)
    {
        Assert.Equal(Normalisers.CaseReference(Reference, Authority), Normalisers.CaseReference(variant, Authority));
    }

    [Fact]
    public void CaseReference_FoldsDashVariantsAndNormalForms()
    {
        Assert.Equal(Normalisers.CaseReference("DOS-123-2023", Authority), Normalisers.CaseReference("DOS\u2013123\u2212\u200B2023", Authority));
        var composed = "PITE\u0218TI/2024/1";
        Assert.Equal(Normalisers.CaseReference(composed, Authority), Normalisers.CaseReference(composed.Normalize(NormalizationForm.FormD), Authority));
    }

    [Fact]
    public void CaseReference_OfInvisibleCharactersOnly_IsBlank()
    {
        Assert.Null(Normalisers.CaseReference("\u200B\u202E\u00AD", Authority));
    }

    // The token of a plain reference, or of a name with marks, is what it was before references were folded (computed
    // with that code under the test key): stored cases keep their tokens.
    [Fact]
    public void PlainValues_KeepTheTokensTheyHadBeforeFolding()
    {
        var tokeniser = TestKeys.Tokeniser();
        Assert.Equal("caseref:dyhhwwldovsdgdwsjbl6ntxqtu", tokeniser.TokenForCaseReference(Reference, Authority));
        Assert.Equal("caseref:dyhhwwldovsdgdwsjbl6ntxqtu", tokeniser.TokenForCaseReference("  diicot/2024/00017 ", Authority));
        Assert.Equal("name:cs22zo55nq54hhkx2fpkz3wjmu", tokeniser.TokenFor("name", "Ana Mărgineanu", null, null, "RO", out var validated));
        Assert.True(validated);
    }

    [Theory]
    [InlineData("name", "Ana Popescu", "Ana Po\u00ADpescu")]
    [InlineData("name", "Ana Popescu", "Ana Pop\u200Bescu")]
    [InlineData("name", "Ana Popescu", "\uFF21\uFF4E\uFF41 Popescu")]
    [InlineData("email", "ana.popescu@mail.ro", "ana.pop\u200Bescu@mail.ro")]
    [InlineData("email", "ana.popescu@mail.ro", "\uFF41na.popescu\uFF20mail.ro")]
    [InlineData("iban", "RO49AAAA1B31007593840000", "RO49\u00A0AAAA\u20131B31\u200B007593840000")]
    [InlineData("iban", "RO49AAAA1B31007593840000", "\uFF32\uFF2F\uFF14\uFF19AAAA1B31007593840000")]
    [InlineData("card", "4111111111111111", "4111\u200B1111\u20131111\u00A01111")]
    [InlineData("card", "4111111111111111", "\u0664\u0661\u0661\u0661111111111111")]
    [InlineData("wallet", "0x52908400098527886E0F7030069857D2E4169EE7", "0x52908400098527886E0F7030069857D2E4169EE7\u200B")]
    [InlineData("handle", "ana_popescu", "ana_pop\u200Bescu")]
    [InlineData("handle", "ana_popescu", "\u202Eana_popescu")]
    [InlineData("document", "AB123456", "\uFF21\uFF22\uFF11\uFF12\uFF13\uFF14\uFF15\uFF16")]
    [InlineData("document", "AB123456", "AB\u0661\u0662\u0663\u0664\u0665\u0666")]
    [InlineData("plate", "B 123 ABC", "B\u00A0\u0661\u0662\u0663\u00A0\uFF21BC")]
    public void OtherIdentifiers_FoldInvisibleAndFullWidthCharacters(string type, string plain, string variant)
    {
        var expected = Normalisers.Normalise(type, plain, "RO", "instagram", "RO");
        Assert.NotNull(expected);
        Assert.Equal(expected, Normalisers.Normalise(type, variant, "RO", "instagram", "RO"));
    }
}
