namespace Analytics.Api.Operations;

/// <summary>
/// What this process does when several nodes share one database and one Hangfire storage.
/// <c>all</c> (the default, one machine) serves the API and runs the jobs; <c>api</c> serves the API and the
/// dashboard and only enqueues jobs; <c>worker</c> runs the Hangfire server and answers only health and metrics.
/// </summary>
public sealed class NodeOptions
{
    public const string Section = "Node";
    public const string All = "all";
    public const string Api = "api";
    public const string Worker = "worker";

    public string Role { get; set; } = All;

    public bool ServesApi => Role is All or Api;
    public bool RunsJobs => Role is All or Worker;

    /// <summary>Reads and checks the role before the host is built (it decides which services and endpoints exist).</summary>
    public static NodeOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<NodeOptions>() ?? new NodeOptions();
        options.Role = options.Role.Trim().ToLowerInvariant();
        if (options.Role is not (All or Api or Worker))
            throw new NotSupportedException($"Node:Role '{options.Role}' is not known; use 'all', 'api' or 'worker'.");
        return options;
    }
}
