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
        count.Require(v => v >= 0, "--count must be 0 or more.");
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
        var emerging = new Option<string?>("--emerging") { Description = "Pattern id whose rate triples in the last three months." };
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
                    Directory.CreateDirectory(casesFile.DirectoryName!);
                    Directory.CreateDirectory(truthFile.DirectoryName!);
                    using (var cases = new FileStream(casesFile.FullName, FileMode.Create, FileAccess.Write))
                    using (var groundTruth = new FileStream(truthFile.FullName, FileMode.Create, FileAccess.Write))
                        generator.WriteNdjson(cases, groundTruth);
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
