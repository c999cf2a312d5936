using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;

namespace Analytics.Api.Tests.Keys;

/// <summary>GET /keys pages through every key ever issued, in issue order, and can leave revoked keys out.</summary>
public sealed class KeyListTests : IDisposable
{
    private readonly AnalyticsFactory _factory = new();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(List<string> Ids, string? Next)> PageAsync(HttpClient client, string query)
    {
        var page = await client.GetFromJsonAsync<JsonElement>("/api/v1/keys" + query);
        var next = page.GetProperty("next");
        return (page.GetProperty("items").EnumerateArray().Select(k => k.GetProperty("id").GetString()!).ToList(),
            next.ValueKind == JsonValueKind.Null ? null : next.GetString());
    }

    [Fact]
    public async Task Keys_PageInIssueOrder_WithNoneRepeatedOrSkipped_AndRevokedOnesCanBeLeftOut()
    {
        var steward = await _factory.ClientForAsync(Roles.Steward);
        var issued = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var created = await steward.PostAsync("/api/v1/keys", Json($$"""{"name":"analyst {{i}}","role":"analyst"}"""));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            issued.Add((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }
        Assert.Equal(HttpStatusCode.NoContent, (await steward.DeleteAsync($"/api/v1/keys/{issued[1]}")).StatusCode);

        var (all, _) = await PageAsync(steward, "?limit=500");
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var (ids, next) = await PageAsync(steward, "?limit=2" + (after is null ? "" : $"&after={after}"));
            Assert.InRange(ids.Count, 1, 2);
            seen.AddRange(ids);
            after = next;
            pages++;
        }
        while (after is not null && pages < 20);

        Assert.Equal(all, seen);
        Assert.Equal(issued, all.Where(issued.Contains).ToList());
        Assert.Equal((all.Count + 1) / 2, pages);

        var (usable, _) = await PageAsync(steward, "?revoked=false&limit=500");
        var (revoked, _) = await PageAsync(steward, "?revoked=true&limit=500");
        Assert.DoesNotContain(issued[1], usable);
        Assert.Equal([issued[1]], revoked);
        Assert.Equal(all.Count - 1, usable.Count);
    }

    [Theory]
    [InlineData("?after=no-such-key", "/after")]
    [InlineData("?limit=0", "/limit")]
    [InlineData("?revoked=maybe", "/revoked")]
    public async Task ABadCursorSizeOrFilter_IsAProblemNamingIt(string query, string field)
    {
        var steward = await _factory.ClientForAsync(Roles.Steward);

        var response = await steward.GetAsync("/api/v1/keys" + query);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([field], JsonDocument.Parse(body).RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    public void Dispose() => _factory.Dispose();
}
