using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Api.Links;
using Analytics.Api.OpenApi;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.OpenApi;

/// <summary>
/// Every response example in the OpenAPI description is published at its operation and status, and has the shape of
/// the live answer: the same properties at every level and the same kinds of values.
/// </summary>
public sealed class ResponseExampleTests(AnalyticsFactory factory, ITestOutputHelper output) : IClassFixture<AnalyticsFactory>
{

    [Fact]
    public async Task EveryResponseExample_IsPublished_AtItsOperationAndStatus()
    {
        var document = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;
        var operations = document.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject())
            .Where(o => o.Value.TryGetProperty("operationId", out _))
            .ToDictionary(o => o.Value.GetProperty("operationId").GetString()!, o => o.Value);

        Assert.True(OpenApiExamples.ResponseExamples.Count >= 20, $"{OpenApiExamples.ResponseExamples.Count} response examples");
        foreach (var ((endpoint, status), json) in OpenApiExamples.ResponseExamples)
        {
            Assert.True(operations.TryGetValue(endpoint, out var operation), $"{endpoint} is an operation");
            var content = operation.GetProperty("responses").GetProperty(status).GetProperty("content");
            var published = content.EnumerateObject().First().Value.GetProperty("example");
            Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(json).RootElement, published), $"{endpoint} {status} example published as written");
        }
    }

    [Fact]
    public async Task EveryResponseExample_HasTheShapeOfTheLiveAnswer()
    {
        await factory.SeedAndTrainAsync(new Core.Synthetic.GeneratorOptions { Seed = 5, Count = 600 });
        await factory.Services.GetRequiredService<LinkJobs>().ComputeLinksAsync(CancellationToken.None);
        var analyst = await factory.ClientForAsync(Roles.Analyst);
        var steward = await factory.ClientForAsync(Roles.Steward);
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-DIICOT");
        var submit = OpenApiExamples.Request("SubmitCase")!;
        var created = await prosecutor.SubmitCaseAsync(submit);
        var caseId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("caseId").GetString();
        var patternId = JsonDocument.Parse(await analyst.GetStringAsync("/api/v1/patterns")).RootElement.GetProperty("items")[0].GetProperty("id").GetInt32();
        var batch = string.Join('\n', submit.ReplaceLineEndings(" ").Replace("00017", "00018", StringComparison.Ordinal), """{"schemaVersion":"1","jurisdiction":"RO"}""");

        var live = new Dictionary<(string, string), Func<Task<HttpResponseMessage>>>
        {
            [("SubmitCase", "201")] = () => prosecutor.SubmitCaseAsync(submit.Replace("00017", "00019", StringComparison.Ordinal)),
            [("SubmitCase", "400")] = () => prosecutor.SubmitCaseAsync(submit.Replace("\"jurisdiction\":\"RO\"", "\"jurisdiction\":\"IT\"", StringComparison.Ordinal)),
            [("SubmitBatch", "200")] = () => prosecutor.SubmitBatchAsync(batch),
            [("GetCase", "200")] = () => prosecutor.GetAsync($"/api/v1/cases/{caseId}"),
            [("ListPatterns", "200")] = () => analyst.GetAsync("/api/v1/patterns"),
            [("GetPattern", "200")] = () => analyst.GetAsync($"/api/v1/patterns/{patternId}"),
            [("PatternTrend", "200")] = () => analyst.GetAsync($"/api/v1/patterns/{patternId}/trend?interval=quarter"),
            [("EmergingPatterns", "200")] = () => analyst.GetAsync("/api/v1/insights/emerging"),
            [("Routes", "200")] = () => analyst.GetAsync("/api/v1/insights/routes"),
            [("Summary", "200")] = () => analyst.GetAsync("/api/v1/insights/summary"),
            [("Indicators", "200")] = () => analyst.GetAsync("/api/v1/insights/indicators"),
            [("Match", "200")] = () => analyst.PostAsync("/api/v1/match", Json(OpenApiExamples.Request("Match")!)),
            [("ListLinkedCases", "200")] = () => prosecutor.GetAsync("/api/v1/links/cases"),
            [("ListLinkAlerts", "200")] = () => prosecutor.GetAsync("/api/v1/links/alerts"),
            [("LinkSummary", "200")] = () => analyst.GetAsync("/api/v1/links/summary"),
            [("PrivacyReport", "200")] = () => steward.GetAsync("/api/v1/privacy/report"),
            [("GetKeyRing", "200")] = () => steward.GetAsync("/api/v1/pseudonymisation/keys"),
            [("ListModels", "200")] = () => steward.GetAsync("/api/v1/models"),
            [("ListJobRuns", "200")] = () => steward.GetAsync("/api/v1/jobs/runs"),
            [("VerifyAudit", "200")] = () => steward.GetAsync("/api/v1/audit/verify"),
            [("ListSchedules", "200")] = () => steward.GetAsync("/api/v1/schedules"),
        };

        var problems = new List<string>();
        foreach (var ((endpoint, status), json) in OpenApiExamples.ResponseExamples)
        {
            Assert.True(live.TryGetValue((endpoint, status), out var call), $"{endpoint} {status}: the example has no live check");
            var response = await call();
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) == status, $"{endpoint}: {(int)response.StatusCode} {body}");
            Conform(JsonDocument.Parse(json).RootElement, JsonDocument.Parse(body).RootElement, $"{endpoint} {status} $", problems);
        }
        foreach (var p in problems) output.WriteLine(p);
        Assert.Empty(problems);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Same property names in every object both hold; same kinds of values where neither is null.</summary>
    private static void Conform(JsonElement example, JsonElement actual, string path, List<string> problems)
    {
        if (example.ValueKind == JsonValueKind.Null || actual.ValueKind == JsonValueKind.Null) return;
        if (example.ValueKind != actual.ValueKind && !(IsBool(example) && IsBool(actual)))
        {
            problems.Add($"{path}: example is {example.ValueKind}, answer is {actual.ValueKind}");
            return;
        }
        switch (example.ValueKind)
        {
            case JsonValueKind.Object when IsMap(path):
                // Keyed by data (codes, token types, error pointers): the keys differ, the values have one shape.
                var first = example.EnumerateObject().FirstOrDefault();
                foreach (var property in actual.EnumerateObject())
                    if (first.Value.ValueKind != JsonValueKind.Undefined) Conform(first.Value, property.Value, $"{path}.*", problems);
                break;
            case JsonValueKind.Object:
                var expected = example.EnumerateObject().Select(p => p.Name).Where(n => n != "traceId").Order(StringComparer.Ordinal).ToList();
                var got = actual.EnumerateObject().Select(p => p.Name).Where(n => n != "traceId").Order(StringComparer.Ordinal).ToList();
                if (!expected.SequenceEqual(got))
                    problems.Add($"{path}: example has [{string.Join(", ", expected)}], answer has [{string.Join(", ", got)}]");
                foreach (var property in example.EnumerateObject())
                    if (actual.TryGetProperty(property.Name, out var value)) Conform(property.Value, value, $"{path}.{property.Name}", problems);
                break;
            case JsonValueKind.Array when example.GetArrayLength() > 0:
                foreach (var item in actual.EnumerateArray()) Conform(example[0], item, $"{path}[]", problems);
                break;
        }
    }

    private static bool IsBool(JsonElement e) => e.ValueKind is JsonValueKind.True or JsonValueKind.False;

    private static bool IsMap(string path) =>
        path.EndsWith(".tokens", StringComparison.Ordinal) || path.EndsWith(".scrubbed", StringComparison.Ordinal)
        || path.EndsWith(".errors", StringComparison.Ordinal) || path.EndsWith(".metrics", StringComparison.Ordinal) || path.EndsWith(".dimensions", StringComparison.Ordinal);
}
