using System.Net;
using System.Net.Http.Json;
using Analytics.Api.Health;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Microsoft.AspNetCore.Hosting;

namespace Analytics.Api.Tests.MultiNode;

/// <summary>The service with Node:Role set (and optionally other settings), on its own SQLite file.</summary>
public sealed class RoleFactory(string role, params (string Key, string Value)[] settings) : AnalyticsFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Node:Role", role);
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }
}

public sealed class NodeRoleTests
{
    [Fact]
    public async Task Worker_ServesHealthAndMetricsOnly_AndRunsTheJobServer()
    {
        using var worker = new RoleFactory("worker");
        var steward = await worker.ClientForAsync(Roles.Steward);

        Assert.Equal(HttpStatusCode.NotFound, (await steward.GetAsync("/api/v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await steward.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await steward.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await steward.GetAsync("/metrics")).StatusCode);
        var ready = await steward.GetFromJsonAsync<HealthReport>("/health/ready");
        // Two Hangfire servers: one for the default queue, one for the training queue.
        Assert.EndsWith("2 server(s)", ready!.Checks.Single(c => c.Name == "job-storage").Detail);
        Assert.False(File.Exists(Path.Combine(worker.DataFolder, "first-run-keys.txt")), "a worker issues no first-run keys");
    }

    [Fact]
    public async Task Api_ServesTheApi_WithoutAJobServer()
    {
        using var api = new RoleFactory("api");
        var steward = await api.ClientForAsync(Roles.Steward);

        Assert.Equal(HttpStatusCode.OK, (await steward.GetAsync("/api/v1/models")).StatusCode);
        var ready = await steward.GetFromJsonAsync<HealthReport>("/health/ready");
        Assert.EndsWith("0 server(s)", ready!.Checks.Single(c => c.Name == "job-storage").Detail);
        // Jobs are still accepted: they wait in the shared storage for a worker.
        Assert.Equal(HttpStatusCode.Accepted, (await steward.PostAsync("/api/v1/models/patterns/train", null)).StatusCode);
    }

    [Fact]
    public void UnknownRole_StopsStartUp()
    {
        using var factory = new RoleFactory("everything");
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Node:Role", error.ToString());
    }
}
