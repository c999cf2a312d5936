using Analytics.Core.Cases;
using Analytics.Core.Pseudonymisation;

namespace Analytics.Core.Tests.Pseudonymisation;

/// <summary>An identifier that fails its type's check is stored as a token all the same, and reported by pointer.</summary>
public class IdentifierWarningsTests
{
    private static readonly string[] Malformed = ["hello", "RO49AAAA1B31007593840001", "x", "4111111111111112", "0x123", "@a b", "--", "?!"];

    private static CaseSubmission Case() => new()
    {
        Jurisdiction = "RO",
        Authority = "RO-DIICOT",
        CaseReference = "DIICOT/2024/00017",
        Stage = "investigation",
        Victims = [new Victim { Name = "Ana Popescu", Identifiers = [new Identifier { Type = "phone", Value = "+40 721 234 567" }] }],
        Suspects =
        [
            new Suspect
            {
                Name = "1234",
                Role = "recruiter",
                Identifiers =
                [
                    new Identifier { Type = "phone", Value = Malformed[0] },
                    new Identifier { Type = "iban", Value = Malformed[1] },
                    new Identifier { Type = "email", Value = Malformed[2] },
                    new Identifier { Type = "card", Value = Malformed[3] },
                    new Identifier { Type = "email", Value = "ion@mail.ro" },
                ],
            },
        ],
        FinancialFlows =
        [
            new FinancialFlow
            {
                AmountBand = "1000-9999",
                Channel = "crypto",
                Identifiers =
                [
                    new Identifier { Type = "wallet", Value = Malformed[4] },
                    new Identifier { Type = "handle", Value = Malformed[5], Platform = "telegram" },
                    new Identifier { Type = "document", Value = Malformed[6] },
                    new Identifier { Type = "plate", Value = Malformed[7] },
                ],
            },
        ],
    };

    [Fact]
    public void Warnings_NameEachIdentifierThatFailedItsCheck_ByPointer_WithTheReason()
    {
        var result = new CasePseudonymiser(new KeyRing(TestKeys.K1)).Pseudonymise(Case(), new DateOnly(2024, 6, 1));

        Assert.Equal(
        [
            "/suspects/0/name",
            "/suspects/0/identifiers/0/value",
            "/suspects/0/identifiers/1/value",
            "/suspects/0/identifiers/2/value",
            "/suspects/0/identifiers/3/value",
            "/financialFlows/0/identifiers/0/value",
            "/financialFlows/0/identifiers/1/value",
            "/financialFlows/0/identifiers/2/value",
            "/financialFlows/0/identifiers/3/value",
        ], result.Warnings.Keys);
        Assert.Contains("(it has letters)", Assert.Single(result.Warnings["/suspects/0/identifiers/0/value"]));
        Assert.StartsWith("not a valid IBAN (mod-97 check failed)", Assert.Single(result.Warnings["/suspects/0/identifiers/1/value"]));
        Assert.StartsWith("not a valid e-mail address", Assert.Single(result.Warnings["/suspects/0/identifiers/2/value"]));
        Assert.StartsWith("not a valid card number (Luhn check failed)", Assert.Single(result.Warnings["/suspects/0/identifiers/3/value"]));
        Assert.All(result.Warnings.Values, reasons => Assert.EndsWith(IdentifierWarnings.Consequence, Assert.Single(reasons)));
        // A reason never repeats the value (the short ones, "x" and "--", are in any text).
        Assert.All(result.Warnings.Values.SelectMany(r => r),
            reason => Assert.All(Malformed.Append("1234").Where(v => v.Length >= 4), value => Assert.DoesNotContain(value, reason)));
        Assert.Equal(result.UnvalidatedCounts.Values.Sum(), result.Warnings.Count);
    }

    [Theory]
    [InlineData("RO49AAAA1B3100759384000", "has 24 characters")]
    [InlineData("ZZ49AAAA1B31007593840001", "country that uses IBANs")]
    [InlineData("RO4XAAAA1B31007593840001", "check digits")]
    [InlineData("RO49_AAAA1B31007593840001", "characters other than")]
    public void Iban_ReasonSaysWhichCheckFailed(string iban, string expected) =>
        Assert.Contains(expected, IdentifierWarnings.Reason("iban", iban, "RO"));

    [Theory]
    [InlineData("4111 1111 1111", "13 to 19 digits")]
    [InlineData("4111/1111/1111/1111", "characters other than")]
    public void Card_ReasonSaysWhichCheckFailed(string card, string expected) =>
        Assert.Contains(expected, IdentifierWarnings.Reason("card", card, "RO"));

    [Fact]
    public void Phone_ReasonNamesTheCountryItWasReadIn() =>
        Assert.Contains("not a number of RO", IdentifierWarnings.Reason("phone", "0721 234", "ro"));
}
