using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.Idempotency;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Cases;

/// <summary>The problems of the Idempotency-Key carry the members every other problem has, traceId included.</summary>
public sealed class IdempotencyProblemTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    private static void AssertProblem(JsonElement problem, int status, string title)
    {
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
    }

    [Fact]
    public async Task AKeyReusedWithAnotherBody_Is422_WithATraceId_AsTheFrameworksProblems()
    {
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-IDEMTRACE");
        var key = "trace-" + Guid.NewGuid().ToString("n");

        Assert.Equal(HttpStatusCode.Created, (await prosecutor.SubmitCaseAsync(SampleCases.Json(authority: "RO-IDEMTRACE", reference: "IT/1"), key)).StatusCode);
        var reused = await prosecutor.SubmitCaseAsync(SampleCases.Json(authority: "RO-IDEMTRACE", reference: "IT/2"), key);
        var framework = await prosecutor.GetAsync("/api/v1/cases?limit=0");

        Assert.Equal((HttpStatusCode)422, reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
        AssertProblem(JsonDocument.Parse(await reused.Content.ReadAsStringAsync()).RootElement, 422, "Idempotency key reused");
        var other = JsonDocument.Parse(await framework.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(other.GetProperty("traceId").ValueKind, JsonDocument.Parse(await reused.Content.ReadAsStringAsync()).RootElement.GetProperty("traceId").ValueKind);
    }

    [Fact]
    public async Task AKeyInProgress_Is409_WithATraceId()
    {
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-IDEMBUSY");
        var key = "busy-" + Guid.NewGuid().ToString("n");
        var body = SampleCases.Json(authority: "RO-IDEMBUSY", reference: "IB/1");
        // The first request with this key, still being processed: reserved and not completed.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes("case\n").Concat(Encoding.UTF8.GetBytes(body)).ToArray()));
        Assert.Null(await factory.Services.GetRequiredService<IdempotencyStore>().ReserveAsync(prosecutor.KeyId(), key, hash, CancellationToken.None));

        var response = await prosecutor.SubmitCaseAsync(body, key);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        AssertProblem(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement, 409, "Request in progress");
    }
}
