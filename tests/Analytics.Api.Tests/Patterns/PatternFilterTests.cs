using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Api.Learning;
using Analytics.Api.Patterns;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Core.Disclosure;
using Analytics.Data.ApiKeys;
using Analytics.Data.Database;
using Analytics.Data.Patterns;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Patterns;

/// <summary>GET /patterns with filters and sparklines: narrowed counts equal the stored cases, and small ones are withheld.</summary>
public sealed class PatternFilterTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static bool _ready;

    private async Task<(HttpClient Analyst, string Version)> ReadyAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (!_ready)
            {
                await factory.SeedGeneratedAsync(800, seed: 11);
                var jobs = factory.Services.GetRequiredService<LearningJobs>();
                await jobs.TrainAsync(ModelNames.Patterns, CancellationToken.None);
                await jobs.AssignPatternsAsync(CancellationToken.None);
                await jobs.RefreshAggregatesAsync(CancellationToken.None);
                _ready = true;
            }
        }
        finally
        {
            Once.Release();
        }
        var analyst = await factory.ClientForAsync(Roles.Analyst);
        return (analyst, factory.Services.GetRequiredService<ModelServing>().Patterns.Current!.Version);
    }

    /// <summary>Cases per pattern that match a jurisdiction (and optionally one month), straight from the case tables.</summary>
    private async Task<Dictionary<int, int>> StoredCountsAsync(string version, string jurisdiction, string? month = null)
    {
        await using var connection = await factory.Services.GetRequiredService<Db>().OpenAsync(CancellationToken.None);
        var rows = await connection.QueryAsync<(long Pattern, long Cases)>(new CommandDefinition("""
            SELECT p.pattern_id, COUNT(*) FROM case_patterns p JOIN cases c ON c.id = p.case_id
            WHERE c.status = 'active' AND p.model_version = @version AND c.jurisdiction = @jurisdiction
              AND (@month IS NULL OR c.period_from = @month)
            GROUP BY p.pattern_id
            """, new { version, jurisdiction, month }));
        return rows.ToDictionary(r => (int)r.Pattern, r => (int)r.Cases);
    }

    [Fact]
    public async Task List_CarriesATwelveMonthSparkline_PerPattern()
    {
        var (analyst, version) = await ReadyAsync();
        await using var connection = await factory.Services.GetRequiredService<Db>().OpenAsync(CancellationToken.None);
        var stored = (await connection.QueryAsync<(long Pattern, string Month, long Cases)>(new CommandDefinition("""
            SELECT p.pattern_id, c.period_from, COUNT(*) FROM case_patterns p JOIN cases c ON c.id = p.case_id
            WHERE c.status = 'active' AND p.model_version = @version AND c.period_from IS NOT NULL
            GROUP BY p.pattern_id, c.period_from
            """, new { version }))).ToDictionary(r => ((int)r.Pattern, r.Month), r => (int)r.Cases);

        var page = await analyst.GetFromJsonAsync<PatternPage>("/api/v1/patterns?pageSize=100");

        Assert.NotEmpty(page!.Items);
        Assert.Null(page.Filter);
        Assert.All(page.Items, p =>
        {
            Assert.Equal(PatternsApi.SparklineMonths, p.Sparkline.Count);
            Assert.Equal(p.Sparkline.Select(s => s.Period).Order(StringComparer.Ordinal), p.Sparkline.Select(s => s.Period));
            Assert.All(p.Sparkline, s => Assert.True(s.Suppressed ? s.Cases is null : s.Cases is 0 or >= 10, $"{p.Id} {s.Period} {s.Cases}"));
            Assert.All(p.Sparkline.Where(s => !s.Suppressed), s => Assert.Equal(stored.GetValueOrDefault((p.Id, s.Period)), s.Cases));
        });
        // The months as the trend shows them (one release plan for both), so neither gives what the other withholds.
        foreach (var p in page.Items)
        {
            var trend = (await analyst.GetFromJsonAsync<Analytics.Api.Insights.PatternTrend>($"/api/v1/patterns/{p.Id}/trend"))!.Points.ToDictionary(t => t.Period);
            Assert.All(p.Sparkline.Where(s => trend.ContainsKey(s.Period)), s => Assert.Equal(trend[s.Period], s));
            Assert.All(p.Sparkline.Where(s => !trend.ContainsKey(s.Period)), s => Assert.Equal(0, s.Cases));
        }
        Assert.Contains(page.Items, p => p.Sparkline.Any(s => s.Cases > 0 || s.Suppressed));
    }

    /// <summary>Per pattern, the sum of the record keys of its active cases of a jurisdiction, worked out from the case ids.</summary>
    private async Task<Dictionary<int, long>> StoredKeysAsync(string version, string jurisdiction)
    {
        var keys = factory.Services.GetRequiredService<Analytics.Data.Insights.CellKeys>();
        await using var connection = await factory.Services.GetRequiredService<Db>().OpenAsync(CancellationToken.None);
        var rows = await connection.QueryAsync<(long Pattern, string Id)>(new CommandDefinition("""
            SELECT p.pattern_id, c.id FROM case_patterns p JOIN cases c ON c.id = p.case_id
            WHERE c.status = 'active' AND p.model_version = @version AND c.jurisdiction = @jurisdiction
            """, new { version, jurisdiction }));
        return rows.GroupBy(r => (int)r.Pattern).ToDictionary(g => g.Key, g => g.Sum(r => (long)keys.Of(r.Id)));
    }

    [Fact]
    public async Task Jurisdiction_NarrowsEachPatternToThePerturbedStoredCount_OrWithholdsIt()
    {
        var (analyst, version) = await ReadyAsync();
        var stored = await StoredCountsAsync(version, "RO");
        var keys = await StoredKeysAsync(version, "RO");

        var page = await analyst.GetFromJsonAsync<PatternPage>("/api/v1/patterns?jurisdiction=RO&pageSize=100");

        Assert.Equal("RO", page!.Filter!.Jurisdiction);
        Assert.NotEmpty(page.Items);
        var k = page.DisclosureThreshold;
        Assert.All(page.Items, p =>
        {
            var expected = stored.GetValueOrDefault(p.Id);
            Assert.True(expected > 0, $"pattern {p.Id} listed without RO cases");
            if (p.Matching!.Suppressed) Assert.Null(p.Matching.Cases);
            else
            {
                // The count of exactly these cases, moved by their cell key: the record keys worked out here from the case
                // ids give the noise the aggregates gave.
                Assert.InRange(p.Matching.Cases!.Value, Math.Max(k, expected - 2), expected + 2);
                Assert.Equal(CellKeyPerturbation.Apply(expected, CellKeyPerturbation.CellKey(keys[p.Id]), k, CellKeyPerturbation.DefaultRange), p.Matching.Cases);
            }
            if (expected < k) Assert.True(p.Matching.Suppressed, $"pattern {p.Id}: {expected} cases released");
        });
        Assert.Equal(stored.Count(s => s.Value > 0 && page.Items.Any(p => p.Id == s.Key)), page.Items.Count);
        Assert.Contains(page.Items, p => p.Matching!.Cases >= page.DisclosureThreshold);
    }

    [Theory]
    [InlineData("exploitationType=sexual")]
    [InlineData("exploitationType=labour")]
    [InlineData("jurisdiction=RO")]
    [InlineData("from=2000")]
    public async Task AFilteredCount_IsWithheld_WhenThePatternsOtherCasesAreFewerThanK(string query)
    {
        var (analyst, version) = await ReadyAsync();
        var filter = query.Split('=') switch
        {
            ["exploitationType", var type] => new PatternFilter(ExploitationType: type),
            ["jurisdiction", var code] => new PatternFilter(Jurisdiction: code),
            ["from", var year] => new PatternFilter(From: year + "-01"),
            _ => throw new ArgumentException(query),
        };
        // The rule is decided on the true counts (the aggregates); the list shows them perturbed.
        var truth = await TrueCountsAsync(version, filter);

        var page = (await analyst.GetFromJsonAsync<PatternPage>($"/api/v1/patterns?{query}&pageSize=100"))!;

        Assert.All(page.Items.Where(p => !p.Matching!.Suppressed), p =>
        {
            var count = truth.GetValueOrDefault(p.Id);
            Assert.True(p.Size - count is 0 or >= 10, $"pattern {p.Id}: {count} of {p.Size}");
            Assert.InRange(p.Matching!.Cases!.Value, count - 2, count + 2);
        });
    }

    private async Task<Dictionary<int, int>> TrueCountsAsync(string version, PatternFilter filter) =>
        (await factory.Services.GetRequiredService<PatternStore>().CountsAsync(version, filter, CancellationToken.None))
            .GroupBy(c => c.PatternId).ToDictionary(g => g.Key, g => g.Sum(c => c.Cases));

    [Fact]
    public async Task Matching_IsTheSameForTwoFiltersThatCountTheSameCases_AndMovedFromTheTrueCounts()
    {
        var (analyst, version) = await ReadyAsync();
        var truth = await TrueCountsAsync(version, new PatternFilter(From: "0001-01"));

        // Every case with a known month, asked two ways: the same cases, so the same cell key and the same released count.
        var fromFirstYear = (await analyst.GetFromJsonAsync<PatternPage>("/api/v1/patterns?from=0001&pageSize=100"))!;
        var toLastYear = (await analyst.GetFromJsonAsync<PatternPage>("/api/v1/patterns?to=9999&pageSize=100"))!;
        var again = (await analyst.GetFromJsonAsync<PatternPage>("/api/v1/patterns?to=9999&pageSize=100"))!;

        var released = fromFirstYear.Items.Where(p => !p.Matching!.Suppressed).ToList();
        Assert.NotEmpty(released);
        Assert.Equal(2, fromFirstYear.PerturbationRange);
        Assert.Equal(fromFirstYear.Items.Select(p => (p.Id, p.Matching)), toLastYear.Items.Select(p => (p.Id, p.Matching)));
        Assert.Equal(toLastYear.Items.Select(p => (p.Id, p.Matching)), again.Items.Select(p => (p.Id, p.Matching)));
        // With the jurisdiction and type filters too, released counts are moved (two thirds of the noises are not 0).
        var pairs = released.Select(p => (Released: p.Matching!.Cases!.Value, True: truth[p.Id])).ToList();
        foreach (var (query, filter) in new[] { ("jurisdiction=RO", new PatternFilter(Jurisdiction: "RO")), ("exploitationType=sexual", new PatternFilter(ExploitationType: "sexual")) })
        {
            var counts = await TrueCountsAsync(version, filter);
            var page = (await analyst.GetFromJsonAsync<PatternPage>($"/api/v1/patterns?{query}&pageSize=100"))!;
            pairs.AddRange(page.Items.Where(p => !p.Matching!.Suppressed).Select(p => (p.Matching!.Cases!.Value, counts[p.Id])));
        }
        Assert.Contains(pairs, o => o.Released != o.True);
    }

    [Fact]
    public void TheComplementRule_WithholdsACountTheSmallCountRuleAloneWouldRelease()
    {
        var cells = new[] { ("1", 220), ("2", 40), ("3", 35) };

        var plain = Analytics.Core.Disclosure.DisclosureControl.Release(cells, 10);
        var withRest = Analytics.Core.Disclosure.DisclosureControl.Release(cells, 10, withhold: new HashSet<string> { "1" });

        Assert.All(plain, c => Assert.False(c.Suppressed));
        // Pattern 1 (size 225, 220 matching) is withheld, and one more cell with it so that the total does not give it back.
        Assert.True(withRest.Single(c => c.Key == "1").Suppressed);
        Assert.Equal(2, withRest.Count(c => c.Suppressed));
    }

    [Fact]
    public async Task FilterIsolatingFewCases_ReturnsSuppressedCounts_NotTheCount()
    {
        var (analyst, version) = await ReadyAsync();
        await using var connection = await factory.Services.GetRequiredService<Db>().OpenAsync(CancellationToken.None);
        // The RO month with the fewest cases (at least one): any pattern's share of it is below k.
        var month = await connection.QuerySingleAsync<string>(new CommandDefinition("""
            SELECT period_from FROM cases WHERE jurisdiction = 'RO' AND period_from IS NOT NULL AND status = 'active'
            GROUP BY period_from ORDER BY COUNT(*), period_from LIMIT 1
            """));
        var stored = await StoredCountsAsync(version, "RO", month);
        Assert.All(stored.Values, v => Assert.True(v < 10));

        var response = await analyst.GetAsync($"/api/v1/patterns?jurisdiction=RO&from={month}&to={month}&pageSize=100");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = JsonSerializer.Deserialize<PatternPage>(body, JsonSerializerOptions.Web)!;
        Assert.Equal(stored.Count, page.Items.Count);
        Assert.All(page.Items, p => Assert.Equal(new FilteredCount(null, true), p.Matching));

        var csv = await analyst.GetStringAsync($"/api/v1/patterns?jurisdiction=RO&from={month}&to={month}&format=csv");
        Assert.StartsWith("id,label,size,matching,firstSeen,lastSeen\n", csv);
        Assert.Equal(stored.Count, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Count(l => l.Contains(",< 10,", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task InvalidFilter_IsAProblemNamingEachParameter()
    {
        var analyst = await factory.ClientForAsync(Roles.Analyst);

        var response = await analyst.GetAsync("/api/v1/patterns?from=2024-13&to=last&jurisdiction=XX&exploitationType=theft&ageBand=9-99");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal(["/ageBand", "/exploitationType", "/from", "/jurisdiction", "/to"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
    }
}
