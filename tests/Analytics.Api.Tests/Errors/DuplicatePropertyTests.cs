using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;

namespace Analytics.Api.Tests.Errors;

/// <summary>A property sent twice is refused by every JSON body with the same message, at the property's pointer.</summary>
public sealed class DuplicatePropertyTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    private const string Message = "Property appears more than once.";

    public static TheoryData<string, string, string, string, string> Bodies => new()
    {
        { Roles.Steward, "PUT", "/api/v1/schedules/train-all", """{"cron":"0 3 * * *","cron":"0 4 * * *"}""", "/cron" },
        { Roles.Steward, "POST", "/api/v1/keys", """{"name":"a","role":"analyst","role":"steward"}""", "/role" },
        { Roles.Analyst, "POST", "/api/v1/match", """{"jurisdiction":"RO","jurisdiction":"BG"}""", "/jurisdiction" },
        { Roles.Prosecutor, "POST", "/api/v1/links/alerts/read", """{"upTo":1,"upTo":2}""", "/upTo" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task APropertySentTwice_IsNamedAtItsPointer_AsOnTheCaseRoutes(string role, string method, string path, string body, string pointer)
    {
        var client = await factory.ClientForAsync(role);

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal([pointer], errors.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Message, errors.GetProperty(pointer)[0].GetString());
    }

    [Fact]
    public async Task TheCaseRoute_SaysTheSame()
    {
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-TWICE");
        var record = SampleCases.Json(authority: "RO-TWICE", reference: "TWICE/1");

        var response = await prosecutor.SubmitCaseAsync(record.Insert(1, "\"schemaVersion\":\"1\","));

        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal(Message, errors.GetProperty("/schemaVersion")[0].GetString());
    }
}
