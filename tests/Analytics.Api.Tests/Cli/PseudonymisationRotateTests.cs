using System.Text.Json;
using System.Text.RegularExpressions;
using Analytics.Core.Ctdc;

namespace Analytics.Api.Tests.Cli;

/// <summary><c>analytics pseudonymisation rotate</c>, and an import under the rotated key file and under the file from before.</summary>
public sealed class PseudonymisationRotateTests
{
    private static string Csv()
    {
        string[] header = [.. CtdcFormats.KAnon2021Columns];
        string Row(Dictionary<string, string> values) => string.Join(',', header.Select(h => values.GetValueOrDefault(h.Trim(), "")));
        return string.Join('\n',
            string.Join(',', header),
            Row(new() { ["yearOfRegistration"] = "2016", ["Datasource"] = "Hotline", ["gender"] = "Female", ["ageBroad"] = "18--20", ["citizenship"] = "US", ["CountryOfExploitation"] = "US", ["isSexualExploit"] = "1" }),
            Row(new() { ["yearOfRegistration"] = "2019", ["Datasource"] = "Case Management", ["gender"] = "Male", ["ageBroad"] = "9--17", ["citizenship"] = "UA", ["CountryOfExploitation"] = "PL", ["typeOfLabourConstruction"] = "1" })) + "\n";
    }

    private static int Count(string output, string label) =>
        int.Parse(Regex.Match(output, $@"^\s*{label}\s+([\d,]+)\s*$", RegexOptions.Multiline).Groups[1].Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);

    private static string[] KeyIds(string keyFile) =>
        [.. JsonDocument.Parse(File.ReadAllText(keyFile)).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("id").GetString()!)];

    [Fact]
    public async Task Rotate_AddsTheActiveKey_AndImportsGoOnUnderIt_WhileTheOldFileIsRefused()
    {
        using var folder = new CliTestFolder();
        var csv = folder.File("ctdc.csv");
        await File.WriteAllTextAsync(csv, Csv());
        var (imported, first) = await folder.RunAsync("import", "ctdc", csv);
        Assert.True(imported == 0, first);
        var before = KeyIds(folder.KeyFile);
        File.Copy(folder.KeyFile, folder.File("before.json"));

        var (rotated, output) = await folder.RunAsync("pseudonymisation", "rotate", "--key-file", folder.KeyFile);

        Assert.True(rotated == 0, output);
        var after = KeyIds(folder.KeyFile);
        Assert.Equal([.. before, after[^1]], after);
        Assert.Contains($"added key {after[^1]}", output);
        Assert.Contains("Restart every node", output);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(folder.KeyFile));

        // Imported again under the new key: the cases stored under the old one are found, moved, and left unchanged.
        var (again, second) = await folder.RunAsync("import", "ctdc", csv);
        Assert.True(again == 0, second);
        Assert.Equal((0, 2), (Count(second, "created"), Count(second, "unchanged")));
        Assert.Equal(2, folder.Scalar("SELECT COUNT(*) FROM cases"));
        Assert.Equal(2, folder.Scalar($"SELECT COUNT(*) FROM cases WHERE key_id = '{after[^1]}'"));

        // The key file from before the rotation is behind the store's ring: a usage error, nothing imported.
        File.Copy(folder.File("before.json"), folder.KeyFile, overwrite: true);
        // Through the program's entry, which turns a database or key file that cannot be used into exit code 2.
        var writer = new StringWriter();
        var stale = await Analytics.Cli.CliProgram.RunAsync(["import", "ctdc", csv, "--database", folder.Database, "--key-file", folder.KeyFile], writer, writer);
        var refused = writer.ToString();
        Assert.Equal(2, stale);
        Assert.Contains("--key-file:", refused);
        Assert.Contains(after[^1], refused);
        Assert.Equal(2, folder.Scalar("SELECT COUNT(*) FROM cases"));

        var (missing, error) = await folder.RunAsync("pseudonymisation", "rotate", "--key-file", folder.File("none.json"));
        Assert.Equal(2, missing);
        Assert.Contains("no key file at", error);
    }
}
