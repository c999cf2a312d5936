using System.Net;
using Analytics.Api.Links;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Core.Synthetic;
using Analytics.Data.ApiKeys;
using Analytics.Data.Links;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.Links;

public sealed class GeneratedLinksTests : IClassFixture<AnalyticsFactory>
{
    private readonly AnalyticsFactory _factory;
    private readonly ITestOutputHelper _output;

    public GeneratedLinksTests(AnalyticsFactory factory, ITestOutputHelper output)
    {
        _factory = factory;
        _output = output;
    }

    [Fact]
    public async Task ComputeLinks_FindsEveryPlantedLinkAndNoOther_OnGeneratedCases()
    {
        var seeded = await LinkTestData.SeedAsync(_factory, new GeneratorOptions { Seed = 11, Count = 800, LinkShare = 0.1 });
        var result = await _factory.Services.GetRequiredService<LinkJobs>().ComputeLinksAsync(CancellationToken.None);
        var groups = await _factory.Services.GetRequiredService<LinkStore>().GroupMembersAsync(CancellationToken.None);

        // Expected groups: planted links joined wherever they share a case.
        var expected = new Dictionary<string, string>();
        string Root(string id) => expected.TryGetValue(id, out var p) && p != id ? expected[id] = Root(p) : id;
        foreach (var link in seeded.Dataset.GroundTruth.Links)
        {
            var ids = link.CaseKeys.Select(k => seeded.CaseIds[k]).ToList();
            foreach (var id in ids) expected.TryAdd(id, id);
            foreach (var id in ids.Skip(1)) expected[Root(id)] = Root(ids[0]);
        }
        var expectedGroups = expected.Keys.GroupBy(Root).Select(g => string.Join(' ', g.Order(StringComparer.Ordinal))).ToHashSet();
        var actualGroups = groups.Values.Select(g => string.Join(' ', g.Order(StringComparer.Ordinal))).ToHashSet();

        var groupOf = groups.SelectMany(g => g.Value.Select(c => (Case: c, Group: g.Key))).ToDictionary(x => x.Case, x => x.Group);
        var recalled = seeded.Dataset.GroundTruth.Links.Count(l =>
            l.CaseKeys.Select(k => groupOf.GetValueOrDefault(seeded.CaseIds[k])).Distinct().Count() == 1 && groupOf.ContainsKey(seeded.CaseIds[l.CaseKeys[0]]));
        var precise = actualGroups.Count(expectedGroups.Contains);
        _output.WriteLine($"planted links {seeded.Dataset.GroundTruth.Links.Count}, recall {recalled / (double)seeded.Dataset.GroundTruth.Links.Count:F3}; " +
                          $"groups {actualGroups.Count}, precision {precise / (double)Math.Max(actualGroups.Count, 1):F3}; job: {result}");

        Assert.True(seeded.Dataset.GroundTruth.Links.Count >= 50, $"{seeded.Dataset.GroundTruth.Links.Count} planted links");
        Assert.Equal(seeded.Dataset.GroundTruth.Links.Count, recalled);
        Assert.Equal(expectedGroups.OrderBy(g => g), actualGroups.OrderBy(g => g));
        Assert.Contains(seeded.Dataset.GroundTruth.Links, l => l.IdentifierType == "phone");
    }

}

/// <summary>A fresh database of its own: the summary counts every stored group.</summary>
public sealed class LinkSummaryTests : IClassFixture<AnalyticsFactory>
{
    private readonly AnalyticsFactory _factory;
    private readonly ITestOutputHelper _output;

    public LinkSummaryTests(AnalyticsFactory factory, ITestOutputHelper output)
    {
        _factory = factory;
        _output = output;
    }

    [Fact]
    public async Task Summary_CountsCrossBorderGroupsWithDisclosureControl_ForAnalysts()
    {
        await LinkTestData.SeedAsync(_factory, new GeneratorOptions { Seed = 12, Count = 1500, LinkShare = 0.2 });
        await _factory.Services.GetRequiredService<LinkJobs>().ComputeLinksAsync(CancellationToken.None);
        var analyst = await _factory.ClientForAsync(Roles.Analyst);

        var response = await analyst.GetAsync("/api/v1/links/summary");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = await response.ReadAsync<LinkSummary>();
        _output.WriteLine(await response.Content.ReadAsStringAsync());

        Assert.False(summary.CrossBorderGroups.Suppressed);
        Assert.True(summary.CrossBorderGroups.Count >= summary.DisclosureThreshold);
        Assert.NotEmpty(summary.Cells);
        Assert.All(summary.Cells, c => Assert.True(c.Suppressed ? c.Groups is null : c.Groups >= summary.DisclosureThreshold));
        Assert.NotEqual(1, summary.Cells.Count(c => c.Suppressed));
        Assert.Contains(summary.Cells, c => !c.Suppressed);
        Assert.All(summary.Cells, c => Assert.True(string.CompareOrdinal(c.JurisdictionA, c.JurisdictionB) < 0));
    }
}
