using System.Text.Json;
using Analytics.Core.Cases;
using Analytics.Core.Pseudonymisation;

namespace Analytics.Core.Tests.Pseudonymisation;

public class CasePseudonymiserTests
{
    private static readonly DateOnly Reference = new(2024, 6, 1);

    private static CaseSubmission RichCase() => new()
    {
        Jurisdiction = "RO",
        Authority = "DIICOT Iasi",
        CaseReference = "DOS 481/P/2023",
        Stage = "prosecution",
        Outcome = "pending",
        OffencePeriod = new Period { From = "2023-02-14", To = "2023-09-30" },
        LegalBasis = ["Art. 211 Criminal Code (victim Maria Ionescu, tel. 0721 234 567)"],
        Victims =
        [
            new Victim
            {
                Name = "Maria Ionescu",
                DateOfBirth = "2008-05-20",
                Gender = "female",
                Citizenship = "RO",
                Vulnerabilities = ["poverty"],
                IdentifiedBy = "ngo",
                Identifiers =
                [
                    new Identifier { Type = "phone", Value = "+40 721 234 567" },
                    new Identifier { Type = "email", Value = "Maria.Ionescu08@Example.com" },
                    new Identifier { Type = "handle", Value = "@maria.ionescu08", Platform = "instagram" },
                    new Identifier { Type = "document", Value = "XT 654321", Country = "RO" },
                ],
            },
        ],
        Suspects =
        [
            new Suspect
            {
                Name = "Ștefan Văduva",
                Role = "recruiter",
                Age = 34,
                Gender = "male",
                Citizenship = "RO",
                RelationToVictim = "acquaintance",
                Identifiers =
                [
                    new Identifier { Type = "phone", Value = "0049 151 23456789", Country = "DE" },
                    new Identifier { Type = "plate", Value = "IS-07-XYZ", Country = "RO" },
                    new Identifier { Type = "card", Value = "4111 1111 1111 1111" },
                    new Identifier { Type = "wallet", Value = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq" },
                    new Identifier { Type = "handle", Value = "stefan_vip", Platform = "tiktok" },
                    // Bad Luhn: must still never be stored raw.
                    new Identifier { Type = "card", Value = "5500 0000 0000 0005" },
                ],
            },
        ],
        ModusOperandi = new ModusOperandi { RecruitmentChannels = ["social-media"], ExploitationTypes = ["sexual"] },
        Route = [new RouteLeg { From = "RO", To = "DE", Transport = "bus" }],
        ExploitationCountries = ["DE"],
        DigitalEvidence = new DigitalEvidence { Kinds = ["chat-logs"], Platforms = ["instagram"] },
        FinancialFlows =
        [
            new FinancialFlow
            {
                AmountBand = "1000-9999",
                Channel = "bank-transfer",
                Identifiers =
                [
                    new Identifier { Type = "iban", Value = "DE89 3704 0044 0532 0130 00" },
                    new Identifier { Type = "wallet", Value = "0x52908400098527886E0F7030069857D2E4169EE7" },
                ],
            },
        ],
        Summary =
            "MARIA IONESCU (born 20.05.2008) was contacted on Instagram by @stefan_vip and later wrote to " +
            "maria.ionescu08@example.com. Văduva called her on 0721-234-567 and from his German number " +
            "0151 2345 6789. Money went to de89370400440532013000 and card 4111111111111111; crypto to " +
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq and 0x52908400098527886e0f7030069857d2e4169ee7. " +
            "Her passport XT654321 was withheld. The car, plate IS 07 XYZ, left in 2023. Stefan paid EUR 15000. " +
            "The card 5500-0000-0000-0005 was also seen. Linked to case DOS 481/P/2023. Maria was 14.",
    };

    private static readonly string[] RawValues =
    [
        "Maria", "Ionescu", "IONESCU", "Ștefan", "Stefan", "Văduva", "Vaduva",
        "+40 721 234 567", "0721 234 567", "0721-234-567", "721234567", "40721234567",
        "Maria.Ionescu08@Example.com", "maria.ionescu08@example.com", "maria.ionescu08", "stefan_vip",
        "XT 654321", "XT654321", "654321", "IS-07-XYZ", "IS 07 XYZ", "IS07XYZ",
        "0049 151 23456789", "0151 2345 6789", "4915123456789", "15123456789",
        "4111 1111 1111 1111", "4111111111111111", "5500 0000 0000 0005", "5500-0000-0000-0005", "5500000000000005",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "0x52908400098527886E0F7030069857D2E4169EE7",
        "52908400098527886e0f7030069857d2e4169ee7",
        "DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "de89370400440532013000",
        "DOS 481/P/2023", "481/P/2023", "2008-05-20", "20.05.2008",
    ];

    private static CasePseudonymiser Pseudonymiser() => new(new KeyRing(TestKeys.K1));

    [Fact]
    public void Pseudonymise_SerialisedRecord_ContainsNoRawIdentifier()
    {
        var result = Pseudonymiser().Pseudonymise(RichCase(), Reference);

        var json = JsonSerializer.Serialize(result.Record);
        var receipt = JsonSerializer.Serialize(result);

        foreach (var raw in RawValues)
        {
            Assert.DoesNotContain(raw, json, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(raw, receipt, StringComparison.OrdinalIgnoreCase);
        }
        // Any run of 9+ digits would be a phone, card or account number in some form.
        Assert.DoesNotMatch(@"\d{9,}", json);
    }

    [Fact]
    public void Pseudonymise_KeepsNonIdentifyingText()
    {
        var result = Pseudonymiser().Pseudonymise(RichCase(), Reference);

        Assert.Contains("left in 2023", result.Record.Summary);
        Assert.Contains("EUR 15000", result.Record.Summary);
        Assert.Contains("(born [dob])", result.Record.Summary);
        Assert.StartsWith("Art. 211 Criminal Code", result.Record.LegalBasis[0]);
    }

    [Fact]
    public void Pseudonymise_TokenisesStructuredFields()
    {
        var tokeniser = TestKeys.Tokeniser();
        var result = Pseudonymiser().Pseudonymise(RichCase(), Reference);
        var record = result.Record;

        Assert.Equal(tokeniser.TokenForCaseReference("DOS 481/P/2023", "DIICOT Iasi"), record.CaseReferenceToken);
        Assert.Equal("k1", record.KeyId);
        var victim = Assert.Single(record.Victims);
        Assert.Contains(tokeniser.Token("name", "ionescu maria"), victim.Tokens);
        Assert.Contains(tokeniser.Token("phone", "+40721234567"), victim.Tokens);
        Assert.Contains(tokeniser.Token("handle", "instagram/maria.ionescu08"), victim.Tokens);
        Assert.Contains(tokeniser.Token("document", "RO/XT654321"), victim.Tokens);
        Assert.Equal(5, victim.Tokens.Count);
        var suspect = Assert.Single(record.Suspects);
        Assert.Contains(tokeniser.Token("phone", "+4915123456789"), suspect.Tokens);
        Assert.Contains(tokeniser.Token("card", "5500 0000 0000 0005"), suspect.Tokens);
        Assert.Equal(2, Assert.Single(record.FinancialFlows).Tokens.Count);
        Assert.All(result.Tokens, t => Assert.Matches("^[a-z]+:[a-z2-7]{26}$", t));
    }

    [Fact]
    public void Pseudonymise_LinksNarrativeToStructuredTokens()
    {
        var tokeniser = TestKeys.Tokeniser();
        var result = Pseudonymiser().Pseudonymise(RichCase(), Reference);
        var summary = result.Record.Summary!;

        Assert.Contains($"[{tokeniser.Token("name", "ionescu maria")}] (born", summary);
        Assert.Contains($"by [{tokeniser.Token("handle", "tiktok/stefan_vip")}]", summary);
        Assert.Contains($"[{tokeniser.Token("name", "stefan vaduva")}] called her on [{tokeniser.Token("phone", "+40721234567")}]", summary);
        Assert.Contains($"number [{tokeniser.Token("phone", "+4915123456789")}]", summary);
        Assert.Contains($"passport [{tokeniser.Token("document", "RO/XT654321")}]", summary);
        Assert.Contains($"plate [{tokeniser.Token("plate", "RO/IS07XYZ")}]", summary);
        Assert.Contains($"case [{result.Record.CaseReferenceToken}]", summary);
    }

    [Fact]
    public void Pseudonymise_ReportsCounts()
    {
        var result = Pseudonymiser().Pseudonymise(RichCase(), Reference);

        Assert.Equal(2, result.TokenCounts["name"]);
        Assert.Equal(2, result.TokenCounts["phone"]);
        Assert.Equal(2, result.TokenCounts["card"]);
        Assert.Equal(2, result.TokenCounts["wallet"]);
        Assert.Equal(1, result.TokenCounts["caseref"]);
        Assert.Equal(1, result.ScrubbedCounts["dob"]);
        Assert.True(result.ScrubbedCounts["name"] >= 4);
        Assert.Equal(1, result.UnvalidatedCounts["card"]);
        Assert.Equal(result.Tokens.Count, result.Tokens.Distinct().Count());
        Assert.Contains(result.Record.CaseReferenceToken, result.Tokens);
    }

    [Fact]
    public void Pseudonymise_GeneralisesAgesAndDates()
    {
        var result = Pseudonymiser().Pseudonymise(RichCase(), Reference);

        // Born 2008-05-20, offence from 2023-02-14: aged 14 then.
        Assert.Equal("12-14", result.Record.Victims[0].AgeBand);
        Assert.Equal("30-38", result.Record.Suspects[0].AgeBand);
        Assert.Equal("2023-02", result.Record.PeriodFrom);
        Assert.Equal("2023-09", result.Record.PeriodTo);
    }

    [Fact]
    public void Pseudonymise_UsesReferenceDate_WhenNoPeriodStart()
    {
        var submission = RichCase() with { OffencePeriod = null };

        var result = Pseudonymiser().Pseudonymise(submission, new DateOnly(2024, 6, 1));

        Assert.Equal("15-17", result.Record.Victims[0].AgeBand);
        Assert.Null(result.Record.PeriodFrom);
    }

    [Fact]
    public void Pseudonymise_PassesValidAgeBand_AndDropsInvalidOne()
    {
        var submission = RichCase() with
        {
            Victims = [new Victim { AgeBand = "9-11" }, new Victim { AgeBand = "10-12" }],
        };

        var result = Pseudonymiser().Pseudonymise(submission, Reference);

        Assert.Equal("9-11", result.Record.Victims[0].AgeBand);
        Assert.Null(result.Record.Victims[1].AgeBand);
    }

    [Fact]
    public void Pseudonymise_CopiesNonIdentifyingStructure()
    {
        var submission = RichCase();

        var record = Pseudonymiser().Pseudonymise(submission, Reference).Record;

        Assert.Equal(submission.Route, record.Route);
        Assert.Equal(submission.ModusOperandi, record.ModusOperandi);
        Assert.Equal(submission.DigitalEvidence, record.DigitalEvidence);
        Assert.Equal(["DE"], record.ExploitationCountries);
        Assert.Equal("poverty", record.Victims[0].Vulnerabilities[0]);
        Assert.Equal("acquaintance", record.Suspects[0].RelationToVictim);
    }

    [Fact]
    public void Pseudonymise_SameIdentifierInTwoJurisdictions_GivesSameToken()
    {
        var ro = RichCase();
        var de = RichCase() with
        {
            Jurisdiction = "DE",
            Authority = "StA Berlin",
            Victims = [new Victim { Identifiers = [new Identifier { Type = "phone", Value = "0040 721 234 567" }] }],
        };

        var a = Pseudonymiser().Pseudonymise(ro, Reference);
        var b = Pseudonymiser().Pseudonymise(de, Reference);

        Assert.Contains(b.Record.Victims[0].Tokens[0], a.Record.Victims[0].Tokens);
        Assert.NotEqual(a.Record.CaseReferenceToken, b.Record.CaseReferenceToken);
    }

    private static CaseSubmission TypicalCase() => new()
    {
        Jurisdiction = "RO",
        Authority = "DIICOT Iasi",
        CaseReference = "DOS 17/P/2024",
        Stage = "investigation",
        OffencePeriod = new Period { From = "2024-01", To = "2024-03" },
        Victims =
        [
            new Victim
            {
                Name = "Elena Marin",
                Age = 15,
                Gender = "female",
                Identifiers = [new Identifier { Type = "phone", Value = "0744 123 456" }],
            },
        ],
        Suspects =
        [
            new Suspect
            {
                Name = "Vasile Dobre",
                Role = "recruiter",
                Age = 29,
                Identifiers =
                [
                    new Identifier { Type = "handle", Value = "@vdobre", Platform = "tiktok" },
                    new Identifier { Type = "iban", Value = "RO49 AAAA 1B31 0075 9384 0000" },
                ],
            },
        ],
        Summary = "Elena was contacted on TikTok by @vdobre, who promised work in Germany. Dobre paid for the bus " +
                  "ticket and kept her identity papers. She sent her earnings to RO49AAAA1B31007593840000 and called " +
                  "her mother from 0744-123-456 in March 2024.",
    };

    // A number written the way the country it belongs to writes it, in a case whose route names that country.
    [Fact]
    public void Pseudonymise_ReadsANumberInTheNationalFormatOfACountryOnTheRoute()
    {
        var tokeniser = TestKeys.Tokeniser();
        var text = "In Lyon she was kept by a man whose number, 06 12 34 56 78, the aunt later called.";
        var toFrance = TypicalCase() with { Route = [new RouteLeg { From = "RO", To = "FR" }], Summary = text };

        var summary = Pseudonymiser().Pseudonymise(toFrance, Reference).Record.Summary!;
        var withoutFrance = Pseudonymiser().Pseudonymise(TypicalCase() with { Summary = text }, Reference).Record.Summary!;

        Assert.Contains("[" + tokeniser.Token("phone", "+33612345678") + "]", summary);
        Assert.DoesNotContain("56 78", summary);
        // Not a Romanian number, and no other country named: the jurisdiction's format alone does not read it.
        Assert.Contains("06 12 34 56 78", withoutFrance);
    }

    [Fact]
    public void Pseudonymise_TypicalCase_ScrubsItsSummary()
    {
        var summary = Pseudonymiser().Pseudonymise(TypicalCase(), Reference).Record.Summary!;

        Assert.DoesNotContain("Elena", summary);
        Assert.DoesNotContain("Dobre", summary);
        Assert.DoesNotContain("vdobre", summary);
        Assert.DoesNotContain("RO49", summary);
        Assert.DoesNotContain("0744", summary);
        Assert.Contains("in March 2024", summary);
    }

    [Fact]
    public void Pseudonymise_EmptySubmission_GivesEmptyRecord()
    {
        var result = Pseudonymiser().Pseudonymise(new CaseSubmission { Jurisdiction = "RO" }, Reference);

        Assert.Equal("", result.Record.CaseReferenceToken);
        Assert.Empty(result.Tokens);
        Assert.Empty(result.TokenCounts);
        Assert.Null(result.Record.Summary);
    }

    [Fact]
    public void Pseudonymise_UnknownIdentifierType_IsTokenisedAsDocumentAndCountedUnvalidated()
    {
        var submission = new CaseSubmission
        {
            Jurisdiction = "RO",
            Victims = [new Victim { Identifiers = [new Identifier { Type = "address", Value = "Str. Lunga 5, Iasi" }] }],
            Summary = "She lived at Str. Lunga 5, Iasi.",
        };

        var result = Pseudonymiser().Pseudonymise(submission, Reference);

        Assert.StartsWith("document:", Assert.Single(result.Record.Victims[0].Tokens));
        Assert.Equal(1, result.UnvalidatedCounts["document"]);
        Assert.DoesNotContain("Lunga", JsonSerializer.Serialize(result.Record));
    }

    [Fact]
    public void Pseudonymise_StoredSummary_HoldsNoCityAndNoStreet()
    {
        var submission = new CaseSubmission
        {
            Jurisdiction = "IT",
            Victims = [new Victim { Name = "Ana Popa", Citizenship = "RO" }],
            Summary = "Ana Popa was recruited in Iași and taken via Timișoara to Italy. In 2023 she was moved to Milan and kept "
                + "in a flat at Via Padova 12, 20127 Milano; later at Str. Libertății nr. 12 in Reggio Emilia.",
        };

        var result = Pseudonymiser().Pseudonymise(submission, Reference);
        var stored = JsonSerializer.Serialize(result.Record, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

        foreach (var raw in new[] { "Iași", "Timișoara", "Milan", "Padova", "20127", "Libertății", "Reggio", "Emilia", " 12" })
            Assert.DoesNotContain(raw, stored, StringComparison.Ordinal);
        Assert.Contains("[place:RO]", result.Record.Summary, StringComparison.Ordinal);
        Assert.Contains("[place:IT]", result.Record.Summary, StringComparison.Ordinal);
        Assert.Contains("Italy", result.Record.Summary, StringComparison.Ordinal);
        Assert.Equal(2, result.ScrubbedCounts[TextScrubber.AddressType]);
        Assert.Equal(5, result.ScrubbedCounts[TextScrubber.PlaceType]);
        Assert.DoesNotContain(result.Tokens, t => t.StartsWith("place", StringComparison.Ordinal));
    }

    [Fact]
    public void Pseudonymise_GeneratedNarratives_KeepNoPlantedCityOrStreet()
    {
        var dataset = new Analytics.Core.Synthetic.CaseGenerator(new Analytics.Core.Synthetic.GeneratorOptions { Seed = 11, Count = 600 }).Run();
        var pseudonymiser = Pseudonymiser();
        var streets = dataset.Places.Streets;
        var places = 0;

        foreach (var c in dataset.Cases)
        {
            var result = pseudonymiser.Pseudonymise(c.Case, Reference);
            var summary = result.Record.Summary!;
            foreach (var street in streets) Assert.DoesNotContain(street, summary, StringComparison.Ordinal);
            foreach (var city in dataset.Places.Cities)
                Assert.False(System.Text.RegularExpressions.Regex.IsMatch(summary, @"\b" + city + @"\b"), $"{city} in: {summary}");
            places += result.ScrubbedCounts.GetValueOrDefault(TextScrubber.PlaceType);
        }
        Assert.NotEmpty(streets);
        Assert.True(places > 300, $"{places} places scrubbed");
    }

    [Fact]
    public void Pseudonymise_RecordsActiveKeyId_AndRotatedTokensMatchRekey()
    {
        var k2 = TestKeys.K2;
        var before = new CasePseudonymiser(new KeyRing(TestKeys.K1)).Pseudonymise(RichCase(), Reference);
        var after = new CasePseudonymiser(new KeyRing(TestKeys.K1, k2)).Pseudonymise(RichCase(), Reference);

        Assert.Equal("k2", after.Record.KeyId);
        Assert.Equal(after.Tokens, before.Tokens.Select(t => Tokeniser.Rekey(t, k2)));
        Assert.Equal(after.Record.CaseReferenceToken, Tokeniser.Rekey(before.Record.CaseReferenceToken, k2));
    }
}
