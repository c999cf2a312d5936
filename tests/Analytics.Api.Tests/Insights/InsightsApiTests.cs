using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Api.Insights;
using Analytics.Api.Learning;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Core.Disclosure;
using Analytics.Core.Synthetic;
using Analytics.Data.ApiKeys;
using Analytics.Data.Insights;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Insights;

/// <summary>Generated cases with one planted emerging pattern (its rate triples in the final quarter), trained once.</summary>
public sealed class InsightsFixture : IAsyncLifetime
{
    public AnalyticsFactory Factory { get; } = new();
    public HttpClient Analyst { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Factory.SeedGeneratedAsync(new GeneratorOptions { Seed = 21, Count = 1_600, EmergingPatternId = "boys-criminality-bg-at" });
        var jobs = Factory.Services.GetRequiredService<LearningJobs>();
        await jobs.TrainAllAsync(CancellationToken.None);
        Analyst = await Factory.ClientForAsync(Roles.Analyst);
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class InsightsApiTests(InsightsFixture fixture) : IClassFixture<InsightsFixture>
{
    private HttpClient Analyst => fixture.Analyst;

    [Theory]
    [InlineData("0001-05", "0001-01")]
    [InlineData("9999-12", "9999-01")]
    public async Task PatternList_AtTheEdgesOfTheCalendar_StartsItsWindowWhereMonthsExist(string to, string firstMonth)
    {
        var response = await Analyst.GetAsync($"/api/v1/patterns?to={to}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // No case is that old, so nothing matches up to 0001-05; every pattern matches up to 9999-12.
        var items = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items");
        Assert.Equal(to.StartsWith("0001", StringComparison.Ordinal), items.GetArrayLength() == 0);
        foreach (var sparkline in items.EnumerateArray().Select(i => i.GetProperty("sparkline")))
        {
            Assert.Equal(firstMonth, sparkline[0].GetProperty("period").GetString());
            Assert.Equal(to, sparkline[sparkline.GetArrayLength() - 1].GetProperty("period").GetString());
        }
    }

    [Fact]
    public async Task NothingAnAnalystReadsOfAPatternsMonths_GivesASmallCount_EvenByDifference()
    {
        var version = fixture.Factory.Services.GetRequiredService<ModelServing>().Patterns.Current!.Version;
        var rows = await fixture.Factory.Services.GetRequiredService<Data.Patterns.PatternStore>().MonthlyAsync(version, CancellationToken.None);
        var reports = new List<EmergingReport>();
        foreach (var recent in new[] { 3, 6, 12 })
            foreach (var baseline in new[] { 12, 24, 36 })
                reports.Add((await Analyst.GetFromJsonAsync<EmergingReport>($"/api/v1/insights/emerging?recentMonths={recent}&baselineMonths={baseline}"))!);

        // The pattern list narrowed to a time: every year, every month as a start or an end, single months, and ranges
        // of every length ending in the last month. Each shown count is the sum of the months from..to (unknown left out).
        var dated = rows.Where(r => r.Month != "unknown").Select(r => Index(r.Month)).ToList();
        var (dataFirst, dataLast) = (dated.Min(), Math.Min(dated.Max(), DateTime.UtcNow.Year * 12 + DateTime.UtcNow.Month - 1));
        var ranges = new List<(int? From, int? To)>();
        for (var y = dataFirst / 12; y <= dataLast / 12; y++) ranges.Add((y * 12, y * 12 + 11));
        for (var m = dataLast - 27; m <= dataLast; m++) ranges.AddRange([(m, null), (null, m), (m, m), (m, dataLast)]);
        var listed = await ListedAsync(null, ranges);
        var sizes = (await Analyst.GetFromJsonAsync<JsonElement>("/api/v1/patterns?pageSize=100")).GetProperty("items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("id").GetInt32(), i => i.GetProperty("size").GetInt32());
        Assert.Contains(listed, l => l.Counts.Count > 0);

        foreach (var pattern in reports[0].Patterns)
        {
            var months = rows.Where(r => r.PatternId == pattern.PatternId && r.Month != "unknown").GroupBy(r => Index(r.Month)).ToDictionary(g => g.Key, g => g.Sum(r => r.Cases));
            var byMonth = (await Analyst.GetFromJsonAsync<PatternTrend>($"/api/v1/patterns/{pattern.PatternId}/trend"))!.Points;
            var byQuarter = (await Analyst.GetFromJsonAsync<PatternTrend>($"/api/v1/patterns/{pattern.PatternId}/trend?interval=quarter"))!.Points;
            var byYear = (await Analyst.GetFromJsonAsync<PatternTrend>($"/api/v1/patterns/{pattern.PatternId}/trend?interval=year"))!.Points;
            // What an analyst holds: each shown month, quarter, year, window and narrowed count as a sum between two month boundaries.
            var known = new List<(int From, int To)>();
            known.AddRange(byMonth.Where(p => !p.Suppressed).Select(p => (Index(p.Period), Index(p.Period) + 1)));
            known.AddRange(byQuarter.Where(p => !p.Suppressed).Select(p => int.Parse(p.Period[..4]) * 12 + (p.Period[^1] - '1') * 3).Select(m => (m, m + 3)));
            known.AddRange(byYear.Where(p => !p.Suppressed).Select(p => int.Parse(p.Period) * 12).Select(m => (m, m + 12)));
            var (seriesFirst, seriesEnd) = (Index(byMonth[0].Period), Index(byMonth[^1].Period) + 1);
            foreach (var (listedFrom, listedTo, counts, _) in listed)
            {
                var (a, b) = (Math.Clamp(listedFrom, seriesFirst, seriesEnd), Math.Clamp(listedTo, seriesFirst, seriesEnd));
                if (counts.ContainsKey(pattern.PatternId) && a < b) known.Add((a, b));
            }
            foreach (var report in reports)
            {
                var e = report.Patterns.Single(x => x.PatternId == pattern.PatternId);
                var (recentFrom, recentTo) = (Index(report.RecentWindow[..7]), Index(report.RecentWindow[^7..]) + 1);
                var (baselineFrom, baselineTo) = (Index(report.BaselineWindow[..7]), Index(report.BaselineWindow[^7..]) + 1);
                if (e.RecentCases is not null) known.Add((recentFrom, recentTo));
                if (e.BaselineCases is not null) known.Add((baselineFrom, baselineTo));
            }
            AssertNothingSmallFollows($"pattern {pattern.PatternId}", months, known, sizes[pattern.PatternId]);
        }
    }

    [Fact]
    public async Task APatternListNarrowedToAJurisdiction_GivesNoSmallCountOfItsMonths_EvenByDifference()
    {
        var version = fixture.Factory.Services.GetRequiredService<ModelServing>().Patterns.Current!.Version;
        var rows = await fixture.Factory.Services.GetRequiredService<Data.Patterns.PatternStore>().MonthlyAsync(version, CancellationToken.None);
        var jurisdiction = rows.GroupBy(r => r.Jurisdiction).OrderByDescending(g => g.Sum(r => r.Cases)).First().Key;
        var narrowed = rows.Where(r => r.Jurisdiction == jurisdiction).ToList();
        var dated = narrowed.Where(r => r.Month != "unknown").Select(r => Index(r.Month)).ToList();
        var last = Math.Min(dated.Max(), DateTime.UtcNow.Year * 12 + DateTime.UtcNow.Month - 1);
        var ranges = new List<(int? From, int? To)>();
        for (var y = dated.Min() / 12; y <= last / 12; y++) ranges.Add((y * 12, y * 12 + 11));
        for (var m = last - 27; m <= last; m++) ranges.AddRange([(m, null), (null, m), (m, m), (m, last)]);

        var listed = await ListedAsync($"jurisdiction={jurisdiction}", ranges);
        var totals = await ListedAsync($"jurisdiction={jurisdiction}", [(null, null)]);

        Assert.Contains(listed, l => l.Counts.Count > 0);
        foreach (var patternId in narrowed.Select(r => r.PatternId).Distinct())
        {
            var months = narrowed.Where(r => r.PatternId == patternId && r.Month != "unknown").GroupBy(r => Index(r.Month)).ToDictionary(g => g.Key, g => g.Sum(r => r.Cases));
            if (months.Count == 0) continue;
            var (first, end) = (months.Keys.Min(), months.Keys.Max() + 1);
            var known = new List<(int From, int To)>();
            foreach (var (from, to, counts, sparklines) in listed)
            {
                var (a, b) = (Math.Clamp(from, first, end), Math.Clamp(to, first, end));
                if (counts.ContainsKey(patternId) && a < b) known.Add((a, b));
                if (sparklines.TryGetValue(patternId, out var shown)) known.AddRange(shown.Select(m => (m, m + 1)));
            }
            AssertNothingSmallFollows($"pattern {patternId} in {jurisdiction}", months, known, totals[0].Counts.TryGetValue(patternId, out var total) ? total : null);
        }
    }

    private static int Index(string month) => int.Parse(month[..4]) * 12 + int.Parse(month[5..7]) - 1;

    private static string Month(int index) => $"{index / 12:D4}-{index % 12 + 1:D2}";

    /// <summary>
    /// The pattern list under <paramref name="filter"/> and each time range: the shown counts by pattern (a range of month
    /// numbers, the end excluded; no bound is far away) and the months each pattern's sparkline shows with a count.
    /// </summary>
    private async Task<List<(int From, int To, Dictionary<int, int> Counts, Dictionary<int, List<int>> Sparklines)>> ListedAsync(
        string? filter, IEnumerable<(int? From, int? To)> ranges)
    {
        var listed = new List<(int, int, Dictionary<int, int>, Dictionary<int, List<int>>)>();
        foreach (var (from, to) in ranges.Distinct())
        {
            var query = string.Join("&", new[] { filter, from is { } f ? $"from={Month(f)}" : null, to is { } t ? $"to={Month(t)}" : null, "pageSize=100" }.OfType<string>());
            var items = (await Analyst.GetFromJsonAsync<JsonElement>($"/api/v1/patterns?{query}")).GetProperty("items").EnumerateArray().ToList();
            var counts = items.Where(i => i.TryGetProperty("matching", out var c) && c.ValueKind == JsonValueKind.Object && c.GetProperty("cases").ValueKind == JsonValueKind.Number)
                .ToDictionary(i => i.GetProperty("id").GetInt32(), i => i.GetProperty("matching").GetProperty("cases").GetInt32());
            var sparklines = items.ToDictionary(i => i.GetProperty("id").GetInt32(), i => i.GetProperty("sparkline").EnumerateArray()
                .Where(p => !p.GetProperty("suppressed").GetBoolean()).Select(p => Index(p.GetProperty("period").GetString()!)).ToList());
            listed.Add((from ?? int.MinValue / 2, to is { } end ? end + 1 : int.MaxValue / 2, counts, sparklines));
        }
        return listed;
    }

    /// <summary>
    /// Boundaries joined by known sums (months outside the series hold none): the sum between any two of a group is
    /// known, and it is made of the sums between neighbours in the group, so those must each be 0 or at least k. Where
    /// the whole series follows, the published total (<paramref name="total"/>, when shown) less it gives the cases of
    /// no known month, which must be 0 or at least k too.
    /// </summary>
    private static void AssertNothingSmallFollows(string what, Dictionary<int, int> months, List<(int From, int To)> known, int? total)
    {
        var (first, end) = (months.Keys.Min(), months.Keys.Max() + 1);
        var (from, to) = (Math.Min(first, known.Count == 0 ? first : known.Min(k => k.From)) - 3, Math.Max(end, known.Count == 0 ? end : known.Max(k => k.To)) + 3);
        for (var m = from; m < to; m++)
            if (m < first || m >= end) known.Add((m, m + 1));
        var group = known.SelectMany(k => new[] { k.From, k.To }).Distinct().ToDictionary(x => x, x => x);
        int Root(int x) => group[x] == x ? x : group[x] = Root(group[x]);
        foreach (var (a, b) in known) group[Root(a)] = Root(b);
        foreach (var members in group.Keys.GroupBy(Root).Select(g => g.Order().ToList()))
        {
            for (var i = 1; i < members.Count; i++)
            {
                var sum = Enumerable.Range(members[i - 1], members[i] - members[i - 1]).Sum(m => months.GetValueOrDefault(m));
                Assert.True(sum is 0 or >= 10, $"{what}: months {members[i - 1]}..{members[i] - 1} hold {sum}, which the views give by difference");
            }
            // The total less what the group spans: the months outside it with the cases of no known month.
            var spanned = Enumerable.Range(members[0], members[^1] - members[0]).Sum(m => months.GetValueOrDefault(m));
            if (total is { } all && spanned > 0)
                Assert.True(all - spanned is 0 or >= 10, $"{what}: its total less months {members[0]}..{members[^1] - 1} gives {all - spanned}");
        }
        if (total is { } t && group.ContainsKey(first) && group.ContainsKey(end) && Root(first) == Root(end))
        {
            var unknown = t - months.Values.Sum();
            Assert.True(unknown is 0 or >= 10, $"{what}: its total less its months gives {unknown} cases of no known month");
        }
    }

    [Fact]
    public async Task Emerging_FlagsPlantedRateStep_AndNotStablePatterns()
    {
        var report = await Analyst.GetFromJsonAsync<EmergingReport>("/api/v1/insights/emerging");

        Assert.NotNull(report);
        Assert.Contains("Poisson", report.Test);
        var planted = report.Patterns.Single(p => p.Label.Contains("BG→AT", StringComparison.Ordinal));
        Assert.True(planted.Emerging == true, $"p = {planted.PValue}");
        Assert.True(planted.PValue < 1e-4);
        var stable = report.Patterns.Where(p => !p.Label.Contains("BG→AT", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(stable);
        Assert.All(stable, p => Assert.True(p.Emerging != true, $"{p.Label} flagged with p = {p.PValue}"));
        Assert.All(report.Patterns, p => Assert.True(p.RecentCases is null or >= 10));
    }

    [Fact]
    public async Task Emerging_WithholdsThePValueAndVerdict_OfAPatternWithAWithheldCount_AndListsItAfterTheTestedOnes()
    {
        // Over one recent month most patterns have fewer than k cases; over 12 most have more.
        var months = new[] { 3, 6, 12 };
        var reports = new List<EmergingReport>();
        foreach (var recent in months)
            reports.Add((await Analyst.GetFromJsonAsync<EmergingReport>($"/api/v1/insights/emerging?recentMonths={recent}&baselineMonths=12"))!);

        var withheld = reports.SelectMany(r => r.Patterns).Where(p => p.RecentCases is null || p.BaselineCases is null).ToList();
        var tested = reports.SelectMany(r => r.Patterns).Where(p => p.RecentCases is not null && p.BaselineCases is not null).ToList();
        Assert.NotEmpty(withheld);
        Assert.NotEmpty(tested);
        Assert.All(withheld, p => Assert.True(p.PValue is null && p.Emerging is null && p.RateRatio is null, $"{p.Label}: p = {p.PValue}"));
        Assert.All(tested, p => Assert.True(p.PValue is >= 0 and <= 1 && p.Emerging is not null, p.Label));
        foreach (var report in reports)
        {
            var order = report.Patterns.Select(p => p.PValue is null).ToList();
            Assert.Equal(order.OrderBy(x => x), order);
            var untested = report.Patterns.Where(p => p.PValue is null).Select(p => p.PatternId).ToList();
            Assert.Equal(untested.Order(), untested);
        }

        var csv = await Analyst.GetStringAsync("/api/v1/insights/emerging?recentMonths=3&format=csv");
        var withheldRow = csv.Split('\n').Skip(1).FirstOrDefault(l => l.Contains("< 10", StringComparison.Ordinal));
        if (withheldRow is not null) Assert.EndsWith(",,", withheldRow.TrimEnd('\r'));
        // The verdict reads as in the JSON answer: true or false (or empty when withheld).
        var verdicts = csv.Split('\n').Skip(1).Where(l => l.Length > 0).Select(l => l.TrimEnd('\r')[(l.TrimEnd('\r').LastIndexOf(',') + 1)..]).ToList();
        Assert.NotEmpty(verdicts);
        Assert.All(verdicts, v => Assert.Contains(v, new[] { "true", "false", "" }));
        Assert.Contains(verdicts, v => v.Length > 0);
    }

    [Theory]
    [InlineData("recentMonths=4")]
    [InlineData("baselineMonths=13")]
    [InlineData("alpha=0.02")]
    public async Task Emerging_TakesOnlyItsFixedWindowsAndLevels(string query)
    {
        var response = await Analyst.GetAsync("/api/v1/insights/emerging?" + query);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("/" + query.Split('=')[0], await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Summary_ReleasesDisclosureControlledCounts_ForEveryDimension()
    {
        var summary = await Analyst.GetFromJsonAsync<SummaryReport>("/api/v1/insights/summary");

        Assert.NotNull(summary);
        Assert.Equal(InsightStore.Dimensions.Order(), summary.Dimensions.Keys.Order());
        foreach (var (dimension, cells) in summary.Dimensions)
        {
            Assert.NotEmpty(cells);
            Assert.All(cells, c => Assert.True(c.Suppressed ? c.Count is null : c.Count is 0 or >= 10, $"{dimension}/{c.Key}"));
            Assert.NotEqual(1, cells.Count(c => c.Suppressed));
        }
        Assert.True(summary.Dimensions["exploitationType"].Single(c => c.Key == "sexual").Count >= 100);
    }

    [Fact]
    public async Task Routes_SuppressFlowsBelowK_WhenAFilterNarrowsToFewCases()
    {
        var store = fixture.Factory.Services.GetRequiredService<InsightStore>();
        var raw = await store.RoutesAsync(null, null, null, null, null, CancellationToken.None);
        var rare = raw.First(r => r.Cases is > 0 and < 10);

        var report = await Analyst.GetFromJsonAsync<RouteReport>($"/api/v1/insights/routes?origin={rare.Origin}&destination={rare.Destination}");

        var flow = report!.Flows.Single(f => f.Route == rare.Route);
        Assert.True(flow.Suppressed);
        Assert.Null(flow.Cases);
        var all = await Analyst.GetFromJsonAsync<RouteReport>("/api/v1/insights/routes");
        Assert.Contains(all!.Flows, f => f.Origin == "RO" && f.Destination == "IT" && f.Cases >= 10);
    }

    [Fact]
    public async Task Routes_YearBounds_LeaveOutCasesOfUnknownYear_WhicheverBoundIsGiven()
    {
        // One flow of its own (origin ZZ, left alone by the other tests), with 12 cases of 2020 and 3 of unknown year,
        // as the refresh job writes cases without an offence period.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={fixture.Factory.DatabasePath}"))
        {
            await connection.OpenAsync();
            var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO route_counts (route, origin, destination, year, exploitation_type, cases) VALUES
                ('ZZ→ZY', 'ZZ', 'ZY', '2020', 'sexual', 12), ('ZZ→ZY', 'ZZ', 'ZY', 'unknown', 'sexual', 3)
                """;
            await insert.ExecuteNonQueryAsync();
        }
        var store = fixture.Factory.Services.GetRequiredService<InsightStore>();
        async Task<int> SumAsync(string? from, string? to) =>
            (await store.RoutesAsync(from, to, null, "ZZ", null, CancellationToken.None)).Sum(r => r.Cases);

        // Otherwise "from" alone would count them and "to" would not, and the difference of two released totals would
        // be the unknown-year count.
        Assert.Equal(15, await SumAsync(null, null));
        Assert.Equal(12, await SumAsync("1000", null));
        Assert.Equal(12, await SumAsync(null, "9999"));
        Assert.Equal(12, await SumAsync("1000", "9999"));
    }

    [Fact]
    public async Task Routes_ArePerturbedByTheirCases_TheSameWhicheverYearRangeHoldsTheSameCases()
    {
        var store = fixture.Factory.Services.GetRequiredService<InsightStore>();
        var raw = (await store.RoutesAsync("1000", null, null, null, null, CancellationToken.None)).ToDictionary(r => r.Route);

        // Every case of a known year, asked two ways: the same cases in every flow, so the same released counts.
        var fromYear = (await Analyst.GetFromJsonAsync<RouteReport>("/api/v1/insights/routes?from=1000&limit=5000"))!;
        var toYear = (await Analyst.GetFromJsonAsync<RouteReport>("/api/v1/insights/routes?to=9999&limit=5000"))!;

        Assert.Equal(fromYear.Flows.Select(f => (f.Route, f.Cases, f.Suppressed)), toYear.Flows.Select(f => (f.Route, f.Cases, f.Suppressed)));
        // The report names the largest noise it applied, so a reader can say which figures are moved and by how much.
        Assert.Equal(2, fromYear.PerturbationRange);
        var released = fromYear.Flows.Where(f => !f.Suppressed).ToList();
        Assert.NotEmpty(released);
        Assert.All(released, f =>
        {
            var count = raw[f.Route].Cases;
            Assert.InRange(f.Cases!.Value, Math.Max(fromYear.DisclosureThreshold, count - 2), count + 2);
            Assert.Equal(CellKeyPerturbation.Apply(count, CellKeyPerturbation.CellKey(raw[f.Route].CellKey), fromYear.DisclosureThreshold, 2), f.Cases);
        });
        Assert.Contains(released, f => f.Cases != raw[f.Route].Cases);
    }

    [Fact]
    public async Task Routes_PageOnWithOffset_ThroughTheSameOrderedFlows()
    {
        var all = (await Analyst.GetFromJsonAsync<RouteReport>("/api/v1/insights/routes?limit=5000"))!;
        Assert.True(all.Total > 3, $"{all.Total} flows");
        Assert.Equal(all.Total, all.Flows.Count);

        var first = (await Analyst.GetFromJsonAsync<RouteReport>("/api/v1/insights/routes?limit=2"))!;
        var second = (await Analyst.GetFromJsonAsync<RouteReport>("/api/v1/insights/routes?limit=2&offset=2"))!;
        var past = (await Analyst.GetFromJsonAsync<RouteReport>($"/api/v1/insights/routes?offset={all.Total}"))!;

        Assert.Equal(all.Flows.Take(4).Select(f => f.Route), first.Flows.Concat(second.Flows).Select(f => f.Route));
        Assert.Equal((all.Total, 2), (second.Total, second.Offset));
        Assert.Empty(past.Flows);
        Assert.Equal(HttpStatusCode.BadRequest, (await Analyst.GetAsync("/api/v1/insights/routes?offset=-1")).StatusCode);
    }

    [Fact]
    public async Task Routes_ReturnProblem_ForInvalidFilter()
    {
        var response = await Analyst.GetAsync("/api/v1/insights/routes?from=last-year&origin=XX");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("/from", out _));
        Assert.True(errors.TryGetProperty("/origin", out _));
    }

    [Fact]
    public async Task SummaryCsv_WritesSuppressedCellsAsLessThanK()
    {
        var response = await Analyst.GetAsync("/api/v1/insights/summary?format=csv");
        var csv = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("dimension,value,cases\n", csv);
        var counts = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[^1]).ToList();
        Assert.All(counts, c => Assert.True(c == "< 10" || int.Parse(c) is 0 or >= 10, c));
    }

    [Fact]
    public async Task Trend_SumsToPatternSize_ByMonthAndQuarter()
    {
        var page = await Analyst.GetFromJsonAsync<Analytics.Api.Patterns.PatternPage>("/api/v1/patterns?pageSize=100");
        var pattern = page!.Items[0];

        var monthly = await Analyst.GetFromJsonAsync<PatternTrend>($"/api/v1/patterns/{pattern.Id}/trend");
        var quarterly = await Analyst.GetFromJsonAsync<PatternTrend>($"/api/v1/patterns/{pattern.Id}/trend?interval=quarter");

        Assert.True(monthly!.Points.Count > quarterly!.Points.Count);
        Assert.All(quarterly.Points, p => Assert.Matches(@"^\d{4}-Q[1-4]$", p.Period));
        Assert.True(quarterly.Points.Where(p => !p.Suppressed).Sum(p => p.Cases!.Value) <= pattern.Size);
        Assert.All(monthly.Points, p => Assert.True(p.Suppressed || p.Cases is 0 or >= 10));
    }

    [Fact]
    public async Task Match_FindsPlantedPattern_ForMatchingProfile()
    {
        var profile = new
        {
            victims = new[] { new { ageBand = "12-14", gender = "female", citizenship = "RO" } },
            suspects = new[] { new { role = "recruiter", relationToVictim = "intimate-partner" } },
            recruitmentChannels = new[] { "social-media" },
            meansOfControl = new[] { "psychological-abuse", "false-promises", "sexual-abuse" },
            routeCountries = new[] { "RO", "HU", "IT" },
            exploitationCountries = new[] { "IT" },
            evidenceKinds = new[] { "social-media-content", "chat-logs" },
            platforms = new[] { "instagram", "tiktok" },
            paymentChannels = new[] { "money-transfer-service" },
        };

        var response = await Analyst.PostAsJsonAsync("/api/v1/match", profile);
        var result = await response.ReadAsync<MatchResult>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("RO→IT", result.NearestPatterns[0].Label);
        Assert.Equal("sexual", result.ExploitationTypes[0].Class);
        Assert.NotNull(result.ChildVictimProbability);
    }

    [Fact]
    public async Task Match_ReturnsPointers_ForUnknownCodes()
    {
        var response = await Analyst.PostAsJsonAsync("/api/v1/match", new { victims = new[] { new { ageBand = "teen" } }, recruitmentChannels = new[] { "carrier-pigeon" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("/victims/0/ageBand", out _));
        Assert.True(errors.TryGetProperty("/recruitmentChannels/0", out _));
    }

    [Fact]
    public async Task Indicators_ListFeatureImportance_OfActiveClassifiers()
    {
        var models = await Analyst.GetFromJsonAsync<List<IndicatorModel>>("/api/v1/insights/indicators");
        Assert.Contains(models!, m => m.Model == "exploitation-type" && m.Indicators.Count > 0);
    }

    [Fact]
    public async Task Insights_AreForbidden_ToProsecutors()
    {
        var prosecutor = await fixture.Factory.ProsecutorAsync();
        foreach (var path in new[] { "/api/v1/insights/summary", "/api/v1/insights/routes", "/api/v1/insights/emerging", "/api/v1/insights/indicators" })
            Assert.Equal(HttpStatusCode.Forbidden, (await prosecutor.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await prosecutor.PostAsJsonAsync("/api/v1/match", new { })).StatusCode);
    }
}

/// <summary>A class the classifier learnt from fewer labelled cases than the disclosure threshold is not shown by /match.</summary>
public sealed class MatchRareClassTests : IDisposable
{
    private readonly AnalyticsFactory _factory = new();

    [Fact]
    public async Task Match_LeavesOutAClassLearntFromFewerThanKCases()
    {
        // 300 generated cases: the rarest types have a handful of cases each, as in real data.
        await _factory.SeedAndTrainAsync(new GeneratorOptions { Seed = 4, Count = 300 });
        var analyst = await _factory.ClientForAsync(Roles.Analyst);
        var model = _factory.Services.GetRequiredService<ModelServing>().ExploitationType.Current!.Model;

        var profile = new
        {
            victims = new[] { new { ageBand = "15-17", gender = "female", citizenship = "RO" } },
            suspects = new[] { new { role = "recruiter", relationToVictim = "intimate-partner" } },
            recruitmentChannels = new[] { "social-media" },
            meansOfControl = new[] { "psychological-abuse", "threats" },
            exploitationTypes = Array.Empty<string>(),
            routeCountries = new[] { "RO", "HU", "IT" },
            exploitationCountries = new[] { "IT" },
        };
        var result = await (await analyst.PostAsJsonAsync("/api/v1/match", profile)).ReadAsync<MatchResult>();

        var rare = model.Classes.Where(c => model.LabelledCases(c) is < 10).ToList();
        Assert.NotEmpty(rare);
        Assert.DoesNotContain(result.ExploitationTypes, t => rare.Contains(t.Class));
        Assert.NotEmpty(result.ExploitationTypes);
        Assert.All(result.ExploitationTypes, t => Assert.True(model.LabelledCases(t.Class) >= 10, $"{t.Class}: {model.LabelledCases(t.Class)} cases"));
    }

    public void Dispose() => _factory.Dispose();
}

