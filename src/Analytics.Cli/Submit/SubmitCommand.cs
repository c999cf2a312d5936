using System.CommandLine;
using System.Globalization;
using Analytics.Cli.Hosting;
using Spectre.Console;

namespace Analytics.Cli.Submit;

/// <summary><c>analytics submit &lt;file.ndjson&gt;</c>: sends a file to a running instance in idempotent batches.</summary>
public static class SubmitCommand
{
    public const int MaxBatchSize = 10_000;

    /// <param name="httpFactory">Creates the HTTP client (tests pass one bound to an in-memory server); default: a client that uses no proxy and follows no redirect.</param>
    public static Command Create(Func<HttpClient>? httpFactory = null)
    {
        var file = new Argument<FileInfo>("file") { Description = "NDJSON file: one JSON case record per line (e.g. from 'analytics generate')." };
        var url = new Option<string>("--url") { Description = "Base address of the running service.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var key = new Option<string?>("--key") { Description = "API key (prosecutor) sent as X-Api-Key. Default: environment variable ANALYTICS_API_KEY." };
        var batchSize = new Option<int>("--batch-size") { Description = $"Records per request, 1..{MaxBatchSize}.", DefaultValueFactory = _ => 1000 };
        batchSize.Require(v => v is >= 1 and <= MaxBatchSize, $"--batch-size must be between 1 and {MaxBatchSize}.");
        var attempts = new Option<int>("--max-attempts") { Description = "Attempts per batch, 1..20, on connection errors, timeouts and 5xx, 408 and 429 answers (exponential backoff, or the server's Retry-After).", DefaultValueFactory = _ => 5 };
        attempts.Require(v => v is >= 1 and <= 20, "--max-attempts must be between 1 and 20.");

        var command = new Command("submit", "Send an NDJSON file to a running instance in batches (POST /api/v1/cases/batch). Each batch carries an Idempotency-Key derived from the file's SHA-256 and the batch index, so retries and re-runs never store a batch twice.")
        {
            file, url, key, batchSize, attempts,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = CliOutput.For(parse);
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                output.Error.WriteLine(Directory.Exists(path.FullName) ? $"error: {path.FullName} is a directory, not a file" : $"error: file not found: {path.FullName}");
                return ExitCodes.Usage;
            }
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            {
                output.Error.WriteLine($"error: --url must be an absolute http(s) address, e.g. http://127.0.0.1:5080");
                return ExitCodes.Usage;
            }
            var apiKey = parse.GetValue(key) ?? Environment.GetEnvironmentVariable("ANALYTICS_API_KEY");
            if (string.IsNullOrWhiteSpace(apiKey))
            {
                output.Error.WriteLine("error: no API key: pass --key or set ANALYTICS_API_KEY (create one with 'analytics keys create --role prosecutor ...').");
                return ExitCodes.Usage;
            }

            var endpoint = new Uri(baseUri.AbsoluteUri.TrimEnd('/') + "/api/v1/cases/batch");
            using var http = httpFactory?.Invoke() ?? CreateHttpClient();
            var sender = new BatchSender(http, endpoint, apiKey, new RetryPolicy { MaxAttempts = parse.GetValue(attempts) });
            var size = parse.GetValue(batchSize);
            SubmitReport report;
            try
            {
                report = await output.RunWithProgressAsync($"submit {path.Name}", CountLines(path.FullName),
                    progress => new SubmitRunner(sender).RunAsync(path.FullName, size, progress, ct));
            }
            catch (InvalidDataException e)
            {
                output.Error.WriteLine($"error: {path.Name}: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                output.Error.WriteLine($"error: cannot read {path.FullName}: {e.Message}");
                return ExitCodes.Usage;
            }
            WriteSummary(output, report, endpoint);
            return report.Complete && report.Rejected == 0 ? ExitCodes.Ok : ExitCodes.Partial;
        });
        return command;
    }

    // The API key and the records go to --url and nowhere else: not through a proxy from the environment (HTTP_PROXY
    // would otherwise see them, even for 127.0.0.1), and not on to the address of a redirect.
    private static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromMinutes(5) };

    private static long CountLines(string path)
    {
        long n = 0;
        foreach (var line in File.ReadLines(path)) if (!NdjsonBatches.IsBlank(line)) n++;
        return n;
    }

    public static void WriteSummary(CliOutput output, SubmitReport r, Uri endpoint)
    {
        string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
        output.Console.MarkupLine($"[bold]submit {Markup.Escape(r.File)}[/] → {Markup.Escape(endpoint.ToString())}");
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("");
        table.AddColumn(new TableColumn("").RightAligned());
        table.AddRow("lines", N(r.Lines));
        table.AddRow("batches sent", $"{N(r.BatchesSent)} of {N(r.Batches)}");
        if (r.BatchesReplayed > 0) table.AddRow("  replayed by the server", N(r.BatchesReplayed));
        table.AddRow("batches failed", N(r.BatchesFailed));
        table.AddRow("retries", N(r.Retries));
        table.AddRow("created", N(r.Created));
        table.AddRow("updated", N(r.Updated));
        table.AddRow("unchanged", N(r.Unchanged));
        table.AddRow("rejected", N(r.Rejected));
        if (r.NotSent > 0) table.AddRow("not sent", N(r.NotSent));
        table.AddRow("elapsed", r.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s");
        table.AddRow("throughput", N((long)(r.Elapsed.TotalSeconds > 0 ? (r.Lines - r.NotSent) / r.Elapsed.TotalSeconds : 0)) + " lines/s");
        table.HideHeaders();
        output.Console.Write(table);

        if (r.FirstRejected.Count > 0)
        {
            var rejected = new Table().Border(TableBorder.Simple).Title($"first {r.FirstRejected.Count} rejected lines");
            rejected.AddColumn(new TableColumn("line").RightAligned());
            rejected.AddColumn("JSON Pointer");
            rejected.AddColumn("error");
            foreach (var line in r.FirstRejected)
                foreach (var (pointer, messages) in line.Errors)
                    rejected.AddRow(line.FileLine.ToString(CultureInfo.InvariantCulture), Markup.Escape(pointer), Markup.Escape(string.Join("; ", messages)));
            output.Console.Write(rejected);
        }
        foreach (var f in r.Failures) output.Error.WriteLine($"error: {f}");
        if (r.Stopped is not null)
            output.Error.WriteLine($"error: stopped: {r.Stopped}; {N(r.NotSent)} lines not sent. Re-run the same command: batches already stored are replayed, not duplicated.");
    }
}
