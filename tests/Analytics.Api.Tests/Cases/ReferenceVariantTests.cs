using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Analytics.Api.Cases;
using Analytics.Api.Tests.Infrastructure;

namespace Analytics.Api.Tests.Cases;

/// <summary>
/// The same case reference written with invisible characters, full-width forms, other digits or slashes, or in another
/// normal form, updates the case it names; control characters are refused by pointer, and nothing is stored.
/// </summary>
public sealed class ReferenceVariantTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    private const string Reference = "DIICOT/2024/00017";

    [Theory]
    [InlineData(1, "DIICOT/2024/00017\u200B")]
    [InlineData(2, "\u202EDIICOT/2024/00017")]
    [InlineData(3, "\uFF24\uFF29\uFF29\uFF23\uFF2F\uFF34/2024/00017")]
    [InlineData(4, "DIICOT\u22152024\u221500017")]
    [InlineData(5, "DIICOT/\u0662\u0660\u0662\u0664/\u0660\u0660\u0660\u0661\u0667")]
    [InlineData(6, "DII\u00ADCOT/2024/00017")]
    public async Task A_reference_variant_updates_the_same_case(int n, string variant)
    {
        var authority = $"RO-VARIANT{n}";
        var client = await factory.ProsecutorAsync("RO", authority);
        var first = await (await client.SubmitCaseAsync(SampleCases.Json(authority: authority, reference: Reference))).ReadAsync<Receipt>();
        Assert.Equal("created", first.Status);

        var again = await client.SubmitCaseAsync(SampleCases.Json(authority: authority, reference: variant));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var receipt = await again.ReadAsync<Receipt>();
        Assert.Equal("unchanged", receipt.Status);
        Assert.Equal(first.CaseId, receipt.CaseId);
        Assert.Single((await (await client.GetAsync("/api/v1/cases")).ReadAsync<CaseList>()).Items);
    }

    [Fact]
    public async Task A_reference_in_NFD_updates_the_case_sent_in_NFC()
    {
        const string authority = "RO-VARIANTNFD";
        var client = await factory.ProsecutorAsync("RO", authority);
        var composed = "PITE\u0218TI/2024/00017";
        var first = await (await client.SubmitCaseAsync(SampleCases.Json(authority: authority, reference: composed))).ReadAsync<Receipt>();

        var receipt = await (await client.SubmitCaseAsync(SampleCases.Json(authority: authority, reference: composed.Normalize(NormalizationForm.FormD)))).ReadAsync<Receipt>();

        Assert.Equal("unchanged", receipt.Status);
        Assert.Equal(first.CaseId, receipt.CaseId);
    }

    [Fact]
    public async Task Control_characters_are_refused_by_pointer_and_nothing_is_stored()
    {
        const string authority = "RO-CONTROL";
        var client = await factory.ProsecutorAsync("RO", authority);
        var record = JsonNode.Parse(SampleCases.Json(authority: authority, reference: "A\u0000B"))!;
        record["victims"]![0]!["name"] = "\u0007\u0000";
        record["suspects"]![0]!["identifiers"]![0]!["value"] = "+40 721\u0000234 567";
        record["summary"] = "Line one.\nLine\ttwo\u0007.";

        var response = await client.SubmitCaseAsync(record.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal(
            ["/caseReference", "/summary", "/suspects/0/identifiers/0/value", "/victims/0/name"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Empty((await (await client.GetAsync("/api/v1/cases")).ReadAsync<CaseList>()).Items);

        // The same in a batch line: that line is rejected, naming the field.
        var batch = await (await client.SubmitBatchAsync(SampleCases.Json(authority: authority, reference: "A\u0000B"))).ReadAsync<BatchResult>();
        Assert.Equal(1, batch.Rejected);
        Assert.Contains("/caseReference", batch.Results[0].Errors!.Keys);
        Assert.Empty((await (await client.GetAsync("/api/v1/cases")).ReadAsync<CaseList>()).Items);
    }
}
