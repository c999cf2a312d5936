using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Analytics.Cli.Hosting;
using Analytics.Core.Evaluation;
using Analytics.Core.Pseudonymisation;
using Spectre.Console;

namespace Analytics.Cli.Eval;

/// <summary><c>analytics eval scrubbing</c>: precision and recall of the free-text scrubber on a labelled corpus.</summary>
public static class EvalCommand
{
    public static Command Create() => new("eval", "Measure the platform's components on labelled synthetic data.")
    {
        Scrubbing(),
    };

    private static Command Scrubbing()
    {
        var samples = new Option<int>("--samples") { Description = "Number of labelled narratives.", DefaultValueFactory = _ => 2000 };
        samples.Require(v => v >= 1, "--samples must be 1 or more.");
        var seed = new Option<int>("--seed") { Description = "Random seed of the corpus.", DefaultValueFactory = _ => 1 };
        var output = new Option<FileInfo>("--out") { Description = "Markdown report; the JSON report is written next to it (.json).", DefaultValueFactory = _ => new FileInfo("docs/scrubbing-quality.md") };
        var showMisses = new Option<int>("--show-misses") { Description = "Print up to this many missed spans and false hits (synthetic text).", DefaultValueFactory = _ => 0 };

        var command = new Command("scrubbing", "Precision and recall of the free-text scrubber per identifier type, on generated narratives with every identifier annotated.")
        {
            samples, seed, output, showMisses,
        };
        command.SetAction(parse =>
        {
            var console = CliOutput.For(parse);
            var markdownFile = parse.GetValue(output)!;
            var jsonFile = new FileInfo(Path.ChangeExtension(markdownFile.FullName, ".json"));
            var count = parse.GetValue(samples);
            var corpusSeed = parse.GetValue(seed);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var corpus = ScrubbingCorpus.Generate(count, corpusSeed);
            // A throw-away key: tokens do not matter here, only which spans are replaced.
            var scrubber = new TextScrubber(new Tokeniser(new KeyRing(new PseudonymisationKey("eval", RandomNumberGenerator.GetBytes(32)))));
            var report = ScrubbingEvaluation.Run(corpus, scrubber, corpusSeed);
            var elapsed = clock.Elapsed;

            WriteTable(console, report);
            var limit = parse.GetValue(showMisses);
            if (limit > 0)
            {
                console.Out.WriteLine("Missed spans:");
                foreach (var m in report.Misses.Take(limit)) console.Out.WriteLine($"  #{m.Sample} {m.Type}/{m.Variant}: \"{m.Text.Replace("\n", "⏎", StringComparison.Ordinal)}\" in …{m.Context}…");
                console.Out.WriteLine("False hits:");
                foreach (var m in report.FalseHitExamples.Take(limit)) console.Out.WriteLine($"  #{m.Sample} {m.Type} on {m.Variant}: \"{m.Text}\" in …{m.Context}…");
            }
            try
            {
                Directory.CreateDirectory(markdownFile.DirectoryName!);
                File.WriteAllText(markdownFile.FullName, ScrubbingEvaluation.ToMarkdown(report));
                File.WriteAllText(jsonFile.FullName, ScrubbingEvaluation.ToJson(report) + "\n");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                console.Error.WriteLine($"error: cannot write: {e.Message}");
                return ExitCodes.Usage;
            }
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{count:N0} samples, {report.Overall.Spans:N0} annotated spans, {elapsed.TotalSeconds:F1} s; goals {(report.MeetsGoals ? "met" : "NOT all met")}."));
            console.Out.WriteLine($"Wrote {markdownFile.FullName} and {jsonFile.FullName}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteTable(CliOutput output, ScrubbingReport report)
    {
        string I(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in new[] { "type", "spans", "TP", "FN", "hits", "FP", "precision", "recall", "F1", "goals" })
            table.AddColumn(column is "type" or "goals" ? new TableColumn(column) : new TableColumn(column).RightAligned());
        foreach (var t in report.Types.Append(report.Overall))
        {
            var goals = t.Type == "all"
                ? (t.MeetsPrecision == false ? "precision missed" : "ok")
                : (t.MeetsRecall == false ? "recall MISSED " : "") + (t.MeetsPrecision == false ? "precision MISSED" : "") is { Length: > 0 } g ? g.Trim() : "ok";
            table.AddRow(t.Type, I(t.Spans), I(t.Found), I(t.Missed), I(t.Hits), I(t.FalseHits),
                ScrubbingEvaluation.Ratio(t.Precision), ScrubbingEvaluation.Ratio(t.Recall), ScrubbingEvaluation.Ratio(t.F1), goals);
        }
        output.Console.Write(table);
    }
}
