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

    // The summary's cases of no known year, less the cases of no known month that the released patterns give (each
    // pattern's size less its dated cases, where its plan gives them all), are the rest of them: that must not be a small
    // count either. Here every case is dated in 2023 except 12 of one pattern, 3 of a second and 4 of a third: the second and
    // third patterns' plans withhold their whole series (3 and 4 would follow from their sizes), but the summary's 19
    // less the first pattern's 12 gave the 7 they hold together.
    [Fact]
    public async Task TheSummarysUnknownYear_LessThePatternsUndatedCases_GivesNoSmallCount()
    {
        using var factory = new AnalyticsFactory();
        _ = factory.Server;
        var dataset = new Core.Synthetic.CaseGenerator(new Core.Synthetic.GeneratorOptions
        {
            Seed = 11, Count = 800, StartMonth = "2023-01", EndMonth = "2023-12",
        }).Run();
        var planted = dataset.Cases.Where(c => c.PatternId != Core.Synthetic.PlantedPatterns.NoiseId).GroupBy(c => c.PatternId)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Take(3).ToList();
        var undated = planted[0].Take(12).Concat(planted[1].Take(3)).Concat(planted[2].Take(4)).Select(c => c.Case).ToHashSet();
        var ingestion = factory.Services.GetRequiredService<Data.Ingestion.CaseIngestion>();
        var writes = dataset.Cases.Select(c => undated.Contains(c.Case) ? c.Case with { OffencePeriod = null } : c.Case)
            .Select(c => ingestion.Prepare(c, null).Case?.Write ?? throw new InvalidOperationException("generated case rejected")).ToList();
        await factory.Services.GetRequiredService<Data.Cases.CaseStore>().UpsertAsync(writes, CancellationToken.None);
        await factory.Services.GetRequiredService<LearningJobs>().TrainAllAsync(CancellationToken.None);
        var analyst = await factory.ClientForAsync(Roles.Analyst);

        var summary = (await analyst.GetFromJsonAsync<JsonElement>("/api/v1/insights/summary")).GetProperty("dimensions").GetProperty("year").EnumerateArray()
            .ToDictionary(y => y.GetProperty("key").GetString()!, y => y.GetProperty("count").ValueKind == JsonValueKind.Number ? y.GetProperty("count").GetInt32() : (int?)null);
        var items = (await analyst.GetFromJsonAsync<PatternPage>("/api/v1/patterns?pageSize=100"))!.Items;
        // What an analyst can work out of each pattern's cases of no known month: its size less its years, where all are shown.
        var undatedOf = new Dictionary<int, int>();
        foreach (var p in items)
        {
            var years = (await analyst.GetFromJsonAsync<PatternTrend>($"/api/v1/patterns/{p.Id}/trend?interval=year"))!.Points;
            if (years.All(y => y.Cases is not null)) undatedOf[p.Id] = p.Size - years.Sum(y => y.Cases!.Value);
        }
        Assert.Contains(undatedOf.Values, n => n >= 10); // the first pattern's 12 are given
        Assert.True(items.Count - undatedOf.Count >= 1, "every pattern gives its undated cases: the test shows nothing");

        if (summary.GetValueOrDefault("unknown") is { } unknown)
        {
            var rest = unknown - undatedOf.Values.Sum();
            Assert.True(rest is 0 or >= 10, $"the summary's {unknown} cases of no known year less the patterns' {undatedOf.Values.Sum()} give {rest}");
        }
    }

    // A year that a pattern's plan withholds as a year may still follow from its months (the year was withheld beside
    // another year's small count, the months were not). The summary's year less the other patterns' years is then that
    // pattern's year and the rest, and an analyst who adds up the months has the rest: here 93 − 40 − 50, the 3 cases of the
    // year outside the released patterns.
    [Fact]
    public void AYearThePlanWithholds_ButItsMonthsGive_CountsAsGiven()
    {
        const int k = 10;
        int M(int year, int month) => year * 12 + month - 1;
        var a = new Dictionary<int, int>
        {
            [M(2021, 2)] = 4,
            [M(2022, 1)] = 10, [M(2022, 4)] = 20, [M(2022, 7)] = 15, [M(2022, 10)] = 15,
            [M(2023, 1)] = 12, [M(2023, 4)] = 13, [M(2023, 7)] = 12, [M(2023, 10)] = 13,
        };
        var b = new Dictionary<int, int> { [M(2023, 3)] = 40 };
        var plans = new Dictionary<int, Core.Disclosure.SeriesPlan> { [1] = Core.Disclosure.SeriesRelease.Plan(a, [], k), [2] = Core.Disclosure.SeriesRelease.Plan(b, [], k) };
        Assert.Null(plans[1].Years[2023]);
        Assert.True(plans[1].Derivable(M(2023, 1), M(2024, 1)));
        Assert.Equal(50, plans[1].Months.Where(m => m.Key / 12 == 2023).Sum(m => m.Value!.Value)); // every month of 2023 is shown
        Assert.Equal(40, plans[2].Years[2023]);
        var truth = new Dictionary<(int, int), int> { [(1, 2021)] = 4, [(1, 2022)] = 60, [(1, 2023)] = 50, [(2, 2023)] = 40 };

        var withheld = SeriesPlans.YearsGivingAPatternsYear(new Dictionary<string, int> { ["2023"] = 93 }, truth, new Dictionary<int, int>(), "unknown",
            plans, new HashSet<int> { 1, 2 }, k);

        Assert.Contains("2023", withheld);
    }
}
