using System.Globalization;
using System.Text.RegularExpressions;
using Analytics.Core.Ctdc;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.Cli;

public sealed class ReportTests(ITestOutputHelper log)
{
    private const string RealFile = "../shared/data/ctdc-kanon-2021/ctdc_kanon_2021-07-15.csv";

    /// <summary>A seeded file in the 2021 layout: a few clear groups (country, citizenship, age, exploitation) plus rejected rows.</summary>
    private static string Generated2021(int rows, int seed)
    {
        var header = CtdcFormats.KAnon2021Columns.ToArray();
        var rng = new Random(seed);
        var groups = new[]
        {
            (Country: "US", Citizenship: "US", Gender: "Female", Ages: new[] { "18--20", "21--23" }, Flag: "isSexualExploit", Source: "Hotline"),
            (Country: "RU", Citizenship: "UA", Gender: "Male", Ages: new[] { "30--38", "39--47" }, Flag: "isForcedLabour", Source: "Case Management"),
            (Country: "PH", Citizenship: "PH", Gender: "Female", Ages: new[] { "0--8", "9--17" }, Flag: "typeOfSexRemoteInteractiveServices", Source: "Case Management"),
            (Country: "MD", Citizenship: "MD", Gender: "Female", Ages: new[] { "24--26", "" }, Flag: "isForcedMarriage", Source: "Case Management"),
        };
        var lines = new List<string> { string.Join(',', header) };
        for (var i = 0; i < rows; i++)
        {
            var g = groups[rng.Next(groups.Length)];
            var values = new Dictionary<string, string>
            {
                ["yearOfRegistration"] = (2015 + rng.Next(5)).ToString(CultureInfo.InvariantCulture),
                ["Datasource"] = g.Source,
                ["gender"] = g.Gender,
                ["ageBroad"] = g.Ages[rng.Next(g.Ages.Length)],
                ["citizenship"] = g.Citizenship,
                // One row in twenty has no country of exploitation and is rejected.
                ["CountryOfExploitation"] = rng.Next(20) == 0 ? "" : g.Country,
                [g.Flag] = "1",
                ["meansOfControlThreats"] = rng.Next(2).ToString(CultureInfo.InvariantCulture),
                ["recruiterRelationFamily"] = rng.Next(3) == 0 ? "1" : "0",
            };
            lines.Add(string.Join(',', header.Select(h => values.GetValueOrDefault(h, ""))));
        }
        return string.Join('\n', lines) + "\n";
    }

    private static void AssertDisclosureControlled(string report)
    {
        Assert.Contains("## Patterns", report);
        Assert.Matches(new Regex(@"^### Pattern \d+: ", RegexOptions.Multiline), report);
        Assert.Contains("Macro-F1", report);
        // Every count next to "cases" is either "< 10" or at least 10.
        foreach (Match m in Regex.Matches(report, @"(?<![<\d,.]\s?)\b(\d[\d,]*)\s+cases\b"))
        {
            var n = int.Parse(m.Groups[1].Value.Replace(",", ""), CultureInfo.InvariantCulture);
            Assert.True(n >= 10, $"count below 10 printed next to 'cases': '{m.Value}'");
        }
    }

    [Fact]
    public async Task Report_OnAGeneratedCtdcFile_HasPatternsAndClassifiers_AndNoSmallCounts()
    {
        using var folder = new CliTestFolder();
        var file = folder.File("ctdc.csv");
        var output = folder.File("report.md");
        await File.WriteAllTextAsync(file, Generated2021(600, 7));

        var (code, console) = await folder.RunAsync("report", "ctdc", file, "--out", output);

        Assert.True(code == 0, console);
        var report = await File.ReadAllTextAsync(output);
        AssertDisclosureControlled(report);
        Assert.Contains($"analytics report ctdc {file} --out {output}", report);
        Assert.Contains("| rows read | 600 |", report);
        Assert.Contains("CountryOfExploitation: no country of exploitation", report);
        Assert.Contains("Primary exploitation type", report);
        Assert.Contains("## Time per step", report);
        // The long steps show their phases while they run, each under its step's name.
        Assert.Matches(new Regex(@"^  pattern discovery: fitting \d+ patterns with k-means$", RegexOptions.Multiline), console);
        Assert.Matches(new Regex(@"^  exploitation-type classifier: fitting \d+ class models on [\d,]+ cases$", RegexOptions.Multiline), console);
        Assert.Matches(new Regex(@"^  child-victim classifier: evaluating on [\d,]+ held-out cases$", RegexOptions.Multiline), console);
    }

