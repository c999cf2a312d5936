namespace Analytics.Api.Startup;

public static class ServiceRegistration
{
    public static IServiceCollection AddFirstRun(this IServiceCollection services)
    {
        services.AddOptions<FirstRunOptions>().BindConfiguration(FirstRunOptions.Section);
        services.AddSingleton<FirstRun>();
        return services;
    }
}
