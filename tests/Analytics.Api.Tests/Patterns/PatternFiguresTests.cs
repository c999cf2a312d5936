using System.Net.Http.Json;
using Analytics.Api.Insights;
using Analytics.Api.Learning;
using Analytics.Api.Patterns;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Analytics.Data.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Patterns;

public sealed class PatternFiguresTests
{
    // A pattern's trend is read from aggregates that count the cases assigned to it since training. Its size and jurisdiction
    // counts are read from the same aggregates: the training's size, less or more than the trend's sum, gave the cases added
    // (or withdrawn) since, a count as small as one.
    [Fact]
    public async Task ThePublishedSizeAndJurisdictions_AreThoseOfTheAggregates_NotOfTheTraining_AfterCasesAreAdded()
    {
        using var factory = new AnalyticsFactory();
        await factory.SeedAndTrainAsync(new Core.Synthetic.GeneratorOptions { Seed = 5, Count = 1_200 });
        var serving = factory.Services.GetRequiredService<ModelServing>();
        var trained = serving.Patterns.Current!.Model.Patterns.Where(p => p.Profile is not null).ToDictionary(p => p.Id, p => p.Profile!.Size);

        await factory.SeedGeneratedAsync(new Core.Synthetic.GeneratorOptions { Seed = 6, Count = 60 });
        var jobs = factory.Services.GetRequiredService<LearningJobs>();
        await jobs.AssignPatternsAsync(CancellationToken.None);
        await jobs.RefreshAggregatesAsync(CancellationToken.None);

        var analyst = await factory.ClientForAsync(Roles.Analyst);
        var items = (await analyst.GetFromJsonAsync<PatternPage>("/api/v1/patterns?pageSize=100"))!.Items;
        var rows = await factory.Services.GetRequiredService<PatternStore>().MonthlyAsync(serving.Patterns.Current!.Version, CancellationToken.None);
        Assert.NotEmpty(items);
        Assert.Contains(items, p => p.Size != trained[p.Id]);
        foreach (var p in items)
        {
            Assert.Equal(rows.Where(r => r.PatternId == p.Id).Sum(r => r.Cases), p.Size);
            foreach (var cell in p.Jurisdictions.Where(c => !c.Suppressed))
                Assert.Equal(rows.Where(r => r.PatternId == p.Id && r.Jurisdiction == cell.Key).Sum(r => r.Cases), cell.Count);
            // Where the trend shows every month, it adds up to the size the list publishes, as both count the same cases.
            var trend = (await analyst.GetFromJsonAsync<PatternTrend>($"/api/v1/patterns/{p.Id}/trend"))!;
            var undated = rows.Where(r => r.PatternId == p.Id && r.Month == PatternStore.UnknownMonth).Sum(r => r.Cases);
            if (trend.Points.All(t => !t.Suppressed)) Assert.Equal(p.Size - undated, trend.Points.Sum(t => t.Cases ?? 0));
        }
    }
}
