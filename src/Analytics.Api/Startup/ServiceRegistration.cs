using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Analytics.Api.Startup;

public static class ServiceRegistration
{
    /// <summary>
    /// The service runs from the repository root (data/ and models/ are relative to it) while appsettings.json
    /// ships beside the binary: read it from there first, so every other source (environment, command line) still wins.
    /// </summary>
    public static void AddSettingsBesideBinary(this ConfigurationManager configuration)
    {
        var source = new JsonConfigurationSource
        {
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
            Path = "appsettings.json",
            Optional = true,
        };
        ((IConfigurationBuilder)configuration).Sources.Insert(0, source);
    }

    public static IServiceCollection AddFirstRun(this IServiceCollection services)
    {
        services.AddOptions<FirstRunOptions>().BindConfiguration(FirstRunOptions.Section);
        services.AddSingleton<FirstRun>();
        return services;
    }
}
