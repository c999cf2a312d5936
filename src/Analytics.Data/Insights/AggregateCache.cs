namespace Analytics.Data.Insights;

/// <summary>
/// Answers read from precomputed aggregate tables, cached per filter until the next refresh on this node (and for at
/// most a minute, so a refresh on another node is picked up too).
/// </summary>
public sealed class AggregateCache
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private const int MaxEntries = 1_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Generation, DateTime At, object Value)> _entries = new();
    private long _generation;

    /// <summary>Forgets every cached answer: call after the aggregate tables were rewritten.</summary>
    public void Invalidate() => Interlocked.Increment(ref _generation);

    public async Task<T> GetAsync<T>(string key, Func<Task<T>> read) where T : class
    {
        var generation = Interlocked.Read(ref _generation);
        if (_entries.TryGetValue(key, out var hit) && hit.Generation == generation && DateTime.UtcNow - hit.At < Lifetime)
            return (T)hit.Value;
        var value = await read();
        if (_entries.Count > MaxEntries) _entries.Clear(); // filters are few in practice; never let the cache grow unbounded
        _entries[key] = (generation, DateTime.UtcNow, value);
        return value;
    }
}
