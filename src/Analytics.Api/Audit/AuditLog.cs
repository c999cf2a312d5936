using System.Threading.Channels;
using Analytics.Data.Audit;

namespace Analytics.Api.Audit;

/// <summary>
/// The one writer of the audit chain in this process. Requests hand their entry to a bounded queue and go on;
/// a single background task links the entries in arrival order and appends them in batches, so the chain stays
/// linear however many requests run at once. On shutdown the queue is closed and drained before the host stops.
/// </summary>
/// <param name="time">Paces the batch window and the back-off between attempts.</param>
public sealed class AuditLog(AuditStore store, ILogger<AuditLog> logger, TimeProvider time) : BackgroundService
{
    public const int Capacity = 10_000;
    public const int BatchSize = 500;
    private const int Attempts = 10;

    private sealed record Item(AuditDraft? Draft, TaskCompletionSource? Flushed);

    // Full queue: requests wait rather than drop entries, because an incomplete audit trail is worse than a slow one.
    private readonly Channel<Item> _queue = Channel.CreateBounded<Item>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private ChainHead? _head;

    /// <summary>The last entry this process appended (null before the first write); verification checks the stored chain against it.</summary>
    public ChainHead? Head => Volatile.Read(ref _head);

    public ValueTask AppendAsync(AuditDraft draft) =>
        _queue.Writer.TryWrite(new Item(draft, null)) ? ValueTask.CompletedTask : WaitAndAppendAsync(draft);

    private async ValueTask WaitAndAppendAsync(AuditDraft draft)
    {
        try
        {
            await _queue.Writer.WriteAsync(new Item(draft, null));
        }
        catch (ChannelClosedException)
        {
            logger.LogWarning("Audit entry for {Action} arrived after the audit log closed for shutdown; it was not recorded.", draft.Action);
        }
    }

    /// <summary>Completes once every entry queued before the call is stored.</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new Item(null, flushed), ct);
        await flushed.Task.WaitAsync(ct);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        var drafts = new List<AuditDraft>(BatchSize);
        var flushes = new List<TaskCompletionSource>();
        // Reads until the queue is closed and empty, not until stoppingToken: entries queued before shutdown are still written.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            // Let entries gather for a moment: one transaction per many requests keeps the audit trail off the
            // database's single write path (entries are written in order either way).
            if (!stoppingToken.IsCancellationRequested && reader.Count < BatchSize)
                await Task.Delay(BatchWindow, time, CancellationToken.None);
            while (drafts.Count < BatchSize && reader.TryRead(out var item))
            {
                if (item.Draft is not null) drafts.Add(item.Draft);
                if (item.Flushed is not null) flushes.Add(item.Flushed);
            }
            if (drafts.Count > 0) await WriteAsync(drafts);
            foreach (var flushed in flushes) flushed.TrySetResult();
            drafts.Clear();
            flushes.Clear();
        }
    }

    private async Task WriteAsync(IReadOnlyList<AuditDraft> drafts)
    {
        for (var attempt = 1; ; attempt++)
        {
            ChainHead? linkedBehind = null;
            try
            {
                linkedBehind = Head ?? await store.HeadAsync(CancellationToken.None);
                var entries = AuditChain.Link(linkedBehind, drafts);
                await store.AppendAsync(entries, CancellationToken.None);
                Volatile.Write(ref _head, new ChainHead(entries[^1].Seq, entries[^1].Hash));
                return;
            }
            catch (Exception ex) when (attempt < Attempts)
            {
                // Another writer on the same database may have taken these sequence numbers: read the head again and relink.
                Volatile.Write(ref _head, null);
                // One line, never the stack trace: the batch is retried, and only a batch lost for good is a fault. A head
                // that moved is another node's append, expected now and then with several nodes, so it is not a warning.
                if (await HeadMovedAsync(linkedBehind))
                    logger.LogInformation("Another writer appended to the audit chain first; relinking {Count} audit entries behind its head (attempt {Attempt}).",
                        drafts.Count, attempt);
                else
                    logger.LogWarning("Appending {Count} audit entries failed (attempt {Attempt}: {Error}); retrying.",
                        drafts.Count, attempt, OneLine(ex));
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * attempt * attempt)), time, CancellationToken.None);
            }
            catch (Exception ex)
            {
                Volatile.Write(ref _head, null);
                logger.LogCritical(ex, "Appending {Count} audit entries failed {Attempts} times; they were not recorded.", drafts.Count, Attempts);
                return;
            }
        }
    }

    // Whether the stored chain now ends elsewhere than where the failed batch was linked: a sequence conflict, not a fault.
    private async Task<bool> HeadMovedAsync(ChainHead? linkedBehind)
    {
        if (linkedBehind is null) return false;
        try
        {
            return await store.HeadAsync(CancellationToken.None) != linkedBehind;
        }
        catch (Exception)
        {
            // The database cannot be read either: that is no conflict, and the warning says what failed.
            return false;
        }
    }

    private static string OneLine(Exception ex) =>
        ex.GetType().Name + ": " + ex.Message.ReplaceLineEndings(" ");
}