    [Fact]
    public async Task Report_NeverQuotesACell_ThatIsNotAKnownCode()
    {
        using var folder = new CliTestFolder();
        var file = folder.File("ctdc.csv");
        var output = folder.File("report.md");
        var header = CtdcFormats.KAnon2021Columns.ToList();
        // Columns out of place: a name where the data source belongs, a phone number as the country, a name as the age.
        var misplaced = Enumerable.Range(0, 12).Select(_ => string.Join(',', header.Select(h => h switch
        {
            "Datasource" => "Maria Popescu",
            "CountryOfExploitation" => "+40 722 123 456",
            "ageBroad" => "Ion Ionescu",
            "gender" => "Female",
            _ => "",
        })));
        await File.WriteAllTextAsync(file, Generated2021(600, 7) + string.Join('\n', misplaced) + "\n");

        var (code, console) = await folder.RunAsync("report", "ctdc", file, "--out", output);

        Assert.True(code == 0, console);
        var report = await File.ReadAllTextAsync(output);
        Assert.Contains("| rows read | 612 |", report);
        // The command line and the "wrote" line quote the folder's path, whose random hex name can hold "722".
        var (reportText, consoleText) = (report.Replace(folder.Path, "", StringComparison.Ordinal), console.Replace(folder.Path, "", StringComparison.Ordinal));
        foreach (var cell in new[] { "Maria", "Popescu", "722", "+40", "Ionescu" })
        {
            Assert.DoesNotContain(cell, reportText, StringComparison.Ordinal);
            Assert.DoesNotContain(cell, consoleText, StringComparison.Ordinal);
        }
        Assert.Matches(@"\| \(not a known value\) \| 12 \| [\d.]+ % \| < 10 \| – \|", report);
        Assert.Contains("| Hotline |", report);
        Assert.Contains("| US |", report);
    }

    [Fact]
    public async Task Report_OnTheFirst2000RowsOfTheRealFile_IsDisclosureControlled()
    {
        string? real = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && real is null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, RealFile)))
                real = Path.Combine(dir.FullName, RealFile);
        if (real is null)
        {
            log.WriteLine($"skipped: {RealFile} not found above {AppContext.BaseDirectory}; the generated-file test covers the command.");
            return;
        }
        using var folder = new CliTestFolder();
        var file = folder.File("ctdc-2000.csv");
        await File.WriteAllLinesAsync(file, File.ReadLines(real).Take(2001));
        var output = folder.File("report.md");

        var (code, console) = await folder.RunAsync("report", "ctdc", file, "--out", output);

        Assert.True(code == 0, console);
        AssertDisclosureControlled(await File.ReadAllTextAsync(output));
    }

    [Fact]
    public async Task Report_UnknownHeader_IsAUsageError()
    {
        using var folder = new CliTestFolder();
        var bad = folder.File("bad.csv");
        await File.WriteAllTextAsync(bad, "a,b,c\n1,2,3\n");

        var (code, output) = await folder.RunAsync("report", "ctdc", bad, "--out", folder.File("r.md"));

        Assert.Equal(2, code);
        Assert.Contains("unrecognised header", output);
        Assert.False(File.Exists(folder.File("r.md")));
    }

    [Fact]
    public async Task Report_ADirectoryAsOut_OrAsInput_IsAUsageError_BeforeAnyWork()
    {
        using var folder = new CliTestFolder();
        var file = folder.File("small.csv");
        await File.WriteAllTextAsync(file, string.Join(',', Analytics.Core.Ctdc.CtdcFormats.KAnon2021Columns) + "\n");
        var outDir = folder.File("out.md");
        Directory.CreateDirectory(outDir);

        var (code, output) = await folder.RunAsync("report", "ctdc", file, "--out", outDir);
        var (input, inputOutput) = await folder.RunAsync("report", "ctdc", folder.Path, "--out", folder.File("r.md"));

        Assert.Equal(2, code);
        Assert.Contains("--out:", output);
        Assert.Contains("is a directory", output);
        Assert.DoesNotContain("Unhandled", output);
        Assert.Equal(2, input);
        Assert.Contains("is a directory, not a CTDC file", inputOutput);
    }
}
