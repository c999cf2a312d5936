using System.Net;
using System.Text.RegularExpressions;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;

namespace Analytics.Api.Tests.MultiNode;

public sealed partial class MetricsTests
{
    [Fact]
    public async Task Metrics_CountIngestionRequestsAndJobs_InPrometheusFormat_WithoutIdentifiers()
    {
        using var factory = new AnalyticsFactory();
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-PROSECUTOR");
        var steward = await factory.ClientForAsync(Roles.Steward);

        Assert.Equal(HttpStatusCode.Created, (await prosecutor.SubmitCaseAsync(SampleCases.Json(reference: "RO/M/1"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await prosecutor.SubmitCaseAsync(SampleCases.Json(reference: "RO/M/1"))).StatusCode);
        var batch = string.Join('\n', SampleCases.Json(reference: "RO/M/2"), SampleCases.Json(reference: "RO/M/3"), """{"jurisdiction":"RO"}""");
        Assert.Equal(HttpStatusCode.OK, (await prosecutor.SubmitBatchAsync(batch)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await steward.PostAsync("/api/v1/links/recompute", null)).StatusCode);

        string text = "";
        for (var i = 0; i < 100 && !text.Contains("job=\"compute-links\""); i++)
        {
            await Task.Delay(100);
            var response = await steward.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString());
            text = await response.Content.ReadAsStringAsync();
        }

        Assert.Contains("# TYPE analytics_cases_ingested_total counter", text);
        Assert.Contains("analytics_cases_ingested_total{mode=\"single\",outcome=\"created\"} 1\n", text);
        Assert.Contains("analytics_cases_ingested_total{mode=\"single\",outcome=\"unchanged\"} 1\n", text);
        Assert.Contains("analytics_cases_ingested_total{mode=\"batch\",outcome=\"created\"} 2\n", text);
        Assert.Contains("analytics_cases_ingested_total{mode=\"batch\",outcome=\"rejected\"} 1\n", text);
        Assert.Contains("# TYPE analytics_http_request_duration_seconds histogram", text);
        Assert.Matches("analytics_http_request_duration_seconds_count\\{method=\"POST\",route=\"/api/v1/cases\",status=\"201\"\\} 1\n", text);
        Assert.Matches("analytics_http_request_duration_seconds_bucket\\{method=\"POST\",route=\"/api/v1/cases/batch\",status=\"200\",le=\"\\+Inf\"\\} 1\n", text);
        Assert.Matches("analytics_job_duration_seconds_count\\{job=\"compute-links\",outcome=\"succeeded\"\\} [1-9]", text);
        Assert.Contains("analytics_jobs{state=\"enqueued\"}", text);
        // Every line is a comment or "name{labels} value".
        Assert.All(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(SampleLine(), line));
        foreach (var identifier in new[] { "RO/M/1", "RO-PROSECUTOR", SampleCases.VictimName, SampleCases.Email, SampleCases.Phone, "721 234" })
            Assert.DoesNotContain(identifier, text);
    }

    [Fact]
    public async Task Metrics_NeedAStewardKey_UnlessAnonymousAccessIsConfigured()
    {
        using var closed = new AnalyticsFactory();
        Assert.Equal(HttpStatusCode.Unauthorized, (await closed.CreateClient().GetAsync("/metrics")).StatusCode);
        var analyst = await closed.ClientForAsync(Roles.Analyst);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/metrics")).StatusCode);

        using var open = new RoleFactory("all", ("Metrics:AllowAnonymous", "true"));
        Assert.Equal(HttpStatusCode.OK, (await open.CreateClient().GetAsync("/metrics")).StatusCode);
    }

    [GeneratedRegex("^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\\{([a-z]+=\"[^\"]*\",?)+\\})? -?[0-9.e+-]+|[a-z_]+(\\{([a-z]+=\"[^\"]*\",?)+\\})? \\+Inf)$")]
    private static partial Regex SampleLine();
}
