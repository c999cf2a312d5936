namespace Analytics.Api.Errors;

/// <summary>
/// <c>?format=</c> on the API's GET routes. A route that also answers CSV declares it (<see cref="WithCsv"/>) and checks
/// the value with its other parameters (<see cref="QueryValues.IsFormat"/>), so one problem names every bad one. Every
/// other route answers JSON only: <c>?format=json</c> is taken, and any other format is refused here with a problem on
/// <c>/format</c>, rather than answered as JSON the client did not ask for.
/// </summary>
public static class FormatParameter
{
    /// <summary>The metadata of a route that answers <c>?format=csv</c> as well as JSON.</summary>
    public sealed class ServesCsv
    {
        internal static readonly ServesCsv Instance = new();
        private ServesCsv() { }
    }

    /// <summary>Declares that the route answers <c>?format=csv</c> (and checks <c>?format=</c> itself).</summary>
    public static RouteHandlerBuilder WithCsv(this RouteHandlerBuilder route) => route.WithMetadata(ServesCsv.Instance);

    public const string JsonOnlyMessage = "json (the default): this route has no other format";

    /// <summary>Refuses a <c>?format=</c> the chosen route does not serve; after authorisation, so a caller without access learns nothing.</summary>
    public static IApplicationBuilder UseFormatParameter(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (Refused(context) is { } problem)
        {
            await problem.ExecuteAsync(context);
            return;
        }
        await next(context);
    });

    private static IResult? Refused(HttpContext context)
    {
        if (!(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))) return null;
        if (context.GetEndpoint() is not RouteEndpoint endpoint || endpoint.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) != true) return null;
        if (endpoint.Metadata.GetMetadata<ServesCsv>() is not null) return null;
        if (!context.Request.Query.TryGetValue("format", out var values)) return null;
        if (values.Count == 1 && string.Equals(values[0], "json", StringComparison.OrdinalIgnoreCase)) return null;
        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/format"] = [JsonOnlyMessage] },
            title: "Invalid format; nothing was read.");
    }
}
