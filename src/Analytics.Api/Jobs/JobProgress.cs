using Analytics.Data.Jobs;

namespace Analytics.Api.Jobs;

/// <summary>
/// Writes what a running job is doing into its <c>job_runs</c> row (the detail a steward reads while it runs) without
/// holding up the work: <see cref="Report"/> only keeps the latest message, and one write at a time carries the latest
/// to the database, so messages that arrive while a write is in flight are skipped, never queued.
/// </summary>
public sealed class JobProgress(JobStore store, string runId, ILogger logger) : IProgress<string>
{
    private readonly Lock _gate = new();
    private string? _pending;
    private bool _writing;
    private Task _writer = Task.CompletedTask;

    /// <summary>Messages written so far (a message replaced by a later one before its turn is not counted).</summary>
    public int Written { get; private set; }

    public void Report(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            _pending = value;
            if (_writing) return;
            _writing = true;
            _writer = Task.Run(WriteAsync);
        }
    }

    /// <summary>Waits for the write in flight and any message still pending: the run's outcome is written after them.</summary>
    public Task FlushAsync()
    {
        lock (_gate) return _writer;
    }

    private async Task WriteAsync()
    {
        while (true)
        {
            string message;
            lock (_gate)
            {
                if (_pending is null)
                {
                    _writing = false;
                    return;
                }
                message = _pending;
                _pending = null;
            }
            try
            {
                if (await store.ReportProgressAsync(runId, message, CancellationToken.None)) Written++;
            }
            catch (Exception e)
            {
                // Progress is a courtesy: a failed write must not fail the job. Messages hold counts only.
                logger.LogWarning("Progress of job run {Run} not written: {Error}", runId, e.GetType().Name);
            }
        }
    }
}
