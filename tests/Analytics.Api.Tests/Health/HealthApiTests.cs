using System.Net;
using System.Net.Http.Json;
using Analytics.Api.Health;
using Analytics.Api.Tests.Infrastructure;

namespace Analytics.Api.Tests.Health;

public sealed class HealthApiTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    [Fact]
    public async Task Ready_ReportsDatabaseAndJobStorage_WithoutAKey()
    {
        var client = factory.CreateClient();

        var response = await client.GetAsync("/health/ready");
        var report = await response.Content.ReadFromJsonAsync<HealthReport>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready", report!.Status);
        Assert.Equal("healthy", report.Checks.Single(c => c.Name == "database").Status);
        Assert.Equal("sqlite", report.Checks.Single(c => c.Name == "database").Detail);
        Assert.Equal("healthy", report.Checks.Single(c => c.Name == "job-storage").Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }
}
