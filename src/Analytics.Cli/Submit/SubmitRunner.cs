using System.Diagnostics;
using System.Globalization;
using Analytics.Cli.Hosting;

namespace Analytics.Cli.Submit;

/// <summary>A line of the file the server rejected, with its errors by JSON Pointer.</summary>
public sealed record RejectedLine(int FileLine, IReadOnlyDictionary<string, string[]> Errors);

public sealed record SubmitReport
{
    public required string File { get; init; }
    public int Lines { get; init; }
    public int Batches { get; init; }
    public int BatchesSent { get; init; }
    public int BatchesReplayed { get; init; }
    public int BatchesFailed { get; init; }
    public int Retries { get; init; }
    public int Created { get; init; }
    public int Updated { get; init; }
    public int Unchanged { get; init; }
    public int Rejected { get; init; }
    /// <summary>Lines of failed or unsent batches: not stored (re-run to send them; stored batches are replayed, not duplicated).</summary>
    public int NotSent { get; init; }
    public IReadOnlyList<RejectedLine> FirstRejected { get; init; } = [];
    public IReadOnlyList<string> Failures { get; init; } = [];
    /// <summary>Why the run stopped before the last batch, or null.</summary>
    public string? Stopped { get; init; }
    public TimeSpan Elapsed { get; init; }
    public bool Complete => BatchesFailed == 0 && Stopped is null && NotSent == 0;
}

/// <summary>Sends an NDJSON file batch by batch; stops early when the server is unreachable or refuses the key, or on cancellation.</summary>
public sealed class SubmitRunner(BatchSender sender)
{
    public int MaxRejectedShown { get; init; } = 10;

    public async Task<SubmitReport> RunAsync(string path, int batchSize, IWorkProgress? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        string sha;
        int totalLines;
        await using (var scan = File.OpenRead(path))
            (sha, totalLines) = await NdjsonBatches.ScanAsync(scan, ct);
        var batchCount = (totalLines + batchSize - 1) / batchSize;

        int sent = 0, replayed = 0, failed = 0, retries = 0, created = 0, updated = 0, unchanged = 0, rejected = 0, done = 0, notSent = 0;
        var firstRejected = new List<RejectedLine>();
        var failures = new List<string>();
        string? stopped = null;

        await using var stream = File.OpenRead(path);
        foreach (var batch in NdjsonBatches.Read(stream, sha, batchSize))
        {
            if (stopped is not null)
            {
                notSent += batch.Count;
                continue;
            }
            BatchOutcome outcome;
            try
            {
                ct.ThrowIfCancellationRequested();
                outcome = await sender.SendAsync(batch, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C: stop now (the rest of the file is not read again) and report what was sent. A batch cut off in
                // flight counts as not sent; if the server stored it after all, a re-run has it replayed.
                stopped = "cancelled";
                notSent += totalLines - done;
                break;
            }
            retries += outcome.Attempts - 1;
            done += batch.Count;
            if (outcome.Response is { } r)
            {
                sent++;
                if (outcome.Replayed) replayed++;
                created += r.Created;
                updated += r.Updated;
                unchanged += r.Unchanged;
                rejected += r.Rejected;
                foreach (var line in r.Results)
                {
                    if (line.Status != "rejected" || firstRejected.Count >= MaxRejectedShown) continue;
                    var fileLine = line.Line >= 1 && line.Line <= batch.FileLines.Count ? batch.FileLines[line.Line - 1] : -1;
                    firstRejected.Add(new RejectedLine(fileLine, line.Errors ?? new Dictionary<string, string[]>()));
                }
            }
            else
            {
                failed++;
                notSent += batch.Count;
                var first = batch.FileLines[0];
                var last = batch.FileLines[^1];
                failures.Add(string.Create(CultureInfo.InvariantCulture,
                    $"batch {batch.Index + 1} (lines {first}-{last}): {outcome.Failure}: {outcome.Error} after {outcome.Attempts} attempt(s)"));
                if (outcome.Failure is BatchFailure.Unreachable or BatchFailure.Unauthorized or BatchFailure.ServerError or BatchFailure.Redirected)
                    stopped = outcome.Failure switch
                    {
                        BatchFailure.Unreachable => "server unreachable",
                        BatchFailure.Unauthorized => "the API key was refused",
                        BatchFailure.Redirected => "the server redirects the requests elsewhere (check --url)",
                        _ => "the server keeps failing",
                    };
            }
            progress?.Report(done, string.Create(CultureInfo.InvariantCulture,
                $"{done:N0}/{totalLines:N0} lines, batch {batch.Index + 1}/{batchCount}, {rejected:N0} rejected"));
        }

        return new SubmitReport
        {
            File = Path.GetFileName(path),
            Lines = totalLines,
            Batches = batchCount,
            BatchesSent = sent,
            BatchesReplayed = replayed,
            BatchesFailed = failed,
            Retries = retries,
            Created = created,
            Updated = updated,
            Unchanged = unchanged,
            Rejected = rejected,
            NotSent = notSent,
            FirstRejected = firstRejected,
            Failures = failures,
            Stopped = stopped,
            Elapsed = clock.Elapsed,
        };
    }
}
