using System.Globalization;
using Analytics.Api.Jobs;
using Analytics.Data.Jobs;
using Analytics.Data.Pseudonymisation;
using Hangfire;

namespace Analytics.Api.Pseudonymisation;

/// <summary>
/// The <c>rekey-tokens</c> job: after a rotation (a key added at the end of the ring), moves every case stored under an
/// earlier key to the active one, a batch at a time, by chaining its tokens through the new keys. No raw identifier is
/// needed or seen. Link runs wait until it is done; case writes go on meanwhile (a case written under an earlier key is
/// moved first). It runs when a node starts with a new key, on its schedule (a safety net, which finds nothing to do
/// once the move is done) and when a steward asks; it is idempotent, and never runs twice at once.
/// </summary>
public sealed class RekeyJobs(KeyRingStore ring, JobStore jobs, JobStorage storage, ILogger<RekeyJobs> logger)
{
    public const string RekeyJob = "rekey-tokens";

    /// <summary>Cases moved per transaction: bounds how long a batch holds the write gate on SQLite.</summary>
    public const int BatchSize = 250;

    public static readonly IReadOnlyDictionary<string, string> DefaultSchedules = new Dictionary<string, string>
    {
        [RekeyJob] = "17 * * * *",
    };

    // One move at a time anywhere; a second waits for the first and then finds nothing left.
    private const string Lock = "analytics:rekey-tokens";

    [AutomaticRetry(Attempts = 3)]
    public Task<string> RekeyTokensAsync(CancellationToken ct) =>
        RecordedRun.RunLockedAsync(storage, Lock, TimeSpan.FromMinutes(30), jobs, logger, RekeyJob, progress => MoveAsync(progress, ct));

    private async Task<string> MoveAsync(IProgress<string> progress, CancellationToken ct)
    {
        var keys = await ring.ListAsync(ct);
        if (keys.Count == 0) return "no key ring is recorded yet";
        var active = keys[^1].KeyId;
        if (keys[^1].RekeyedAt is not null) return $"nothing to move: every case is under the active key {active}";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var moved = 0;
        // A pass takes every case in id order; a second is needed only if a case went back under an earlier key meanwhile,
        // which the write check refuses, so it finds nothing.
        for (var pass = 0; pass < 3; pass++)
        {
            string? after = null;
            do
            {
                (var count, after) = await ring.RekeyBatchAsync(after, BatchSize, ct);
                moved += count;
                progress.Report(string.Create(CultureInfo.InvariantCulture, $"{moved:N0} cases moved to key {active} so far"));
            }
            while (after is not null);
            if (await ring.CompleteAsync(ct))
                return string.Create(CultureInfo.InvariantCulture,
                    $"{moved} cases moved to key {active} in {watch.Elapsed.TotalSeconds:F1} s; link runs go on from the next one");
        }
        throw new InvalidOperationException($"Cases are still stored under a key before {active} after three passes; the job will try again.");
    }
}
