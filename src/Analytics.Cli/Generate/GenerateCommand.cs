using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Analytics.Cli.Hosting;
using Analytics.Core.Synthetic;
using Spectre.Console;

namespace Analytics.Cli.Generate;

/// <summary><c>analytics generate</c>: seeded synthetic cases as NDJSON plus a separate ground-truth file.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var defaults = new GeneratorOptions();
        var count = new Option<int>("--count") { Description = "Number of cases.", DefaultValueFactory = _ => defaults.Count };
        // The generator holds the whole data set in memory: past this, write several files with different seeds.
        count.Require(v => v is >= 0 and <= MaxCount, $"--count must be from 0 to {MaxCount:N0} (for more, run again with another --seed).");
        var seed = new Option<int>("--seed") { Description = "Random seed: the same options always write the same bytes.", DefaultValueFactory = _ => defaults.Seed };
        var output = new Option<FileInfo>("--out") { Description = "NDJSON file of case submissions (one per line).", DefaultValueFactory = _ => new FileInfo("cases.ndjson") };
        var truth = new Option<FileInfo?>("--truth") { Description = "Ground-truth JSON (planted patterns, links, identifiers). Default: <out> with extension .truth.json. Keep it away from the platform: it holds the raw identifiers." };
        var noise = new Option<double>("--noise") { Description = "Share of cases drawn from no pattern, 0..1.", DefaultValueFactory = _ => defaults.NoiseShare };
        var linkShare = new Option<double>("--link-share") { Description = "Share of cases reusing an identifier of an earlier case of another jurisdiction, 0..1.", DefaultValueFactory = _ => defaults.LinkShare };
        foreach (var share in new[] { noise, linkShare })
        {
            var name = share.Name;
            share.Require(v => v is >= 0 and <= 1, $"{name} must be within 0..1.");
        }
        // The help names the value "patternId" and lists the ids in the description: listed as the value's name, they
        // made a first column so wide that every option's description was pushed past the width of a terminal.
        var emerging = new Option<string?>("--emerging")
        {
            Description = $"Pattern id whose rate triples in the last three months: {string.Join(", ", PlantedPatterns.All.Select(p => p.Id))}.",
            HelpName = "patternId",
        };
        emerging.AcceptOnlyFromAmong([.. PlantedPatterns.All.Select(p => p.Id)]);

        var command = new Command("generate", "Write seeded synthetic cases (NDJSON) and their ground truth (JSON).")
        {
            count, seed, output, truth, noise, linkShare, emerging,
        };
        command.SetAction(async (parse, ct) =>
        {
            var console = CliOutput.For(parse);
            var casesFile = parse.GetValue(output)!;
            var truthFile = parse.GetValue(truth) ?? new FileInfo(Path.ChangeExtension(casesFile.FullName, null) + ".truth.json");
            if (string.Equals(casesFile.FullName, truthFile.FullName, StringComparison.Ordinal))
            {
                console.Error.WriteLine("error: --out and --truth must be different files.");
                return ExitCodes.Usage;
            }
            foreach (var (file, name) in new[] { (casesFile, "--out"), (truthFile, "--truth") })
                if (Directory.Exists(file.FullName))
                {
                    console.Error.WriteLine($"error: {name}: {file.FullName} is a directory; give a file name.");
                    return ExitCodes.Usage;
                }
            var options = new GeneratorOptions
            {
                Count = parse.GetValue(count),
                Seed = parse.GetValue(seed),
                NoiseShare = parse.GetValue(noise),
                LinkShare = parse.GetValue(linkShare),
                EmergingPatternId = parse.GetValue(emerging),
            };
            try
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var generator = new CaseGenerator(options);
                var data = await console.RunWithProgressAsync("generate", 2, progress =>
                {
                    progress.Report(0, $"{options.Count:N0} cases");
                    var d = generator.Run();
                    progress.Report(1, "writing");
                    WriteBoth(casesFile, truthFile, generator);
                    progress.Report(2, "done");
                    return Task.FromResult(d);
                });
                ct.ThrowIfCancellationRequested();
                WriteSummary(console, options, data, casesFile, truthFile, clock.Elapsed);
                return ExitCodes.Ok;
            }
            catch (ArgumentException e)
            {
                console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                console.Error.WriteLine($"error: cannot write: {e.Message}");
                return ExitCodes.Usage;
            }
        });
        return command;
    }

    /// <summary>Most cases one run writes: the generator holds the whole data set in memory.</summary>
    public const int MaxCount = 50_000;

    /// <summary>
    /// Writes both files beside their targets and moves them into place only when both are complete: a failure leaves
    /// whatever was there before, not an empty or half-written file.
    /// </summary>
    private static void WriteBoth(FileInfo casesFile, FileInfo truthFile, CaseGenerator generator)
    {
        Directory.CreateDirectory(casesFile.DirectoryName!);
        Directory.CreateDirectory(truthFile.DirectoryName!);
        var suffix = $".tmp-{Guid.NewGuid():n}";
        var casesTemp = casesFile.FullName + suffix;
        var truthTemp = truthFile.FullName + suffix;
        try
        {
            using (var cases = new FileStream(casesTemp, FileMode.CreateNew, FileAccess.Write))
            using (var groundTruth = new FileStream(truthTemp, FileMode.CreateNew, FileAccess.Write))
                generator.WriteNdjson(cases, groundTruth);
            File.Move(truthTemp, truthFile.FullName, overwrite: true);
            File.Move(casesTemp, casesFile.FullName, overwrite: true);
        }
        finally
        {
            File.Delete(casesTemp);
            File.Delete(truthTemp);
        }
    }

    private static void WriteSummary(CliOutput output, GeneratorOptions options, GeneratedDataset data, FileInfo cases, FileInfo truth, TimeSpan elapsed)
    {
        string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
        cases.Refresh();
        truth.Refresh();
        var table = new Table().Border(TableBorder.Simple).HideHeaders();
        table.AddColumn("");
        table.AddColumn("");
        table.AddRow("cases", $"{N(data.Cases.Count)} → {Markup.Escape(cases.FullName)} ({N(cases.Length)} bytes)");
        table.AddRow("sha-256", Sha256(cases.FullName));
        table.AddRow("ground truth", $"{Markup.Escape(truth.FullName)} ({N(truth.Length)} bytes)");
        table.AddRow("seed", options.Seed.ToString(CultureInfo.InvariantCulture));
        table.AddRow("planted links", N(data.GroundTruth.Links.Count));
        table.AddRow("emerging", Markup.Escape(options.EmergingPatternId ?? "-"));
        table.AddRow("elapsed", elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s");
        output.Console.Write(table);

        var patterns = new Table().Border(TableBorder.Simple);
        patterns.AddColumn("pattern");
        patterns.AddColumn(new TableColumn("cases").RightAligned());
        foreach (var g in data.Cases.GroupBy(c => c.PatternId).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
            patterns.AddRow(Markup.Escape(g.Key), N(g.Count()));
        output.Console.Write(patterns);
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
