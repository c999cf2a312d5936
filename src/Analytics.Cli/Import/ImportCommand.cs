using System.CommandLine;
using System.Globalization;
using Analytics.Cli.Hosting;
using Analytics.Data.Cases;
using Analytics.Data.Ingestion;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Analytics.Cli.Import;

/// <summary><c>analytics import ctdc &lt;file&gt;</c>: public CTDC data through the same validation and pseudonymisation path as the API.</summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "CTDC CSV file: K-anonymised 2021 release (63 columns) or Global Synthetic v2024 (27 columns)." };
        var skip = new Option<int>("--skip")
        {
            Description = "Resume: read but do not import data rows 1..n (the header is not counted).",
            DefaultValueFactory = _ => 0,
        };
        skip.Require(v => v >= 0, "--skip must be 0 or more.");
        var chunk = new Option<int>("--chunk-size")
        {
            Description = "Rows written per transaction.",
            DefaultValueFactory = _ => 2000,
        };
        chunk.Require(v => v is >= 1 and <= 10_000, "--chunk-size must be between 1 and 10000.");

        var ctdc = new Command("ctdc", "Import a public CTDC CSV file; each row becomes a single-victim case of a pseudo-authority per data source. Re-running is safe: stored rows come back 'unchanged'.")
        {
            file, skip, chunk, CliServices.Database, CliServices.KeyFile,
        };
        ctdc.SetAction(async (parse, ct) =>
        {
            var output = CliOutput.For(parse);
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                output.Error.WriteLine(Directory.Exists(path.FullName) ? $"error: {path.FullName} is a directory, not a file" : $"error: file not found: {path.FullName}");
                return ExitCodes.Usage;
            }

            try
            {
                // Check the header before touching the database or the key file.
                using var probe = new StreamReader(path.FullName, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
                CtdcImporter.ReadHeader(probe, path.Name, out _);
            }
            catch (ImportFileException e)
            {
                output.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                output.Error.WriteLine($"error: cannot read {path.FullName}: {e.Message}");
                return ExitCodes.Usage;
            }

            await using var services = await CliServices.BuildAsync(parse, ct, withKey: true);
            var importer = new CtdcImporter(services.GetRequiredService<CaseIngestion>(), services.GetRequiredService<CaseStore>());
            var options = new ImportOptions { Skip = parse.GetValue(skip), ChunkSize = parse.GetValue(chunk) };
            ImportReport report;
            try
            {
                await using var stream = new FileStream(path.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                report = await output.RunWithProgressAsync($"import {path.Name}", stream.Length,
                    progress => importer.ImportAsync(stream, path.Name, options, progress, ct));
            }
            catch (ImportFileException e)
            {
                output.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                output.Error.WriteLine($"error: cannot read {path.FullName}: {e.Message}");
                return ExitCodes.Usage;
            }

            WriteSummary(output, report);
            if (report.Aborted is not null)
            {
                output.Error.WriteLine($"error: import stopped: {report.Aborted}. Rows up to {report.LastCommittedRow:N0} are stored; re-run (optionally with --skip {report.LastCommittedRow}) to continue.");
                // Rows already stored make it a partial run, whatever stopped it.
                return report.Failed || report.Aborted == "cancelled" || report.LastCommittedRow > parse.GetValue(skip) ? ExitCodes.Partial : ExitCodes.Usage;
            }
            return ExitCodes.Ok;
        });

        return new Command("import", "Import public data sets.") { ctdc };
    }

    public static void WriteSummary(CliOutput output, ImportReport r)
    {
        string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
        output.Console.MarkupLine($"[bold]import {Markup.Escape(r.File)}[/] (layout {r.Format})");
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("");
        table.AddColumn(new TableColumn("rows").RightAligned());
        table.AddRow("read", N(r.RowsRead));
        if (r.RowsSkipped > 0) table.AddRow("skipped (--skip)", N(r.RowsSkipped));
        table.AddRow("imported", N(r.Imported));
        table.AddRow("  created", N(r.Created));
        table.AddRow("  updated", N(r.Updated));
        table.AddRow("  unchanged", N(r.Unchanged));
        table.AddRow("rejected", N(r.Rejected));
        table.AddRow("elapsed", r.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s");
        table.AddRow("throughput", N((long)r.RowsPerSecond) + " rows/s");
        output.Console.Write(table);

        if (r.Rejections.Count > 0)
        {
            var reasons = new Table().Border(TableBorder.Simple).Title("rejected rows by reason");
            reasons.AddColumn(new TableColumn("rows").RightAligned());
            reasons.AddColumn("reason");
            reasons.AddColumn("e.g. rows");
            foreach (var g in r.Rejections.Take(20))
                reasons.AddRow(N(g.Count), Markup.Escape(g.Reason), string.Join(", ", g.FirstRows));
            if (r.Rejections.Count > 20)
                reasons.AddRow(N(r.Rejections.Skip(20).Sum(g => g.Count)), $"… {r.Rejections.Count - 20} other reasons", "");
            output.Console.Write(reasons);
        }
        if (r.Notes.Count > 0)
        {
            var notes = new Table().Border(TableBorder.Simple).Title("notes on imported rows");
            notes.AddColumn(new TableColumn("rows").RightAligned());
            notes.AddColumn("note");
            foreach (var g in r.Notes.Take(10)) notes.AddRow(N(g.Count), Markup.Escape(g.Reason));
            output.Console.Write(notes);
        }
    }
}
