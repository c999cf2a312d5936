using System.Text;
using Analytics.Core.Cases;
using Analytics.Core.Ctdc;
using Xunit.Abstractions;

namespace Analytics.Core.Tests.Ctdc;

public sealed class CtdcMapperTests(ITestOutputHelper output)
{
    private static string? RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Analytics.sln"))) return dir.FullName;
        return null;
    }

    private static string? RealFile()
    {
        var root = RepoRoot();
        if (root is null) return null;
        var path = Path.GetFullPath(Path.Combine(root, "..", "shared", "data", "ctdc-kanon-2021", "ctdc_kanon_2021-07-15.csv"));
        return File.Exists(path) ? path : null;
    }

    // Ten invented rows in the v2024 synthetic layout (no CTDC data: the real file of that release is not at hand).
    private const string SampleV2024 = """
        yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,traffickMonths,meansDebtBondageEarnings,meansThreats,meansAbusePsyPhySex,meansFalsePromises,meansDrugsAlcohol,meansDenyBasicNeeds,meansExcessiveWorkHours,meansWithholdDocuments,isForcedLabour,isSexualExploit,isOtherExploit,typeOfLabourAgriculture,typeOfLabourConstruction,typeOfLabourDomesticWork,typeOfLabourHospitality,typeOfSexProstitution,typeOfSexPornography,recruiterRelationIntimatePartner,recruiterRelationFriend,recruiterRelationFamily,recruiterRelationOther
        2019,Woman,18--20,ROU,ITA,0--12,,,1,1,,,,,,1,,,,,,1,,1,,,
        2020,Man,30--38,UKR,POL,13--24,1,,,,,,1,1,1,,,1,,,,,,,,,1
        2021,Woman,9--17,MDA,DEU,,,,,,,,,,,,1,,,,,,,,,1,
        2018,Man,0—8,BGR,AUT,0--12,,1,,,,,,,,,1,,,,,,,,,,
        2022,Trans/Transgender/NonConforming,24--26,NGA,ESP,25+,1,1,,,,,,,,1,,,,,,1,,,,,
        2017,,,,GRC,,,,,,,,,,,,,,,,,,,,,,
        2016,Woman,21--23,ALB,,0--12,,,,,,,,,,1,,,,,,,,,,,
        2015,Man,48+,PHL,MYS,13--24,,,,1,,1,,,1,,,,1,,,,,,,,1
        2022,Woman,27--29,VNM,GBR,,,,,,,,,,1,,,,,1,1,,,,1,,
        2014,Woman,39--47,THA,USA,,,,,,1,,,,,1,,,,,,,1,1,,,
        """;

    /// <summary>A k-anon 2021 row built from the column list; unspecified columns are empty.</summary>
    private static (string[] Fields, CtdcHeader Header) Row2021(params (string Column, string Value)[] values)
    {
        var header = CtdcHeader.Parse(CtdcFormats.KAnon2021Columns.ToArray());
        var fields = new string[header.Columns.Count];
        Array.Fill(fields, "");
        foreach (var (c, v) in values) fields[CtdcFormats.KAnon2021Columns.ToList().IndexOf(c)] = v;
        return (fields, header);
    }

    private static List<(int Row, string[] Fields)> Rows(string path, out CtdcHeader header)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var rows = CtdcCsv.ReadRows(reader, out header).ToList();
        return rows;
    }

    [Fact]
    public void Detect_ReturnsKAnon2021_ForThe63Columns()
    {
        Assert.Equal(63, CtdcFormats.KAnon2021Columns.Count);
        Assert.Equal(CtdcFormat.KAnon2021, CtdcFormats.Detect(CtdcFormats.KAnon2021Columns));
        Assert.Equal(CtdcFormat.KAnon2021, CtdcFormats.Detect(CtdcFormats.KAnon2021Columns.Select((c, i) => i == 0 ? "\uFEFF" + c : c.ToUpperInvariant())));
    }

    [Fact]
    public void Detect_ReturnsSynthetic2024_ForThe27Columns()
    {
        Assert.Equal(27, CtdcFormats.Synthetic2024Columns.Count);
        Assert.Equal(CtdcFormat.Synthetic2024, CtdcFormats.Detect(CtdcFormats.Synthetic2024Columns));
        Assert.Equal(CtdcFormat.Synthetic2024, CtdcFormats.Detect(CtdcFormats.Synthetic2024Columns.Select(c => c == "meansWithholdDocuments" ? "meansWithholdDocs" : c)));
    }

    [Fact]
    public void Detect_ReturnsUnknown_WhenColumnsDiffer()
    {
        Assert.Equal(CtdcFormat.Unknown, CtdcFormats.Detect(CtdcFormats.KAnon2021Columns.Skip(1)));
        Assert.Equal(CtdcFormat.Unknown, CtdcFormats.Detect(["a", "b", "c"]));
        Assert.Equal(CtdcFormat.Unknown, CtdcFormats.Detect(CtdcFormats.Synthetic2024Columns.Take(26).Append("somethingElse")));
    }

    [Fact]
    public void Map_MapsHandWrittenRow_ColumnByColumn()
    {
        var (fields, header) = Row2021(
            ("yearOfRegistration", "2016"), ("Datasource", "Case Management"), ("gender", "Female"), ("ageBroad", "24--26"),
            ("majorityStatus", "Adult"), ("citizenship", "UA"), ("meansOfControlDebtBondage", "1"), ("meansOfControlTakesEarnings", "0"),
            ("meansOfControlWithholdsDocuments", "1"), ("meansOfControlNotSpecified", "0"), ("isForcedLabour", "1"), ("isSexualExploit", "0"),
            ("typeOfLabourAgriculture", "1"), ("typeOfLabourAquafarming", "1"), ("typeOfLabourBegging", "1"), ("typeOfLabourIllicitActivities", "1"),
            ("typeOfLabourPeddling", "1"), ("typeOfSexRemoteInteractiveServices", "1"), ("isForcedMarriage", "1"), ("isOrganRemoval", "1"),
            ("CountryOfExploitation", "PL"), ("recruiterRelationFamily", "1"), ("recruiterRelationFriend", "1"), ("recruiterRelationUnknown", "0"));

        var result = CtdcMapper.Map(fields, header, 42);

        Assert.True(result.IsAccepted, string.Join("; ", result.Reasons));
        var c = result.Case!;
        Assert.Equal("PL", c.Jurisdiction);
        Assert.Equal("PL-CTDC-CASE-MANAGEMENT", c.Authority);
        Assert.Equal("CTDC-2021-row-42", c.CaseReference);
        Assert.Equal("closed", c.Stage);
        Assert.Null(c.Outcome);
        Assert.Equal(("2016-01", "2016-12"), (c.OffencePeriod!.From, c.OffencePeriod.To));
        var v = Assert.Single(c.Victims);
        Assert.Equal(("female", "24-26", "UA"), (v.Gender, v.AgeBand, v.Citizenship));
        Assert.Null(v.IdentifiedBy);
        Assert.Equal(["debt-bondage", "withholds-documents"], c.ModusOperandi!.MeansOfControl);
        Assert.Equal(["labour", "forced-marriage", "organ-removal", "begging", "forced-criminality", "sexual", "online-sexual"], c.ModusOperandi.ExploitationTypes);
        Assert.Equal(["agriculture", "fishing", "other"], c.ModusOperandi.LabourSectors);
        Assert.Equal(["friend", "family"], c.Suspects.Select(s => s.RelationToVictim));
        Assert.All(c.Suspects, s => Assert.Equal("recruiter", s.Role));
        Assert.Equal(["PL"], c.ExploitationCountries);
        Assert.Empty(c.Route);
    }

    [Fact]
    public void Map_KeepsUnknownApart_FromKnownAbsence()
    {
        var (allEmpty, header) = Row2021(("CountryOfExploitation", "US"));
        var (zeros, _) = Row2021(("CountryOfExploitation", "US"), ("isForcedLabour", "0"), ("meansOfControlThreats", "0"));

        var unknown = CtdcMapper.Map(allEmpty, header, 1).Case!;
        var absent = CtdcMapper.Map(zeros, header, 2).Case!;

        Assert.Null(unknown.ModusOperandi);
        Assert.Null(unknown.OffencePeriod);
        Assert.Null(unknown.Victims[0].Gender);
        Assert.Null(unknown.Victims[0].AgeBand);
        Assert.Null(unknown.Victims[0].Citizenship);
        Assert.Empty(unknown.Suspects);
        Assert.NotNull(absent.ModusOperandi);
        Assert.Empty(absent.ModusOperandi!.ExploitationTypes);
        Assert.Empty(absent.ModusOperandi.MeansOfControl);
    }

    [Fact]
    public void Map_LeavesAgeBandEmpty_WithNote_WhenBandIs9To17()
    {
        var (fields, header) = Row2021(("CountryOfExploitation", "RO"), ("ageBroad", "9--17"));

        var result = CtdcMapper.Map(fields, header, 3);

        Assert.True(result.IsAccepted);
        Assert.Null(result.Case!.Victims[0].AgeBand);
        Assert.Contains(result.Notes, n => n.Contains("9-17", StringComparison.Ordinal));
    }

    [Fact]
    public void Map_ReturnsReasons_WhenColumnCountIsWrong()
    {
        var (fields, header) = Row2021(("CountryOfExploitation", "RO"));

        var result = CtdcMapper.Map(fields.Take(62).ToArray(), header, 7);

        Assert.False(result.IsAccepted);
        Assert.Contains(result.Reasons, r => r.Contains("62 fields", StringComparison.Ordinal) && r.Contains("row 7", StringComparison.Ordinal));
    }

    [Fact]
    public void Map_ReturnsReasons_WhenValuesAreMalformed()
    {
        var (fields, header) = Row2021(
            ("yearOfRegistration", "abc"), ("CountryOfExploitation", "XX"), ("gender", "F"), ("ageBroad", "10--12"),
            ("citizenship", "ROU"), ("isForcedLabour", "yes"));

        var result = CtdcMapper.Map(fields, header, 9);

        Assert.False(result.IsAccepted);
        Assert.Null(result.Case);
        foreach (var column in new[] { "yearOfRegistration", "CountryOfExploitation", "gender", "ageBroad", "citizenship", "isForcedLabour" })
            Assert.Contains(result.Reasons, r => r.Contains(column + ":", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Hotline", "US-CTDC-HOTLINE", "hotline")]
    [InlineData("hotline", "US-CTDC-HOTLINE", "hotline")]
    [InlineData("Case Management", "US-CTDC-CASE-MANAGEMENT", null)]
    [InlineData(" CASE  management ", "US-CTDC-CASE-MANAGEMENT", null)]
    [InlineData("", "US-CTDC-UNSPECIFIED", null)]
    public void Map_TakesTheAuthority_FromAKnownDataSource(string cell, string authority, string? identifiedBy)
    {
        var (fields, header) = Row2021(("CountryOfExploitation", "US"), ("Datasource", cell));

        var result = CtdcMapper.Map(fields, header, 4);

        Assert.True(result.IsAccepted, string.Join("; ", result.Reasons));
        Assert.Equal(authority, result.Case!.Authority);
        Assert.Equal(identifiedBy, result.Case.Victims[0].IdentifiedBy);
    }

    [Theory]
    [InlineData("Maria Popescu")]
    [InlineData("+40 722 123 456")]
    [InlineData("Hotline 2")]
    public void Map_RejectsAnUnknownDataSource_NamingTheColumnAndTheValuesAllowed_NeverTheCell(string cell)
    {
        var (fields, header) = Row2021(("CountryOfExploitation", "US"), ("Datasource", cell));

        var result = CtdcMapper.Map(fields, header, 6);

        Assert.False(result.IsAccepted);
        var reason = Assert.Single(result.Reasons);
        Assert.Equal("row 6: Datasource: not a known value (Case Management, Hotline)", reason);
        Assert.DoesNotContain(cell.Trim(), reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Map_RejectsRow_WithoutCountryOfExploitation()
    {
        var (fields, header) = Row2021(("yearOfRegistration", "2019"), ("gender", "Male"));

        var result = CtdcMapper.Map(fields, header, 5);

        Assert.False(result.IsAccepted);
        Assert.Contains(result.Reasons, r => r.Contains("no country of exploitation", StringComparison.Ordinal));
    }

    [Fact]
    public void Map_ReturnsReason_WhenHeaderIsUnknown()
    {
        var header = CtdcHeader.Parse(["a", "b"]);

        var result = CtdcMapper.Map(["1", "2"], header, 1);
        var fromDictionary = CtdcMapper.Map(new Dictionary<string, string> { ["a"] = "1" }, 1);

        Assert.Equal(CtdcFormat.Unknown, header.Format);
        Assert.NotEmpty(result.Reasons);
        Assert.NotEmpty(fromDictionary.Reasons);
    }

    [Fact]
    public void Map_GivesSameCase_ForDictionaryAndFields()
    {
        var (fields, header) = Row2021(("CountryOfExploitation", "IT"), ("gender", "Male"), ("isSexualExploit", "1"), ("recruiterRelationIntimatePartner", "1"));
        var dict = header.Columns.Select((c, i) => (c, fields[i])).ToDictionary(x => x.c, x => x.Item2);

        var a = CtdcMapper.Map(fields, header, 11).Case!;
        var b = CtdcMapper.Map(dict, 11).Case!;

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(a), System.Text.Json.JsonSerializer.Serialize(b));
    }

    [Fact]
    public void Map_MapsSampleV2024File()
    {
        using var reader = new StringReader(SampleV2024);
        List<(int Row, string[] Fields)> rows = [.. CtdcCsv.ReadRows(reader, out var header)];
        var results = rows.Select(r => CtdcMapper.Map(r.Fields, header, r.Row)).ToList();

        Assert.Equal(CtdcFormat.Synthetic2024, header.Format);
        Assert.Equal(10, results.Count);
        Assert.Equal([7], results.Select((r, i) => (r, i + 1)).Where(x => !x.r.IsAccepted).Select(x => x.Item2));

        var first = results[0].Case!;
        Assert.Equal(("IT", "IT-CTDC-SYNTHETIC", "CTDC-2024-row-1"), (first.Jurisdiction, first.Authority, first.CaseReference));
        Assert.Equal(("female", "18-20", "RO"), (first.Victims[0].Gender, first.Victims[0].AgeBand, first.Victims[0].Citizenship));
        Assert.Equal(["psychological-abuse", "false-promises"], first.ModusOperandi!.MeansOfControl);
        Assert.Equal(["sexual"], first.ModusOperandi.ExploitationTypes);
        Assert.Equal("intimate-partner", Assert.Single(first.Suspects).RelationToVictim);

        var second = results[1].Case!;
        Assert.Equal(("PL", "UA", "30-38"), (second.Jurisdiction, second.Victims[0].Citizenship, second.Victims[0].AgeBand));
        Assert.Equal(["debt-bondage", "excessive-working-hours", "withholds-documents"], second.ModusOperandi!.MeansOfControl);
        Assert.Equal(["agriculture"], second.ModusOperandi.LabourSectors);

        Assert.Null(results[2].Case!.Victims[0].AgeBand);
        Assert.NotEmpty(results[2].Notes);
        Assert.Equal("0-8", results[3].Case!.Victims[0].AgeBand);
        Assert.Equal("other", results[4].Case!.Victims[0].Gender);
        Assert.Null(results[5].Case!.ModusOperandi);
        Assert.Equal(["domestic-work", "hospitality"], results[8].Case!.ModusOperandi!.LabourSectors);
        Assert.Equal(("US", "TH"), (results[9].Case!.Jurisdiction, results[9].Case!.Victims[0].Citizenship));
    }

    [Fact]
    public void Map_MapsHandPickedRows_OfRealFile()
    {
        var path = RealFile();
        if (path is null)
        {
            output.WriteLine("skipped: ../shared/data not found");
            var (fields, header) = Row2021(("CountryOfExploitation", "PL"), ("citizenship", "UA"), ("typeOfLabourAgriculture", "1"));
            Assert.Equal(["agriculture"], CtdcMapper.Map(fields, header, 1).Case!.ModusOperandi!.LabourSectors);
            return;
        }

        var rows = Rows(path, out var h);
        Assert.Equal(CtdcFormat.KAnon2021, h.Format);
        CtdcMapResult At(int n) => CtdcMapper.Map(rows[n - 1].Fields, h, n);

        // Row 8785: 2010, case management, female 39-47, UA → PL, agriculture, nine means of control.
        var agri = At(8785).Case!;
        Assert.Equal(("PL", "PL-CTDC-CASE-MANAGEMENT", "CTDC-2021-row-8785"), (agri.Jurisdiction, agri.Authority, agri.CaseReference));
        Assert.Equal(("2010-01", "2010-12"), (agri.OffencePeriod!.From, agri.OffencePeriod.To));
        Assert.Equal(("female", "39-47", "UA"), (agri.Victims[0].Gender, agri.Victims[0].AgeBand, agri.Victims[0].Citizenship));
        Assert.Equal(
            ["debt-bondage", "takes-earnings", "threats", "psychological-abuse", "physical-abuse", "false-promises", "restricts-movement", "excessive-working-hours", "withholds-documents"],
            agri.ModusOperandi!.MeansOfControl);
        Assert.Equal(["labour"], agri.ModusOperandi.ExploitationTypes);
        Assert.Equal(["agriculture"], agri.ModusOperandi.LabourSectors);
        Assert.Empty(agri.Suspects);

        // Row 1: no country of exploitation.
        Assert.Contains(At(1).Reasons, r => r.Contains("no country of exploitation", StringComparison.Ordinal));

        // Row 1086: 9--17, RO citizen exploited in MK.
        var child = At(1086);
        Assert.Equal(("MK", "RO"), (child.Case!.Jurisdiction, child.Case.Victims[0].Citizenship));
        Assert.Null(child.Case.Victims[0].AgeBand);
        Assert.NotEmpty(child.Notes);

        // Row 20677: hotline, US, recruiter both family and intimate partner.
        var ip = At(20677).Case!;
        Assert.Equal(("US-CTDC-HOTLINE", "hotline"), (ip.Authority, ip.Victims[0].IdentifiedBy));
        Assert.Equal(["intimate-partner", "family"], ip.Suspects.Select(s => s.RelationToVictim));
        Assert.Equal(["psychological-abuse", "psychoactive-substances", "restricts-movement"], ip.ModusOperandi!.MeansOfControl);
        Assert.Null(ip.Victims[0].Citizenship);

        // Row 71973: transgender/non-conforming → other; prostitution.
        var trans = At(71973).Case!;
        Assert.Equal("other", trans.Victims[0].Gender);
        Assert.Equal(["sexual"], trans.ModusOperandi!.ExploitationTypes);

        // Row 50020: remote interactive services → online-sexual.
        Assert.Equal(["sexual", "online-sexual"], At(50020).Case!.ModusOperandi!.ExploitationTypes);

        // Row 97071: no year, no gender, no flags but recruiter relations (all 0 except unknown).
        var bare = At(97071).Case!;
        Assert.Equal("CL", bare.Jurisdiction);
        Assert.Null(bare.OffencePeriod);
        Assert.Null(bare.Victims[0].Gender);
        Assert.Null(bare.ModusOperandi);
        Assert.Empty(bare.Suspects);

        // Row 1806: 0--8 → 0-8, GH; row 6280: begging is an exploitation type, not a sector.
        Assert.Equal(("GH", "0-8"), (At(1806).Case!.Jurisdiction, At(1806).Case!.Victims[0].AgeBand));
        var begging = At(6280).Case!.ModusOperandi!;
        Assert.Equal(["labour", "begging"], begging.ExploitationTypes);
        Assert.Empty(begging.LabourSectors);
    }

    [Fact]
    public void Map_AcceptsEveryRowWithCountry_OfRealFile()
    {
        var path = RealFile();
        if (path is null)
        {
            output.WriteLine("skipped: ../shared/data not found");
            var (fields, header) = Row2021(("CountryOfExploitation", "US"));
            Assert.True(CtdcMapper.Map(fields, header, 1).IsAccepted);
            return;
        }

        var rows = Rows(path, out var h);
        var results = rows.Select(r => (r.Fields, Result: CtdcMapper.Map(r.Fields, h, r.Row))).ToList();
        var countryIndex = h.Columns.ToList().IndexOf("CountryOfExploitation");

        Assert.Equal(97750, results.Count);
        foreach (var (fields, result) in results)
        {
            if (fields[countryIndex].Length == 0) Assert.False(result.IsAccepted);
            else Assert.True(result.IsAccepted, string.Join("; ", result.Reasons));
        }
        output.WriteLine($"accepted {results.Count(r => r.Result.IsAccepted)} of {results.Count}");
    }
}
