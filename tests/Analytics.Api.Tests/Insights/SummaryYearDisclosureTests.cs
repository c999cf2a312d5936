using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Api.Insights;
using Analytics.Api.Learning;
using Analytics.Api.Patterns;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Analytics.Data.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Insights;

public sealed class SummaryYearDisclosureTests
{
    // The summary's cases per year, less what the released patterns' yearly trends show of that year, is the rest of the
    // year. Where one pattern withholds the year and every other case of it is in a released pattern, the rest is that
    // pattern's withheld year; and any rest from 1 to k − 1 is a small count.
    [Theory]
    [InlineData(800, 11)]
    [InlineData(1_600, 21)]
    public async Task TheSummarysYears_LessThePatternsYears_GiveNoWithheldYearAndNoSmallCount(int count, int seed)
    {
        using var factory = new AnalyticsFactory();
        await factory.SeedAndTrainAsync(new Core.Synthetic.GeneratorOptions { Seed = seed, Count = count, EmergingPatternId = seed == 21 ? "boys-criminality-bg-at" : null });
        var analyst = await factory.ClientForAsync(Roles.Analyst);
        var summary = (await analyst.GetFromJsonAsync<JsonElement>("/api/v1/insights/summary")).GetProperty("dimensions").GetProperty("year").EnumerateArray()
            .ToDictionary(y => y.GetProperty("key").GetString()!, y => y.GetProperty("count").ValueKind == JsonValueKind.Number ? y.GetProperty("count").GetInt32() : (int?)null);
        var items = (await analyst.GetFromJsonAsync<PatternPage>("/api/v1/patterns?pageSize=100"))!.Items;
        var years = new Dictionary<int, Dictionary<string, int?>>();
        foreach (var p in items)
            years[p.Id] = (await analyst.GetFromJsonAsync<PatternTrend>($"/api/v1/patterns/{p.Id}/trend?interval=year"))!.Points.ToDictionary(t => t.Period, t => t.Cases);
        var version = factory.Services.GetRequiredService<ModelServing>().Patterns.Current!.Version;
        var rows = await factory.Services.GetRequiredService<PatternStore>().MonthlyAsync(version, CancellationToken.None);

        var withheldSomewhere = 0;
        foreach (var (year, total) in summary.Where(s => s.Key != "unknown" && s.Value is not null))
        {
            var withheld = items.Where(p => years[p.Id].TryGetValue(year, out var c) && c is null).Select(p => p.Id).ToList();
            withheldSomewhere += withheld.Count;
            var rest = total!.Value - items.Sum(p => years[p.Id].GetValueOrDefault(year) ?? 0);
            Assert.True(rest is 0 or >= 10, $"{year}: the summary less the patterns' years gives {rest}");
            if (withheld.Count == 1)
            {
                var truth = rows.Where(r => r.PatternId == withheld[0] && r.Month.StartsWith(year, StringComparison.Ordinal)).Sum(r => r.Cases);
                Assert.NotEqual(truth, rest);
            }
        }
        Assert.True(withheldSomewhere > 0, "no pattern withholds a year of a released summary year: the test shows nothing");
    }
}
