using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.Cases;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Demo;

/// <summary>A demo set larger than one slice: generated and stored slice by slice, every case kept.</summary>
public sealed class SlicedDemoFactory : AnalyticsFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Demo:Enabled", "true");
        builder.UseSetting("Demo:Cases", "250");
        builder.UseSetting("Demo:SliceSize", "100");
    }
}

public sealed class DemoLoaderTests(SlicedDemoFactory factory) : IClassFixture<SlicedDemoFactory>
{
    [Fact]
    public async Task LargeDemoSet_IsStoredSliceBySlice_WithoutReusingAReference()
    {
        _ = factory.Server;
        var store = factory.Services.GetRequiredService<CaseStore>();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await store.CountAsync("active", CancellationToken.None) < 250 && DateTime.UtcNow < deadline) await Task.Delay(200);

        // Slices have their own seeds; without distinct references a later slice would update earlier cases instead.
        Assert.Equal(250, await store.CountAsync("active", CancellationToken.None));
        Assert.Contains(factory.Logs, l => l.Contains("200 of 250 cases stored", StringComparison.Ordinal));
    }
}
