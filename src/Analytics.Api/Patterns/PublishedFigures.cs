using Analytics.Data.Patterns;
using Analytics.Learning.Patterns;

namespace Analytics.Api.Patterns;

/// <summary>A pattern's size and its cases per submitting jurisdiction, as published (raw: callers apply disclosure control).</summary>
public sealed record PatternFigures(int Size, IReadOnlyList<JurisdictionCount> Jurisdictions);

/// <summary>
/// The figures every release of a pattern works from. Its trend, sparkline, windows and filtered counts are read from the
/// aggregates, which count the cases assigned to it now: its size and jurisdiction counts are read from the same
/// aggregates, so that no published figure differs from another by the cases added or withdrawn since the model was
/// trained. Until the aggregates are first built for a model version, which is also when there is no series to compare
/// with, the training's figures stand.
/// </summary>
public static class PublishedFigures
{
    public static async Task<IReadOnlyDictionary<int, PatternFigures>> OfAsync(PatternModel model, string version, PatternStore store, CancellationToken ct)
    {
        var current = await store.DerivedAsync($"figures|{version}", async () => (await store.MonthlyAsync(version, ct))
            .GroupBy(r => r.PatternId)
            .ToDictionary(g => g.Key, g => new PatternFigures(g.Sum(r => r.Cases),
                g.GroupBy(r => r.Jurisdiction, StringComparer.Ordinal).Select(j => new JurisdictionCount(j.Key, j.Sum(r => r.Cases)))
                    .OrderByDescending(j => j.Cases).ThenBy(j => j.Jurisdiction, StringComparer.Ordinal).ToList())));
        if (current.Count > 0) return current;
        return model.Patterns.Where(p => p.Profile is not null)
            .ToDictionary(p => p.Id, p => new PatternFigures(p.Profile!.Size, p.Profile.Jurisdictions));
    }

    /// <summary>The patterns that are released: not suppressed by the model, and of at least <paramref name="k"/> cases as published.</summary>
    public static IEnumerable<Pattern> Released(PatternModel model, IReadOnlyDictionary<int, PatternFigures> figures, int k) =>
        model.Patterns.Where(p => !p.Suppressed && p.Profile is not null && figures.TryGetValue(p.Id, out var f) && f.Size >= k);
}
