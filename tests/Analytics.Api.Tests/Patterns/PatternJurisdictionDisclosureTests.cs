using System.Net.Http.Json;
using Analytics.Api.Learning;
using Analytics.Api.Patterns;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Analytics.Data.Database;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Patterns;

public sealed class PatternJurisdictionDisclosureTests
{
    // A pattern's jurisdiction list may withhold a cell of k or more only to protect a smaller one. The pattern list
    // narrowed to that jurisdiction must not release it: with the other released cells and the size it gives the small one.
    [Fact]
    public async Task TheListNarrowedToAJurisdiction_WithholdsTheCellThePatternsOwnListWithholds()
    {
        using var factory = new AnalyticsFactory();
        await factory.SeedGeneratedAsync(1_600, 21);
        var jobs = factory.Services.GetRequiredService<LearningJobs>();
        await jobs.TrainAsync(ModelNames.Patterns, CancellationToken.None);
        await jobs.AssignPatternsAsync(CancellationToken.None);
        await jobs.RefreshAggregatesAsync(CancellationToken.None);
        var version = factory.Services.GetRequiredService<ModelServing>().Patterns.Current!.Version;
        var analyst = await factory.ClientForAsync(Roles.Analyst);

        var items = (await analyst.GetFromJsonAsync<PatternPage>("/api/v1/patterns?pageSize=100"))!.Items;
        var hidden = items.SelectMany(p => p.Jurisdictions).Where(c => c.Suppressed).Select(c => c.Key).Distinct().ToList();
        Assert.NotEmpty(hidden);
        var narrowed = new Dictionary<string, Dictionary<int, FilteredCount>>();
        foreach (var j in hidden)
            narrowed[j] = (await analyst.GetFromJsonAsync<PatternPage>($"/api/v1/patterns?jurisdiction={j}&pageSize=100"))!.Items.ToDictionary(p => p.Id, p => p.Matching!);
        var truth = new Dictionary<(int, string), int>();
        await using (var db = await factory.Services.GetRequiredService<Db>().OpenAsync(CancellationToken.None))
            foreach (var r in await db.QueryAsync<(long Pattern, string Jurisdiction, long Cases)>(new CommandDefinition(
                "SELECT pattern_id, jurisdiction, SUM(cases) FROM pattern_cells WHERE model_version = @version GROUP BY pattern_id, jurisdiction", new { version })))
                truth[((int)r.Pattern, r.Jurisdiction)] = (int)r.Cases;

        // What an analyst can work out: every cell the pattern's list or a narrowed list releases, then the size less those.
        var recovered = new List<string>();
        foreach (var p in items)
        {
            var known = p.Jurisdictions.ToDictionary(c => c.Key, c => c.Count);
            foreach (var c in p.Jurisdictions.Where(c => c.Suppressed))
                if (narrowed[c.Key].TryGetValue(p.Id, out var m) && m.Cases is { } n) known[c.Key] = n;
            var unknown = known.Where(x => x.Value is null).Select(x => x.Key).ToList();
            if (unknown.Count != 1) continue;
            var value = p.Size - known.Values.Sum(v => v ?? 0);
            Assert.Equal(truth.GetValueOrDefault((p.Id, unknown[0])), value);
            if (value is > 0 and < 10) recovered.Add($"pattern {p.Id}, {unknown[0]} = {value}");
        }
        Assert.Empty(recovered);
    }
}
