using System.Text.RegularExpressions;
using Analytics.Core.Ctdc;

namespace Analytics.Api.Tests.Cli;

public sealed class ImportCtdcTests
{
    private const string RealFile = "../shared/data/ctdc-kanon-2021/ctdc_kanon_2021-07-15.csv";

    /// <summary>The header of the real 2021 release when the shared data folder is present, else the documented one.</summary>
    private static string[] Header2021()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, RealFile);
            if (File.Exists(candidate))
            {
                using var reader = new StreamReader(candidate);
                return CtdcCsv.SplitLine(reader.ReadLine()!);
            }
        }
        return [.. CtdcFormats.KAnon2021Columns];
    }

    private static string Row(string[] header, Dictionary<string, string> values) =>
        string.Join(',', header.Select(h => values.GetValueOrDefault(h.Trim(), "")));

    private static string Sample2021(string[] header) => string.Join('\n',
        string.Join(',', header),
        Row(header, new() { ["yearOfRegistration"] = "2016", ["Datasource"] = "Hotline", ["gender"] = "Female", ["ageBroad"] = "18--20", ["citizenship"] = "US", ["CountryOfExploitation"] = "US", ["isSexualExploit"] = "1", ["isForcedLabour"] = "0" }),
        Row(header, new() { ["yearOfRegistration"] = "2017", ["Datasource"] = "Case Management", ["gender"] = "Male", ["citizenship"] = "UA" }),
        "2018,Case Management,Female,broken row",
        Row(header, new() { ["yearOfRegistration"] = "2019", ["Datasource"] = "Case Management", ["gender"] = "Robot", ["CountryOfExploitation"] = "PL" }),
        Row(header, new() { ["yearOfRegistration"] = "2019", ["Datasource"] = "Case Management", ["gender"] = "Male", ["ageBroad"] = "9--17", ["citizenship"] = "UA", ["CountryOfExploitation"] = "PL", ["typeOfLabourConstruction"] = "1" }),
        Row(header, new() { ["Datasource"] = "Case Management", ["CountryOfExploitation"] = "RO" })) + "\n";

    [Fact]
    public async Task Import_BytesThatAreNotUtf8_PartWay_StopWithRowsStored_AsAPartialRun_SayingToConvertTheFile()
    {
        using var folder = new CliTestFolder();
        var file = folder.File("latin1.csv");
        var header = Header2021();
        var rows = Enumerable.Range(0, 3_000).Select(i => Row(header, new()
        {
            ["yearOfRegistration"] = "2019", ["Datasource"] = "Case Management", ["gender"] = "Female", ["citizenship"] = "UA",
            ["CountryOfExploitation"] = "PL", ["isForcedLabour"] = "1", ["ageBroad"] = i == 2_500 ? "\u00ff" : "18--20",
        }));
        // Written as Latin-1, so row 2,500's "ÿ" is the single byte 0xFF: not UTF-8.
        await File.WriteAllBytesAsync(file, System.Text.Encoding.Latin1.GetBytes(string.Join(',', header) + "\n" + string.Join('\n', rows) + "\n"));

        var (code, output) = await folder.RunAsync("import", "ctdc", file, "--chunk-size", "500");

        Assert.Equal(1, code);
        Assert.Contains("is not UTF-8", output);
        Assert.Contains("iconv", output);
        Assert.True(folder.Scalar("SELECT COUNT(*) FROM cases") > 0, output);
    }

    private static int Count(string output, string label) =>
        int.Parse(Regex.Match(output, $@"^\s*{label}\s+([\d,]+)\s*$", RegexOptions.Multiline).Groups[1].Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Import_StoresValidRows_ReportsRejectedOnes_AndASecondRunChangesNothing()
    {
        using var folder = new CliTestFolder();
        var file = folder.File("sample.csv");
        await File.WriteAllTextAsync(file, Sample2021(Header2021()));

        var (code, first) = await folder.RunAsync("import", "ctdc", file);

        Assert.True(code == 0, first);
        Assert.Equal(6, Count(first, "read"));
        Assert.Equal(3, Count(first, "created"));
        Assert.Equal(3, Count(first, "rejected"));
        Assert.Contains("has 4 fields, the header has 63 columns", first);
        Assert.Contains("CountryOfExploitation: no country of exploitation", first);
        Assert.Contains("gender: not a known value", first);
        Assert.DoesNotContain("Robot", first);
        Assert.Contains("ageBroad 9-17", first);
        Assert.Equal(3, folder.Scalar("SELECT COUNT(*) FROM cases"));
        Assert.Equal(3, folder.Scalar("SELECT COUNT(*) FROM cases WHERE case_ref_token IS NOT NULL AND authority LIKE '%-CTDC-%'"));

        var (again, second) = await folder.RunAsync("import", "ctdc", file);

        Assert.True(again == 0, second);
        Assert.Equal(0, Count(second, "created"));
        Assert.Equal(0, Count(second, "updated"));
        Assert.Equal(3, Count(second, "unchanged"));
        Assert.Equal(3, folder.Scalar("SELECT COUNT(*) FROM cases"));
        Assert.Equal(3, folder.Scalar("SELECT COUNT(*) FROM case_documents"));
    }

    [Fact]
    public async Task Import_WithSkip_ResumesAfterTheGivenRow_AndSmallChunksGiveTheSameResult()
    {
        using var folder = new CliTestFolder();
        var file = folder.File("sample.csv");
        await File.WriteAllTextAsync(file, Sample2021(Header2021()));

        var (code, output) = await folder.RunAsync("import", "ctdc", file, "--skip", "4", "--chunk-size", "1");

        Assert.True(code == 0, output);
        Assert.Equal(4, Count(output, "skipped \\(--skip\\)"));
        Assert.Equal(2, Count(output, "created"));
        var (_, rest) = await folder.RunAsync("import", "ctdc", file, "--chunk-size", "2");
        Assert.Equal(1, Count(rest, "created"));
        Assert.Equal(2, Count(rest, "unchanged"));
        Assert.Equal(3, folder.Scalar("SELECT COUNT(*) FROM cases"));
    }


    [Fact]
    public async Task Import_StoppedByADatabaseError_PrintsOnlyTheFirstLineOfItsMessage_AndKeepsWhatWasCommitted()
    {
        using var folder = new CliTestFolder();
        var header = Header2021();
        var first = folder.File("first.csv");
        await File.WriteAllTextAsync(first, Sample2021(header));
        var (created, _) = await folder.RunAsync("import", "ctdc", first);
        Assert.Equal(0, created);
        // A database whose message runs on with a detail line (as constraint and driver messages do, quoting values).
        folder.Execute("CREATE TRIGGER refuse BEFORE INSERT ON cases BEGIN SELECT RAISE(ABORT, 'write refused' || char(10) || 'DETAIL: row value Maria Popescu'); END;");
        var second = folder.File("second.csv");
        await File.WriteAllTextAsync(second, string.Join('\n', string.Join(',', header),
            Row(header, new() { ["yearOfRegistration"] = "2020", ["Datasource"] = "Case Management", ["gender"] = "Female", ["citizenship"] = "MD", ["CountryOfExploitation"] = "IT", ["isSexualExploit"] = "1" })) + "\n");

        var (code, output) = await folder.RunAsync("import", "ctdc", second);

        Assert.Equal(1, code);
        Assert.Contains("writing failed: SqliteException: SQLite Error 19: 'write refused", output);
        Assert.DoesNotContain("DETAIL", output);
        Assert.DoesNotContain("Popescu", output);
        Assert.Equal(3, folder.Scalar("SELECT COUNT(*) FROM cases"));
    }
    [Fact]
    public async Task Import_RecognisesTheV2024SyntheticLayout()
    {
        using var folder = new CliTestFolder();
        var header = CtdcFormats.Synthetic2024Columns.ToArray();
        var file = folder.File("synthetic.csv");
        await File.WriteAllTextAsync(file, string.Join('\n',
            string.Join(',', header),
            Row(header, new() { ["yearOfRegistration"] = "2022", ["gender"] = "Woman", ["ageBroad"] = "21--23", ["citizenship"] = "PHL", ["CountryOfExploitation"] = "USA", ["isForcedLabour"] = "1" })));

        var (code, output) = await folder.RunAsync("import", "ctdc", file);

        Assert.True(code == 0, output);
        Assert.Contains("Synthetic2024", output);
        Assert.Equal(1, Count(output, "created"));
    }

    [Fact]
    public async Task Import_UnknownHeader_MissingFile_AndEmptyFile_AreUsageErrors()
    {
        using var folder = new CliTestFolder();
        var bad = folder.File("bad.csv");
        // A file without a header: its first line is a record, which the message must not repeat.
        await File.WriteAllTextAsync(bad, "Maria Popescu,+40 721 555 123,RO\n1,2,3\n");
        var empty = folder.File("empty.csv");
        await File.WriteAllTextAsync(empty, "");

        var (code, output) = await folder.RunAsync("import", "ctdc", bad);
        Assert.Equal(2, code);
        Assert.Contains("unrecognised header (3 columns, none of them a CTDC column name)", output);
        Assert.DoesNotContain("Popescu", output);
        Assert.DoesNotContain("721 555", output);
        Assert.Contains("K-anonymised Dataset 2021 (63 columns", output);
        Assert.Contains("Synthetic Dataset v2024 (27 columns", output);

        (code, output) = await folder.RunAsync("import", "ctdc", folder.File("missing.csv"));
        Assert.Equal(2, code);
        Assert.Contains("file not found", output);

        (code, output) = await folder.RunAsync("import", "ctdc", empty);
        Assert.Equal(2, code);
        Assert.Contains("empty", output);
    }
}
