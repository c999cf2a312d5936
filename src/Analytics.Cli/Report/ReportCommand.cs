using System.CommandLine;
using System.Text;
using Analytics.Cli.Hosting;
using Analytics.Cli.Import;

namespace Analytics.Cli.Report;

/// <summary><c>analytics report ctdc &lt;file&gt; [--out docs/ctdc-report.md]</c>: patterns and classifier quality on a CTDC file, in memory.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "CTDC CSV file: K-anonymised 2021 release (63 columns) or Global Synthetic v2024 (27 columns)." };
        var output = new Option<FileInfo>("--out")
        {
            Description = "Markdown report to write.",
            DefaultValueFactory = _ => new FileInfo("docs/ctdc-report.md"),
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of pattern discovery and of the classifiers' split.",
            DefaultValueFactory = _ => 42,
        };

        var ctdc = new Command("ctdc", "Map, pseudonymise (throwaway key, nothing stored), find patterns and train the classifiers on a CTDC file; write a Markdown report of aggregates (counts below 10 suppressed).")
        {
            file, output, seed,
        };
        ctdc.SetAction(async (parse, ct) =>
        {
            var console = CliOutput.For(parse);
            var path = parse.GetValue(file)!;
            var target = parse.GetValue(output)!;
            if (!path.Exists)
            {
                console.Error.WriteLine(Directory.Exists(path.FullName) ? $"error: {path.FullName} is a directory, not a CTDC file" : $"error: file not found: {path.FullName}");
                return ExitCodes.Usage;
            }
            // Checked before the work (a minute on a large file), not after it.
            if (Directory.Exists(target.FullName))
            {
                console.Error.WriteLine($"error: --out: {target.FullName} is a directory; give a file name.");
                return ExitCodes.Usage;
            }
            var options = new CtdcReportOptions
            {
                Seed = parse.GetValue(seed),
                Command = $"analytics report ctdc {path} --out {target}" + (parse.GetValue(seed) != 42 ? $" --seed {parse.GetValue(seed)}" : ""),
            };
            string markdown;
            try
            {
                using var reader = new StreamReader(path.FullName, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, 1 << 16);
                markdown = await Task.Run(() => CtdcReport.Build(reader, path.Name, options, line => console.Out.WriteLine(line)), ct);
            }
            catch (ImportFileException e)
            {
                console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
            {
                console.Error.WriteLine($"error: cannot read {path.FullName}: {e.Message}");
                return ExitCodes.Usage;
            }
            try
            {
                if (target.Directory is { Exists: false } dir)
                    dir.Create();
                await File.WriteAllTextAsync(target.FullName, markdown, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                console.Error.WriteLine($"error: --out: cannot write {target.FullName}: {e.Message}");
                return ExitCodes.Usage;
            }
            console.Out.WriteLine($"wrote {target}");
            return ExitCodes.Ok;
        });

        return new Command("report", "Reports computed from public data sets.") { ctdc };
    }
}
