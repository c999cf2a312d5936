using Analytics.Api.Errors;

namespace Analytics.Api.Auth;

/// <summary>
/// Refuses a request that carries more than one of the service's credentials: two <c>X-Api-Key</c> headers, two
/// <c>Authorization</c> headers, or a key beside an <c>Authorization: ApiKey</c> or <c>Bearer</c> credential. Each
/// handler reads only its own header, so such a request would be served as one of its callers and audited as that one,
/// while a proxy or log in front of the service may have read the other.
/// </summary>
public static class SingleCredential
{
    public const string Title = "More than one credential";

    public static IApplicationBuilder UseSingleCredential(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (Conflict(context.Request) is { } detail)
        {
            context.Response.Headers.WWWAuthenticate = ApiKeyAuthenticationHandler.SchemeName;
            await Refusals.WriteAsync(context, StatusCodes.Status401Unauthorized, Title, detail);
            return;
        }
        await next(context);
    });

    /// <summary>Why the request's credentials are ambiguous; null when it carries at most one.</summary>
    public static string? Conflict(HttpRequest request)
    {
        var keys = request.Headers["X-Api-Key"].Count;
        var authorization = request.Headers.Authorization;
        var credentials = authorization.Count(IsCredential);
        if (keys > 1) return "The request carries more than one X-Api-Key header. Send one credential, once.";
        if (credentials > 0 && authorization.Count > 1)
            return "The request carries more than one Authorization header. Send one credential, once.";
        if (keys == 1 && credentials > 0)
            return "The request carries both an X-Api-Key header and an API key or bearer token in Authorization. Send one of them.";
        return null;
    }

    private static bool IsCredential(string? authorization) =>
        authorization is not null && (authorization.StartsWith("ApiKey ", StringComparison.OrdinalIgnoreCase)
            || authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase));
}
