using System.Net.Http.Json;
using Analytics.Api.Links;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Links;

public sealed class LinkSummaryDisclosureTests
{
    // A group counts once in every jurisdiction pair it spans and for every identifier type that joins it, so the cells of
    // the summary do not add up to the published number of groups, and secondary suppression across them protects nothing
    // against it: the number of groups less a released cell is the number of groups outside that cell.
    //
    // Here 20 German-French groups share a phone, 8 of them an e-mail as well, and 3 Romanian-Italian groups share a phone.
    // The e-mail cell (8) and the Romanian-Italian cell (3) are withheld, and together they hold 11, so no other cell is;
    // but the 23 groups less the 20 of the German-French phone cell are the 3 the Romanian-Italian cell withholds.
    [Fact]
    public async Task TheNumberOfGroups_LessAReleasedCell_GivesNoWithheldCellAndNoSmallCount()
    {
        using var factory = new AnalyticsFactory();
        var de = await factory.ProsecutorAsync("DE");
        var fr = await factory.ProsecutorAsync("FR");
        var ro = await factory.ProsecutorAsync("RO");
        var it = await factory.ProsecutorAsync("IT");
        for (var i = 0; i < 20; i++)
        {
            (string, string)[] shared = i < 8
                ? [("phone", $"+49 151 2345 67{i:D2}"), ("email", $"contact{i}@example.org")]
                : [("phone", $"+49 151 2345 67{i:D2}")];
            await SubmitAsync(de, LinkTestData.CaseWithIdentifiers("DE", "DE-PROSECUTOR", $"DE/2024/{i}", shared));
            await SubmitAsync(fr, LinkTestData.CaseWithIdentifiers("FR", "FR-PROSECUTOR", $"FR/2024/{i}", shared));
        }
        for (var i = 0; i < 3; i++)
        {
            await SubmitAsync(ro, LinkTestData.CaseWithIdentifiers("RO", "RO-PROSECUTOR", $"RO/2024/{i}", ("phone", $"+40 721 555 3{i:D2}")));
            await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", "IT-PROSECUTOR", $"IT/2024/{i}", ("phone", $"+40 721 555 3{i:D2}")));
        }
        await factory.Services.GetRequiredService<LinkJobs>().ComputeLinksAsync(CancellationToken.None);

        var analyst = await factory.ClientForAsync(Roles.Analyst);
        var summary = (await analyst.GetFromJsonAsync<LinkSummary>("/api/v1/links/summary"))!;
        var k = summary.DisclosureThreshold;
        var cell = summary.Cells.ToDictionary(c => $"{c.JurisdictionA}|{c.JurisdictionB}|{c.Type}");
        // The groups are as built: the German-French phone cell is released, the two small cells are withheld.
        Assert.Equal(20, cell["DE|FR|phone"].Groups);
        Assert.True(cell["DE|FR|email"].Suppressed);
        Assert.True(cell["IT|RO|phone"].Suppressed);

        Assert.All(summary.Cells, c => Assert.True(c.Suppressed ? c.Groups is null : c.Groups >= k));
        if (summary.CrossBorderGroups.Count is { } total)
            foreach (var c in summary.Cells.Where(c => !c.Suppressed))
                Assert.True(total - c.Groups!.Value is 0 || total - c.Groups.Value >= k,
                    $"{total} groups less the {c.Groups} of {c.JurisdictionA}|{c.JurisdictionB}|{c.Type} give {total - c.Groups}");
    }

    // Two released cells whose jurisdictions no group joins (no cell pairs a jurisdiction of one with one of the other) hold
    // no group in common, so the number of groups less both is the number of groups in neither. Here 20 German-French
    // groups share a phone, 8 of them an e-mail as well; 10 Polish-Dutch groups and 3 Romanian-Italian groups share a phone.
    // The e-mail cell (8) and the Romanian-Italian cell (3) are withheld and together hold 11, so no other cell is. The 33
    // groups less either released cell are 13 or 23, but less both they are the 3 that only withheld cells hold.
    [Fact]
    public async Task TheNumberOfGroups_LessSeveralReleasedCells_GivesNoSmallCount()
    {
        using var factory = new AnalyticsFactory();
        var pairs = new[] { ("DE", "FR", 20, "+49 151 2345 6"), ("NL", "PL", 10, "+31 6 1234 5"), ("IT", "RO", 3, "+40 721 555 3") };
        foreach (var (a, b, groups, phone) in pairs)
        {
            var first = await factory.ProsecutorAsync(a);
            var second = await factory.ProsecutorAsync(b);
            for (var i = 0; i < groups; i++)
            {
                (string, string)[] shared = a == "DE" && i < 8
                    ? [("phone", $"{phone}{i:D3}"), ("email", $"contact{i}@example.org")]
                    : [("phone", $"{phone}{i:D3}")];
                await SubmitAsync(first, LinkTestData.CaseWithIdentifiers(a, $"{a}-PROSECUTOR", $"{a}/2024/{i}", shared));
                await SubmitAsync(second, LinkTestData.CaseWithIdentifiers(b, $"{b}-PROSECUTOR", $"{b}/2024/{i}", shared));
            }
        }
        await factory.Services.GetRequiredService<LinkJobs>().ComputeLinksAsync(CancellationToken.None);

        var analyst = await factory.ClientForAsync(Roles.Analyst);
        var summary = (await analyst.GetFromJsonAsync<LinkSummary>("/api/v1/links/summary"))!;
        var k = summary.DisclosureThreshold;
        var cell = summary.Cells.ToDictionary(c => $"{c.JurisdictionA}|{c.JurisdictionB}|{c.Type}");
        Assert.Equal(4, cell.Count);
        Assert.Equal(20, cell["DE|FR|phone"].Groups);
        Assert.Equal(10, cell["NL|PL|phone"].Groups);
        Assert.True(cell["DE|FR|email"].Suppressed);
        Assert.True(cell["IT|RO|phone"].Suppressed);

        if (summary.CrossBorderGroups.Count is { } total)
        {
            var outside = total - cell["DE|FR|phone"].Groups!.Value - cell["NL|PL|phone"].Groups!.Value;
            Assert.True(outside is 0 || outside >= k, $"{total} groups less the two released cells give {outside}");
        }
    }

