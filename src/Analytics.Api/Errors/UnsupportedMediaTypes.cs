using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Template;

namespace Analytics.Api.Errors;

/// <summary>
/// Every <c>415</c> is one problem: title "Unsupported media type" and a detail saying what to send. A route that declares
/// the bodies it takes (<c>Accepts</c>) is not reached with another content type: routing answers 415 by itself, with a
/// bare problem, which is completed here with the media type the route takes.
/// </summary>
public static class UnsupportedMediaTypes
{
    public const string Title = "Unsupported media type";

    /// <summary>The detail of a 415 for a route that takes <paramref name="mediaType"/>.</summary>
    public static string Detail(string mediaType) => $"Send the body as {mediaType}.";

    /// <summary>Completes a 415 problem that has no detail (<see cref="ProblemDetailsOptions.CustomizeProblemDetails"/>).</summary>
    public static void Complete(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status != StatusCodes.Status415UnsupportedMediaType || context.ProblemDetails.Detail is not null) return;
        context.ProblemDetails.Title = Title;
        context.ProblemDetails.Detail = Detail(Accepted(context.HttpContext) ?? "application/json");
    }

    // The first media type declared by the route of this method and path that declares its bodies.
    private static string? Accepted(HttpContext context)
    {
        var endpoints = context.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints;
        foreach (var endpoint in endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is not { ContentTypes.Count: > 0 } accepts) continue;
            if (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is { } methods
                && !methods.HttpMethods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase)) continue;
            var matcher = new TemplateMatcher(new RouteTemplate(endpoint.RoutePattern), new RouteValueDictionary());
            if (matcher.TryMatch(context.Request.Path, new RouteValueDictionary())) return accepts.ContentTypes[0];
        }
        return null;
    }
}
