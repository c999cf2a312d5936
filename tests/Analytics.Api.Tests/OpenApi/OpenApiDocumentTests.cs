using System.Text.Json;
using Analytics.Api.Tests.Infrastructure;

namespace Analytics.Api.Tests.OpenApi;

public sealed class OpenApiDocumentTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    [Fact]
    public async Task Document_DescribesEveryRoomWithRequestExamples()
    {
        var document = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");

        foreach (var path in new[] { "/api/v1/cases", "/api/v1/cases/batch", "/api/v1/patterns", "/api/v1/insights/routes", "/api/v1/match", "/api/v1/links/cases", "/api/v1/audit/verify", "/api/v1/privacy/report", "/api/v1/schedules/{job}" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is described");

        var submit = paths.GetProperty("/api/v1/cases").GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        Assert.Equal("DIICOT/2024/00017", submit.GetProperty("example").GetProperty("caseReference").GetString());
        var match = paths.GetProperty("/api/v1/match").GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        Assert.Equal("12-14", match.GetProperty("example").GetProperty("victims")[0].GetProperty("ageBand").GetString());
    }
}
