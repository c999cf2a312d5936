using System.Net.Http.Json;
using Analytics.Api.Patterns;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Core.Cases;
using Analytics.Data.ApiKeys;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Patterns;

public sealed class PatternAttributeDisclosureTests
{
    // An attribute's share times the pattern's size is the pattern's count under the filter on that value. Where the list
    // under that filter withholds the count (to protect a smaller one), the attribute must not show it.
    [Theory]
    [InlineData(800, 11)]
    [InlineData(1_200, 5)]
    public async Task NoAttributeShowsACountTheListFilteredOnItsValueWithholds(int count, int seed)
    {
        using var factory = new AnalyticsFactory();
        await factory.SeedAndTrainAsync(new Core.Synthetic.GeneratorOptions { Seed = seed, Count = count });
        var analyst = await factory.ClientForAsync(Roles.Analyst);
        var items = (await analyst.GetFromJsonAsync<PatternPage>("/api/v1/patterns?pageSize=100"))!.Items;

        var withheldSomewhere = 0;
        foreach (var (parameter, prefix, list) in new[] { ("exploitationType", "exploitation=", CodeLists.ExploitationTypes), ("ageBand", "victim.age=", CodeLists.AgeBands) })
            foreach (var code in CodeLists.Codes(list))
            {
                var listed = (await analyst.GetFromJsonAsync<PatternPage>($"/api/v1/patterns?{parameter}={Uri.EscapeDataString(code)}&pageSize=100"))!.Items;
                foreach (var p in listed.Where(p => p.Matching!.Suppressed))
                {
                    withheldSomewhere++;
                    var shown = items.Single(i => i.Id == p.Id).Attributes.FirstOrDefault(a => a.Feature == prefix + code);
                    Assert.True(shown is null, $"pattern {p.Id}: ?{parameter}={code} withholds its count, its attribute shows {shown?.Share} of {p.Size}");
                    var detail = await analyst.GetFromJsonAsync<PatternView>($"/api/v1/patterns/{p.Id}");
                    Assert.DoesNotContain(detail!.Attributes, a => a.Feature == prefix + code);
                }
            }
        Assert.True(withheldSomewhere > 0, "no filtered list withholds a count: the test shows nothing");
    }
}
