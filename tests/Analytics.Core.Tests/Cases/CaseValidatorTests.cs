using System.Diagnostics;
using Analytics.Core.Cases;

namespace Analytics.Core.Tests.Cases;

public sealed class CaseValidatorTests
{
    private static readonly DateOnly _today = new(2025, 6, 1);

    private static CaseSubmission Minimal() => new()
    {
        Jurisdiction = "NL",
        Authority = "NL-OM.Rotterdam",
        CaseReference = "R-1",
        Stage = "investigation",
        Victims = [new Victim()],
    };

    private static IReadOnlyList<ValidationError> Validate(CaseSubmission s) => CaseValidator.Validate(s, _today);

    private static ValidationError SingleError(CaseSubmission s) => Assert.Single(Validate(s));

    [Fact]
    public void Validate_ReturnsNoErrors_ForMinimalCase() => Assert.Empty(Validate(Minimal()));

    [Fact]
    public void Validate_ReportsAuthority_WhenPrefixDiffersFromJurisdiction()
    {
        var error = SingleError(Minimal() with { Authority = "BE-Parquet" });
        Assert.Equal("/authority", error.Pointer);
        Assert.Contains("jurisdiction", error.Message);
    }

    [Theory]
    [InlineData("NL-")]
    [InlineData("nl-OM")]
    [InlineData("NL_OM")]
    [InlineData("NL-OM Rotterdam")]
    [InlineData("NL-OMé")]
    public void Validate_ReportsAuthority_WhenPatternBroken(string authority) =>
        Assert.Equal("/authority", SingleError(Minimal() with { Authority = authority }).Pointer);

    [Fact]
    public void Validate_ReportsAuthority_WhenLongerThan63() =>
        Assert.Equal("/authority", SingleError(Minimal() with { Authority = "NL-" + new string('a', 61) }).Pointer);

    [Fact]
    public void Validate_AcceptsAuthority_At63Characters() =>
        Assert.Empty(Validate(Minimal() with { Authority = "NL-" + new string('a', 60) }));

    [Theory]
    [InlineData("2023-05", "2023-04")]
    [InlineData("2023-05-10", "2023-05-09")]
    [InlineData("2024-01", "2023-12-31")]
    public void Validate_ReportsPeriodTo_WhenFromAfterTo(string from, string to) =>
        Assert.Equal("/offencePeriod/to", SingleError(Minimal() with { OffencePeriod = new Period { From = from, To = to } }).Pointer);

    [Theory]
    [InlineData("2023-05", "2023-05-01")]
    [InlineData("2023-05-31", "2023-05")]
    [InlineData("2023-05-10", "2023-05-10")]
    [InlineData(null, "2023-05")]
    public void Validate_AcceptsPeriod_WhenFromNotAfterTo(string? from, string? to) =>
        Assert.Empty(Validate(Minimal() with { OffencePeriod = new Period { From = from, To = to } }));

    [Theory]
    [InlineData("2023-02-29")]
    [InlineData("2023-04-31")]
    [InlineData("23-04")]
    [InlineData("2023-4")]
    public void Validate_ReportsPeriodFrom_WhenNotARealDate(string from) =>
        Assert.Equal("/offencePeriod/from", SingleError(Minimal() with { OffencePeriod = new Period { From = from } }).Pointer);

    [Theory]
    [InlineData("2025-07", null, "/offencePeriod/from", "future")]
    [InlineData("2025-06-02", null, "/offencePeriod/from", "future")]
    [InlineData("2024-01", "2099-02-01", "/offencePeriod/to", "future")]
    [InlineData("0001-05", null, "/offencePeriod/from", "1900")]
    [InlineData("1899-12-31", "1950-01", "/offencePeriod/from", "1900")]
    public void Validate_ReportsAPeriodInTheFutureOrBefore1900(string from, string? to, string pointer, string reason)
    {
        var error = SingleError(Minimal() with { OffencePeriod = new Period { From = from, To = to } });
        Assert.Equal(pointer, error.Pointer);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("2025-06", "2025-06-01")]
    [InlineData("1900-01", "2025-06")]
    public void Validate_AcceptsAPeriodFrom1900UpToToday(string from, string to) =>
        Assert.Empty(Validate(Minimal() with { OffencePeriod = new Period { From = from, To = to } }));

