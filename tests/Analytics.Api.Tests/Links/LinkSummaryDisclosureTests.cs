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

    private static async Task SubmitAsync(HttpClient client, string json)
    {
        var response = await client.SubmitCaseAsync(json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
