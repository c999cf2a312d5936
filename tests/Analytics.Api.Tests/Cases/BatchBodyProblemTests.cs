using System.Net;
using System.Text.Json;
using Analytics.Api.Cases;
using Analytics.Api.Tests.Infrastructure;

namespace Analytics.Api.Tests.Cases;

/// <summary>Problems with a batch body as a whole name the body; a malformed line is placed within its line.</summary>
public sealed class BatchBodyProblemTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("  \r\n\t\n \n")]
    public async Task AnEmptyOrBlankBatch_IsA400NamingTheBody(string ndjson)
    {
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-EMPTYBATCH");

        var response = await prosecutor.SubmitBatchAsync(ndjson);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Empty batch", problem.GetProperty("title").GetString());
        Assert.Equal([""], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.True(problem.TryGetProperty("traceId", out _));
    }

    [Fact]
    public async Task AMalformedLine_IsPlacedWithinItsLine_NotAtLineOne()
    {
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-MALFORMED");
        var ndjson = SampleCases.Json(authority: "RO-MALFORMED", reference: "MAL/1") + "\n{x\n\n[1,]\n";

        var result = await (await prosecutor.SubmitBatchAsync(ndjson)).ReadAsync<BatchResult>();

        var second = Assert.Single(result.Results.Single(r => r.Line == 2).Errors![""]);
        var fourth = Assert.Single(result.Results.Single(r => r.Line == 4).Errors![""]);
        Assert.StartsWith("Malformed JSON at byte 2 of the line:", second, StringComparison.Ordinal);
        Assert.StartsWith("Malformed JSON at byte 4 of the line:", fourth, StringComparison.Ordinal);
        Assert.DoesNotContain("line 1", second + fourth, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASingleCase_StillSaysItsLineAndByte()
    {
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-MALFORMED-ONE");

        var response = await prosecutor.SubmitCaseAsync("{\n  \"schemaVersion\": \"1\",\n  x\n}");

        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.StartsWith("Malformed JSON at line 3, byte 3:", errors.GetProperty("")[0].GetString(), StringComparison.Ordinal);
    }
}