    [Fact]
    public void Validate_ReportsDateOfBirth_WhenInFuture()
    {
        var error = SingleError(Minimal() with { Victims = [new Victim { DateOfBirth = "2025-06-02" }] });
        Assert.Equal("/victims/0/dateOfBirth", error.Pointer);
        Assert.Contains("future", error.Message);
    }

    [Fact]
    public void Validate_AcceptsDateOfBirth_WhenToday() =>
        Assert.Empty(Validate(Minimal() with { Victims = [new Victim { DateOfBirth = "2025-06-01" }] }));

    [Fact]
    public void Validate_ReportsPlatform_WhenHandleHasNone()
    {
        var s = Minimal() with { Victims = [new Victim { Identifiers = [new Identifier { Type = "handle", Value = "@ana" }] }] };
        var error = SingleError(s);
        Assert.Equal("/victims/0/identifiers/0/platform", error.Pointer);
        Assert.Contains("instagram", error.Message);
    }

    [Fact]
    public void Validate_ReportsRouteTo_WhenLegStaysInOneCountry() =>
        Assert.Equal("/route/1/to", SingleError(Minimal() with { Route = [new RouteLeg { From = "RO", To = "HU" }, new RouteLeg { From = "HU", To = "HU" }] }).Pointer);

    [Fact]
    public void Validate_ReportsVictims_WhenMoreThan200()
    {
        var error = SingleError(Minimal() with { Victims = Enumerable.Range(0, 201).Select(_ => new Victim()).ToList() });
        Assert.Equal("/victims", error.Pointer);
        Assert.Contains("200", error.Message);
    }

    [Fact]
    public void Validate_AcceptsVictims_When200() =>
        Assert.Empty(Validate(Minimal() with { Victims = Enumerable.Range(0, 200).Select(_ => new Victim()).ToList() }));

    [Fact]
    public void Validate_ReportsIdentifiers_WhenMoreThan50()
    {
        var ids = Enumerable.Range(0, 51).Select(i => new Identifier { Type = "phone", Value = "+3161234" + i }).ToList();
        Assert.Equal("/suspects/0/identifiers", SingleError(Minimal() with { Suspects = [new Suspect { Role = "recruiter", Identifiers = ids }] }).Pointer);
    }

    [Fact]
    public void Validate_ReportsSummary_WhenLongerThan20000()
    {
        Assert.Empty(Validate(Minimal() with { Summary = new string('a', 20_000) }));
        Assert.Equal("/summary", SingleError(Minimal() with { Summary = new string('a', 20_001) }).Pointer);
    }

    [Fact]
    public void Validate_CountsCodePoints_ForLengthLimits()
    {
        // 200 emoji are 400 UTF-16 units but 200 characters, as JSON Schema counts them.
        var name = string.Concat(Enumerable.Repeat("😀", 200));
        Assert.Empty(Validate(Minimal() with { Victims = [new Victim { Name = name }] }));
        Assert.Equal("/victims/0/name", SingleError(Minimal() with { Victims = [new Victim { Name = name + "a" }] }).Pointer);
    }

    [Fact]
    public void Validate_ReportsValue_WhenIdentifierLongerThan200() =>
        Assert.Equal("/victims/0/identifiers/0/value",
            SingleError(Minimal() with { Victims = [new Victim { Identifiers = [new Identifier { Type = "email", Value = new string('a', 201) }] }] }).Pointer);

    [Fact]
    public void Validate_ReportsEveryError_NotJustTheFirst()
    {
        var s = new CaseSubmission
        {
            SchemaVersion = "",
            Jurisdiction = "xx",
            Stage = "done",
            Outcome = "guilty",
            Victims = [new Victim { Age = 121, Gender = "f", AgeBand = "9-17", Vulnerabilities = ["poverty", "poverty"] }],
            Suspects = [new Suspect()],
            ModusOperandi = new ModusOperandi { LabourSectors = ["farming"] },
            ExploitationCountries = ["DE", "UK"],
            DigitalEvidence = new DigitalEvidence { CrossBorderRequests = [new EvidenceRequest { Instrument = "letter" }] },
            FinancialFlows = [new FinancialFlow { AmountBand = "1000", Channel = "paypal" }],
        };
        var pointers = Validate(s).Select(e => e.Pointer).ToList();
        Assert.Equal(
            ["/schemaVersion", "/jurisdiction", "/authority", "/caseReference", "/stage", "/outcome",
             "/victims/0/age", "/victims/0/ageBand", "/victims/0/gender", "/victims/0/vulnerabilities/1",
             "/suspects/0/role", "/modusOperandi/labourSectors/0", "/exploitationCountries/1",
             "/digitalEvidence/crossBorderRequests/0/instrument", "/digitalEvidence/crossBorderRequests/0/country",
             "/financialFlows/0/amountBand", "/financialFlows/0/channel"],
            pointers);
    }