    // Every cell released, and every group in one: still, two released cells that share no group add up to the groups they
    // hold together. Here 10 Austrian-Bulgarian groups share a phone (8 of them an e-mail as well), 2 more share only an
    // e-mail, and 10 German-Polish groups share a phone: the 22 groups less the two phone cells are the 2 Austrian-Bulgarian
    // groups joined by e-mail alone.
    [Fact]
    public async Task TheNumberOfGroups_LessReleasedCellsThatShareNoGroup_GivesNoSmallCount()
    {
        using var factory = new AnalyticsFactory();
        var at = await factory.ProsecutorAsync("AT");
        var bg = await factory.ProsecutorAsync("BG");
        var de = await factory.ProsecutorAsync("DE");
        var pl = await factory.ProsecutorAsync("PL");
        for (var i = 0; i < 12; i++)
        {
            (string, string)[] shared = i < 8 ? [("phone", $"+43 664 123 45{i:D2}"), ("email", $"contact{i}@example.org")]
                : i < 10 ? [("phone", $"+43 664 123 45{i:D2}")]
                : [("email", $"contact{i}@example.org")];
            await SubmitAsync(at, LinkTestData.CaseWithIdentifiers("AT", "AT-PROSECUTOR", $"AT/2024/{i}", shared));
            await SubmitAsync(bg, LinkTestData.CaseWithIdentifiers("BG", "BG-PROSECUTOR", $"BG/2024/{i}", shared));
        }
        for (var i = 0; i < 10; i++)
        {
            await SubmitAsync(de, LinkTestData.CaseWithIdentifiers("DE", "DE-PROSECUTOR", $"DE/2024/{i}", ("phone", $"+49 151 2345 67{i:D2}")));
            await SubmitAsync(pl, LinkTestData.CaseWithIdentifiers("PL", "PL-PROSECUTOR", $"PL/2024/{i}", ("phone", $"+49 151 2345 67{i:D2}")));
        }
        await factory.Services.GetRequiredService<LinkJobs>().ComputeLinksAsync(CancellationToken.None);

        var analyst = await factory.ClientForAsync(Roles.Analyst);
        var summary = (await analyst.GetFromJsonAsync<LinkSummary>("/api/v1/links/summary"))!;
        var k = summary.DisclosureThreshold;
        var cell = summary.Cells.ToDictionary(c => $"{c.JurisdictionA}|{c.JurisdictionB}|{c.Type}");
        Assert.Equal(3, cell.Count);
        Assert.Equal(10, cell["AT|BG|phone"].Groups);
        Assert.Equal(10, cell["AT|BG|email"].Groups);
        Assert.Equal(10, cell["DE|PL|phone"].Groups);

        if (summary.CrossBorderGroups.Count is { } total)
        {
            var outside = total - cell["AT|BG|phone"].Groups!.Value - cell["DE|PL|phone"].Groups!.Value;
            Assert.True(outside is 0 || outside >= k, $"{total} groups less the two phone cells give {outside}");
        }
    }

    [Fact]
    public void TheCheckOfDisjointCells_FindsTheSetThatLeavesASmallCount_AndNotOneOfCellsThatShareGroups()
    {
        // Groups 0–9 in A, 0–7 and 10–11 in B, 12–21 in C: A and C share none and leave 2 of 22.
        var cellsOfGroup = Enumerable.Range(0, 22).Select(g => new[] { g < 10 ? "A" : null, g is < 8 or 10 or 11 ? "B" : null, g >= 12 ? "C" : null }
            .OfType<string>().ToList()).ToList();
        Assert.True(LinksApi.DisjointCellsLeaveASmallCount(cellsOfGroup, ["A", "B", "C"], 22, 10));
        // Without C, only A and B (which share groups) or each alone: 12 and 12 are left, never a small count.
        var withoutC = cellsOfGroup.Select(c => c.Where(x => x != "C").ToList()).ToList();
        Assert.False(LinksApi.DisjointCellsLeaveASmallCount(withoutC, ["A", "B"], 22, 10));
    }

    private static async Task SubmitAsync(HttpClient client, string json)
    {
        var response = await client.SubmitCaseAsync(json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
