namespace Analytics.Api.Tests.Cli;

public sealed class GenerateCommandTests
{
    [Fact]
    public async Task Generate_WritesIdenticalBytesForTheSameSeed_AndASeparateTruthFile()
    {
        using var folder = new CliTestFolder();
        async Task<(byte[] Cases, byte[] Truth)> Run(string name, int seed)
        {
            var (code, output) = await folder.RunAsync("generate", "--count", "40", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--out", folder.File(name + ".ndjson"), "--truth", folder.File(name + ".truth.json"), "--noise", "0.2", "--link-share", "0.1",
                "--emerging", "girls-social-media-ro-it");
            Assert.True(code == 0, output);
            return (await File.ReadAllBytesAsync(folder.File(name + ".ndjson")), await File.ReadAllBytesAsync(folder.File(name + ".truth.json")));
        }

        var a = await Run("a", 7);
        var b = await Run("b", 7);
        var c = await Run("c", 8);

        Assert.Equal(a.Cases, b.Cases);
        Assert.Equal(a.Truth, b.Truth);
        Assert.NotEqual(a.Cases, c.Cases);
        Assert.Equal(40, System.Text.Encoding.UTF8.GetString(a.Cases).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("\"emergingPatternId\": \"girls-social-media-ro-it\"", System.Text.Encoding.UTF8.GetString(a.Truth));
    }

    [Fact]
    public async Task Generate_RejectsAnUnknownPattern()
    {
        using var folder = new CliTestFolder();
        var (code, _) = await folder.RunAsync("generate", "--out", folder.File("x.ndjson"), "--emerging", "no-such-pattern");
        Assert.NotEqual(0, code);
        Assert.False(File.Exists(folder.File("x.ndjson")));
    }

    [Fact]
    public async Task Generate_ThatCannotWriteItsTruth_LeavesTheEarlierCasesFileAsItWas_AndNoTemporaryFile()
    {
        using var folder = new CliTestFolder();
        var cases = folder.File("keep.ndjson");
        var (code, output) = await folder.RunAsync("generate", "--count", "20", "--out", cases);
        Assert.True(code == 0, output);
        var before = await File.ReadAllBytesAsync(cases);
        Directory.CreateDirectory(folder.File("t.json"));
        var blocked = folder.File("blocked");
        await File.WriteAllTextAsync(blocked, "a file where a folder is needed");

        var (intoDirectory, first) = await folder.RunAsync("generate", "--count", "30", "--out", cases, "--truth", folder.File("t.json"));
        var (underAFile, second) = await folder.RunAsync("generate", "--count", "30", "--out", cases, "--truth", Path.Combine(blocked, "t.json"));

        Assert.Equal(2, intoDirectory);
        Assert.Contains("--truth", first);
        Assert.Contains("is a directory", first);
        Assert.Equal(2, underAFile);
        Assert.Equal(before, await File.ReadAllBytesAsync(cases));
        Assert.Empty(Directory.EnumerateFiles(folder.Path, "*.tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Generate_RefusesMoreCasesThanItCanHoldInMemory()
    {
        using var folder = new CliTestFolder();

        var (code, output) = await folder.RunAsync("generate", "--count", "50001", "--out", folder.File("c.ndjson"));

        Assert.NotEqual(0, code);
        Assert.Contains("--count must be from 0 to 50,000", output);
        Assert.False(File.Exists(folder.File("c.ndjson")));
    }

    [Fact]
    public async Task GenerateHelp_KeepsEveryOptionsDescriptionBesideIt()
    {
        using var folder = new CliTestFolder();

        var (code, output) = await folder.RunAsync("generate", "--help");

        Assert.Equal(0, code);
        var count = output.Split('\n').Single(l => l.TrimStart().StartsWith("--count", StringComparison.Ordinal));
        Assert.True(count.Length < 100, count);
        Assert.Contains("--emerging <patternId>", output);
        Assert.Contains("teens-gaming-crypto-eu", output);
    }
}