    [Fact]
    public void Validate_NamesAllowedValues_WhenCodeUnknown()
    {
        var error = SingleError(Minimal() with { Victims = [new Victim { Gender = "f" }] });
        Assert.Contains("female, male, other", error.Message);
        Assert.DoesNotContain("\"f\"", error.Message);
    }

    [Fact]
    public void Validate_ReportsElement_WhenListItemNull() =>
        Assert.Equal("/victims/1", SingleError(Minimal() with { Victims = [new Victim(), null!] }).Pointer);

    [Fact]
    public void Validate_DoesNotEchoValues_InMessages()
    {
        var s = Minimal() with { CaseReference = new string('z', 201), Victims = [new Victim { Name = "" , Identifiers = [new Identifier { Type = "secret", Value = "+31 6 1234 5678" }] }] };
        Assert.All(Validate(s), e => Assert.DoesNotContain("1234", e.Message));
    }

        [Theory]
    [InlineData("A\u0000B")]
    [InlineData("DIICOT/2024/00017\u0007")]
    [InlineData("DIICOT/2024\n/00017")]
    [InlineData("DIICOT/2024/00017\t")]
    [InlineData("DIICOT/2024/00017\u0085")]
    public void Validate_ReportsCaseReference_WithControlCharacters(string reference)
    {
        var error = SingleError(Minimal() with { CaseReference = reference });
        Assert.Equal("/caseReference", error.Pointer);
        Assert.Contains("control characters", error.Message);
    }

    [Fact]
    public void Validate_ReportsEverySingleLineField_WithControlCharacters_ByPointer()
    {
        var s = Minimal() with
        {
            LegalBasis = ["art. 210\u0000"],
            Victims = [new Victim { Name = "\u0007\u0000", Identifiers = [new Identifier { Type = "phone", Value = "0721\u0000234567" }] }],
            Suspects = [new Suspect { Name = "Ion\rPopescu", Role = "recruiter", Identifiers = [new Identifier { Type = "email", Value = "a@b.ro" }, new Identifier { Type = "iban", Value = "RO49\u001F" }] }],
            FinancialFlows = [new FinancialFlow { AmountBand = "1000-9999", Channel = "bank-transfer", Identifiers = [new Identifier { Type = "card", Value = "4111\u007F" }] }],
        };
        var pointers = Validate(s).Select(e => e.Pointer).ToList();
        Assert.Equal(
            ["/legalBasis/0", "/victims/0/name", "/victims/0/identifiers/0/value", "/suspects/0/name", "/suspects/0/identifiers/1/value", "/financialFlows/0/identifiers/0/value"],
            pointers);
    }

    [Fact]
    public void Validate_AcceptsTabsAndLineBreaksInTheSummary_ButNoOtherControlCharacter()
    {
        Assert.Empty(Validate(Minimal() with { Summary = "First line.\r\nSecond\tline.\n" }));
        var error = SingleError(Minimal() with { Summary = "Bell\u0007 and NUL\u0000." });
        Assert.Equal("/summary", error.Pointer);
        Assert.Contains("other than tab", error.Message);
    }

    // Invisible characters are folded away (Normalisers.CaseReference): a reference of nothing else would be the same
    // empty key for every such case.
    [Theory]
    [InlineData("\u200B")]
    [InlineData("\u202E\u00AD \u2060")]
    public void Validate_ReportsCaseReference_OfInvisibleCharactersOnly(string reference) =>
        Assert.Equal("/caseReference", SingleError(Minimal() with { CaseReference = reference }).Pointer);
}
