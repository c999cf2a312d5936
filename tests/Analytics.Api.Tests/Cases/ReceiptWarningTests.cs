using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Analytics.Api.Tests.Infrastructure;

namespace Analytics.Api.Tests.Cases;

/// <summary>
/// Identifiers that fail their type's check are stored (as tokens of their text) and named, by JSON Pointer and with the
/// reason, on the single, replayed, corrected and batch receipts; the value itself is never repeated.
/// </summary>
public sealed class ReceiptWarningTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    private static readonly string[] Malformed = ["hello", "RO49AAAA1B31007593840001", "x", "4111111111111112"];

    private static string WithMalformedIdentifiers(string authority, string reference)
    {
        var record = JsonNode.Parse(SampleCases.Json(authority: authority, reference: reference))!;
        record["suspects"]![0]!["identifiers"] = new JsonArray(
            new JsonObject { ["type"] = "phone", ["value"] = Malformed[0] },
            new JsonObject { ["type"] = "iban", ["value"] = Malformed[1] },
            new JsonObject { ["type"] = "email", ["value"] = Malformed[2] },
            new JsonObject { ["type"] = "card", ["value"] = Malformed[3] },
            new JsonObject { ["type"] = "email", ["value"] = SampleCases.Email });
        return record.ToJsonString();
    }

    private static readonly string[] WarnedPointers =
    [
        "/suspects/0/identifiers/0/value",
        "/suspects/0/identifiers/1/value",
        "/suspects/0/identifiers/2/value",
        "/suspects/0/identifiers/3/value",
    ];

    private static JsonElement Warnings(JsonElement receipt)
    {
        Assert.True(receipt.TryGetProperty("warnings", out var warnings), "the receipt has warnings");
        return warnings;
    }

    private static void AssertWarned(JsonElement receipt)
    {
        var warnings = Warnings(receipt);
        Assert.Equal(WarnedPointers, warnings.EnumerateObject().Select(p => p.Name));
        Assert.Contains("mod-97 check failed", warnings.GetProperty(WarnedPointers[1])[0].GetString());
        Assert.Contains("Luhn check failed", warnings.GetProperty(WarnedPointers[3])[0].GetString());
        var text = warnings.GetRawText();
        Assert.All(Malformed.Where(v => v.Length >= 4), value => Assert.DoesNotContain(value, text));
    }

    [Fact]
    public async Task Identifiers_that_fail_their_check_are_stored_and_named_on_every_receipt()
    {
        const string authority = "RO-WARNINGS";
        var client = await factory.ProsecutorAsync("RO", authority);

        // Single case, and its idempotent replay, unchanged.
        var created = await client.SubmitCaseAsync(WithMalformedIdentifiers(authority, "W/1"), "warn-0001");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadAsStringAsync();
        var receipt = JsonDocument.Parse(body).RootElement;
        AssertWarned(receipt);
        // Still stored and counted as tokens: the malformed values were tokenised, never kept raw.
        Assert.Equal(2, receipt.GetProperty("tokens").GetProperty("email").GetInt32());
        var replay = await client.SubmitCaseAsync(WithMalformedIdentifiers(authority, "W/1"), "warn-0001");
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(body, await replay.Content.ReadAsStringAsync());

        // PUT.
        var caseId = receipt.GetProperty("caseId").GetString();
        var put = await client.PutAsync($"/api/v1/cases/{caseId}", new StringContent(WithMalformedIdentifiers(authority, "W/1").Replace("\"age\":15", "\"age\":14"), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        AssertWarned(JsonDocument.Parse(await put.Content.ReadAsStringAsync()).RootElement);

        // Batch line, next to a line with nothing to warn about.
        var batch = await client.SubmitBatchAsync(WithMalformedIdentifiers(authority, "W/2") + "\n" + SampleCases.Json(authority: authority, reference: "W/3"));
        var lines = JsonDocument.Parse(await batch.Content.ReadAsStringAsync()).RootElement.GetProperty("results");
        AssertWarned(lines[0].GetProperty("receipt"));
        Assert.Empty(Warnings(lines[1].GetProperty("receipt")).EnumerateObject());
    }
}
