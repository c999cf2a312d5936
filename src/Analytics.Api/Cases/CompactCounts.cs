using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Analytics.Api.Cases;

/// <summary>
/// Counts by type in one small array, in the source dictionary's order: a batch keeps two of these per line until its
/// commit, at a fifth of a dictionary's size. Lookups are linear; there are a dozen types at most.
/// </summary>
public sealed class CompactCounts : IReadOnlyDictionary<string, int>
{
    private readonly KeyValuePair<string, int>[] _items;

    public CompactCounts(IReadOnlyDictionary<string, int> counts) => _items = [.. counts];

    public int Count => _items.Length;

    public int this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No count for '{key}'.");

    public IEnumerable<string> Keys => _items.Select(i => i.Key);

    public IEnumerable<int> Values => _items.Select(i => i.Value);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out int value)
    {
        foreach (var item in _items)
        {
            if (string.Equals(item.Key, key, StringComparison.Ordinal))
            {
                value = item.Value;
                return true;
            }
        }
        value = 0;
        return false;
    }

    public IEnumerator<KeyValuePair<string, int>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, int>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
