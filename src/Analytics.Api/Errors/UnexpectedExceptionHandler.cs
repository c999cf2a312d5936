using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace Analytics.Api.Errors;

/// <summary>
/// The one place unexpected failures end up. The exception is logged by type and stack only: its message could
/// echo submitted data, so it is never returned to the client. A request the framework could not bind (a query
/// parameter that is not a number, a JSON body of the wrong shape or with a field the contract does not have) gets a
/// validation problem naming the parameter or the JSON Pointer of the field, without the value sent.
/// </summary>
public sealed partial class UnexpectedExceptionHandler(IProblemDetailsService problems, ILogger<UnexpectedExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is BadHttpRequestException bad)
        {
            context.Response.StatusCode = bad.StatusCode;
            if (bad.StatusCode == StatusCodes.Status400BadRequest && BindingError(bad) is { } error)
            {
                return await problems.TryWriteAsync(new()
                {
                    HttpContext = context,
                    ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [error.Field] = [error.Message] })
                    {
                        Status = 400,
                        Title = "The request could not be read; nothing was changed.",
                    },
                });
            }
            return await problems.TryWriteAsync(new()
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = bad.StatusCode,
                    Title = bad.StatusCode switch { 413 => "Request body too large", 415 => UnsupportedMediaTypes.Title, _ => "Bad request" },
                    Detail = bad.StatusCode == 415 ? UnsupportedMediaTypes.Detail("application/json") : null,
                },
            });
        }

        if (exception.GetBaseException() is Data.Pseudonymisation.KeyRingOutOfDateException stale)
        {
            // A node left running with an older ring after another started with a new key: a configuration matter, not a bug.
            logger.LogError("Case write refused: this node's active pseudonymisation key is {NodeKey}, the store's is {StoreKey}; restart it with the current key ring",
                stale.NodeKeyId, stale.StoreKeyId);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "60";
            return await problems.TryWriteAsync(new()
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = 503,
                    Title = "Pseudonymisation key ring out of date",
                    Detail = "This node's pseudonymisation keys are behind the store's, so it cannot write cases; nothing was stored. Send the request again: another node, or this one once restarted with the current keys, takes it.",
                },
            });
        }

        // The route's template, not the request's path: a path can carry what a client typed (GET /cases/<a name>).
        var endpoint = context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint();
        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(no route matched)";
        logger.LogError("Unhandled {ExceptionType} ({InnerType}) at {Method} {Route}: {StackTrace}", exception.GetType().FullName,
            exception.GetBaseException().GetType().FullName, context.Request.Method, route, exception.GetBaseException().StackTrace);
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new()
        {
            HttpContext = context,
            ProblemDetails = { Status = 500, Title = "Unexpected error", Detail = "The request was not completed; nothing was stored. The error has been logged." },
        });
    }

    // The framework's messages: Failed to bind parameter "int? limit" from "…". / Required parameter "… name" was not
    // provided from …. / Failed to read parameter "… body" from the request body as JSON. Only the type and name are used.
    // Implicit body inferred for parameter "… request" but no body was provided. (an empty body where one is needed).
    [GeneratedRegex("""^(?<kind>Failed to bind|Required|Failed to read|Implicit body inferred for) parameter "(?<type>[^"]*?)\s*(?<name>[A-Za-z_][A-Za-z0-9_]*)"(?<rest>.*)$""", RegexOptions.Singleline)]
    private static partial Regex FrameworkMessage();

    /// <summary>The field a binding failure is about, and what it should have been; null when the message is not one of the framework's.</summary>
    internal static (string Field, string Message)? BindingError(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json) return BodyError(json);
        var match = FrameworkMessage().Match(bad.Message);
        if (!match.Success) return null;
        var name = match.Groups["name"].Value;
        return match.Groups["kind"].Value switch
        {
            "Required" when match.Groups["rest"].Value.Contains("body", StringComparison.Ordinal) => ("", "A JSON body is required."),
            "Implicit body inferred for" => ("", "A JSON body is required."),
            "Required" => ("/" + name, "Required."),
            "Failed to read" => ("", "The body is not JSON of the expected shape."),
            _ => ("/" + name, $"Must be {Expected(match.Groups["type"].Value)}."),
        };
    }

    private static (string Field, string Message) BodyError(JsonException json)
    {
        // The small contracts of keys, schedules and alerts: a field-shaped name is repeated (no case data goes there).
        var (pointer, unknown) = Analytics.Core.Cases.CaseJson.Locate(json, Analytics.Core.Cases.CaseJson.FieldShaped);
        if (unknown) return (pointer, "Unknown property; the contract does not have it.");
        // As the case reader says it (AllowDuplicateProperties is off for every body): the pointer is the property's.
        if (json.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase)) return (pointer, "Property appears more than once.");
        return json.Path is null ? ("", "Malformed JSON.") : (pointer, "Wrong type or malformed value.");
    }

    private static string Expected(string type)
    {
        var bare = type.Replace("Nullable<", "", StringComparison.Ordinal).TrimEnd('>', '?').Trim();
        return bare switch
        {
            "int" or "Int32" or "long" or "Int64" => "a whole number",
            "double" or "Double" or "float" or "Single" or "decimal" => "a number",
            "bool" or "Boolean" => "true or false",
            "DateTimeOffset" or "DateTime" => "a date and time (ISO 8601, e.g. 2026-11-24T09:00:00Z)",
            "DateOnly" => "a date (yyyy-MM-dd)",
            "Guid" => "a UUID",
            _ => $"a valid {bare}",
        };
    }
}
