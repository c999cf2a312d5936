namespace Analytics.Core.Disclosure;

/// <summary>A released count: either the number, or suppressed (shown as "&lt; k", never as zero).</summary>
/// <param name="Key">What is counted (a jurisdiction, a month, a category).</param>
/// <param name="Count">The count, or null when suppressed.</param>
/// <param name="Suppressed">True when the cell is withheld.</param>
public sealed record ReleasedCount(string Key, int? Count, bool Suppressed);

/// <summary>
/// The one disclosure-control mechanism every released number goes through: counts in 1..k-1 are suppressed
/// (primary), and further cells are suppressed (secondary) while a released total would let the suppressed
/// ones be recovered — that is, while only one cell is suppressed or the suppressed cells add up to less than k.
/// </summary>
public static class DisclosureControl
{
    public const int DefaultThreshold = 10;

    /// <summary>Whether a single number may be released on its own.</summary>
    public static bool CanRelease(int count, int k) => count == 0 || count >= k;

    /// <param name="cells">The cells of one table row or group.</param>
    /// <param name="k">Threshold: counts below it are never released.</param>
    /// <param name="totalReleased">Whether the group's total is published next to its cells (then secondary suppression applies).</param>
    /// <param name="withhold">
    /// Cells to withhold whatever their count, as primary suppressions: for instance a count whose complement in a
    /// published whole (a pattern's size less the cases that match a filter) would be a small count.
    /// </param>
    public static IReadOnlyList<ReleasedCount> Release(IEnumerable<(string Key, int Count)> cells, int k, bool totalReleased = true,
        IReadOnlySet<string>? withhold = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var list = cells.ToList();
        var suppressed = list.Select(c => !CanRelease(c.Count, k) || withhold?.Contains(c.Key) == true).ToArray();
        if (totalReleased)
        {
            while (true)
            {
                var hidden = Enumerable.Range(0, list.Count).Where(i => suppressed[i]).ToList();
                var hiddenSum = hidden.Sum(i => list[i].Count);
                if (hidden.Count == 0 || (hidden.Count >= 2 && hiddenSum >= k)) break;
                // Hide the smallest non-zero released cell as well; zeros protect nothing.
                var next = Enumerable.Range(0, list.Count).Where(i => !suppressed[i] && list[i].Count > 0)
                    .OrderBy(i => list[i].Count).ThenBy(i => list[i].Key, StringComparer.Ordinal).Cast<int?>().FirstOrDefault();
                if (next is null) break;
                suppressed[next.Value] = true;
            }
        }
        return list.Select((c, i) => new ReleasedCount(c.Key, suppressed[i] ? null : c.Count, suppressed[i])).ToList();
    }
}
