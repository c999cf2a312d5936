using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;

namespace Analytics.Api.Tests.Cases;

/// <summary>
/// A body is read as UTF-8 as sent: another charset or a Content-Encoding is 415, naming what is not supported, and every
/// 415 is a problem with a title and a detail saying what to send.
/// </summary>
public sealed class BodyEncodingTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    private static readonly string CaseId = "0197a0e4-8d2a-7f0e-9c1b-6a7d8e9f0a1b";

    private async Task<(HttpStatusCode Status, JsonElement Problem, string? MediaType)> SendAsync(HttpMethod method, string path, byte[] body,
        string? contentType, string? contentEncoding = null, string role = Roles.Prosecutor)
    {
        var client = role == Roles.Prosecutor ? await factory.ProsecutorAsync("RO", "RO-ENCODING") : await factory.ClientForAsync(role);
        var content = new ByteArrayContent(body);
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (contentEncoding is not null) content.Headers.ContentEncoding.Add(contentEncoding);
        var response = await client.SendAsync(new HttpRequestMessage(method, path) { Content = content });
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response.Content.Headers.ContentType?.MediaType);
    }

    private static byte[] Record(Encoding encoding) => encoding.GetBytes(SampleCases.Json(authority: "RO-ENCODING", reference: "ENC/1"));

    public static TheoryData<string, string, string> Routes => new()
    {
        { "POST", "/api/v1/cases", "application/json" },
        { "POST", "/api/v1/cases/batch", "application/x-ndjson" },
        { "PUT", $"/api/v1/cases/{CaseId}", "application/json" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task ACharsetOtherThanUtf8_Is415_NamingTheCharset(string method, string path, string mediaType)
    {
        foreach (var charset in new[] { "utf-16", "windows-1250", "\"UTF-16LE\"", "iso-8859-2" })
        {
            var (status, problem, type) = await SendAsync(new HttpMethod(method), path, Record(Encoding.Unicode), $"{mediaType}; charset={charset}");

            Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
            Assert.Equal("application/problem+json", type);
            Assert.Equal("Unsupported media type", problem.GetProperty("title").GetString());
            Assert.Contains("UTF-8", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("charset", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task AContentEncoding_Is415_NamingIt(string method, string path, string mediaType)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(Record(Encoding.UTF8));

        var (status, problem, _) = await SendAsync(new HttpMethod(method), path, compressed.ToArray(), mediaType, "gzip");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("Unsupported media type", problem.GetProperty("title").GetString());
        Assert.Contains("Content-Encoding", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/json; charset=utf8")]
    [InlineData("application/json; charset=us-ascii")]
    [InlineData("application/json")]
    public async Task Utf8_AnyCase_AndUsAscii_AreTaken(string contentType)
    {
        var (status, _, _) = await SendAsync(HttpMethod.Post, "/api/v1/cases", Record(Encoding.UTF8), contentType);

        Assert.True(status is HttpStatusCode.Created or HttpStatusCode.OK, status.ToString());
    }

    [Fact]
    public async Task AnIdentityContentEncoding_IsTaken()
    {
        var (status, _, _) = await SendAsync(HttpMethod.Post, "/api/v1/cases", Record(Encoding.UTF8), "application/json", "identity");

        Assert.True(status is HttpStatusCode.Created or HttpStatusCode.OK, status.ToString());
    }

    [Fact]
    public async Task TheOtherJsonBodies_RefuseAnotherCharsetToo()
    {
        var (status, problem, _) = await SendAsync(HttpMethod.Put, "/api/v1/schedules/train-all", Encoding.Unicode.GetBytes("""{"cron":"0 3 * * *"}"""),
            "application/json; charset=utf-16", role: Roles.Steward);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("UTF-8", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARequestWithoutABody_IsNotRefusedForHowABodyWouldBeSent()
    {
        var steward = await factory.ClientForAsync(Roles.Steward);
        var content = new ByteArrayContent([]);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-16");
        content.Headers.ContentEncoding.Add("gzip");

        var response = await steward.PostAsync("/api/v1/links/recompute", content);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    public static TheoryData<string, string, string?, string> WrongTypes => new()
    {
        { "POST", "/api/v1/cases", null, "application/json" },
        { "POST", "/api/v1/cases", "text/plain", "application/json" },
        { "POST", "/api/v1/cases", "application/x-ndjson", "application/json" },
        { "PUT", $"/api/v1/cases/{CaseId}", null, "application/json" },
        { "PUT", $"/api/v1/cases/{CaseId}", "text/plain", "application/json" },
        { "POST", "/api/v1/cases/batch", null, "application/x-ndjson" },
        { "POST", "/api/v1/cases/batch", "application/json", "application/x-ndjson" },
        { "POST", "/api/v1/cases/batch", "text/plain", "application/x-ndjson" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public async Task AMissingOrWrongContentType_IsOneShapeOf415(string method, string path, string? contentType, string expected)
    {
        var (status, problem, type) = await SendAsync(new HttpMethod(method), path, Record(Encoding.UTF8), contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("application/problem+json", type);
        Assert.Equal("Unsupported media type", problem.GetProperty("title").GetString());
        Assert.Equal(415, problem.GetProperty("status").GetInt32());
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.TryGetProperty("traceId", out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    public async Task TheOtherJsonBodies_AnswerTheSameShapeOf415(string? contentType)
    {
        var (status, problem, type) = await SendAsync(HttpMethod.Put, "/api/v1/schedules/train-all", Encoding.UTF8.GetBytes("""{"cron":"0 3 * * *"}"""),
            contentType, role: Roles.Steward);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("application/problem+json", type);
        Assert.Equal("Unsupported media type", problem.GetProperty("title").GetString());
        Assert.Contains("application/json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
