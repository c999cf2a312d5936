using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Analytics.Api.Errors;

/// <summary>
/// Bodies sent to the API are read as UTF-8, as they are sent: another charset, or a compressed body, is refused with
/// <c>415</c> and a problem saying what is not supported, before any route reads it (rather than read as bytes that are not
/// UTF-8 or not JSON, and refused as malformed). US-ASCII is a subset of UTF-8, so it is taken too. Neither the charset nor
/// the coding sent is echoed back.
/// </summary>
public static class BodyEncoding
{
    public static IApplicationBuilder UseBodyEncoding(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // Only a request that has a body: headers on a GET (or an empty POST) describe nothing that is read.
        if (context.Request.Path.StartsWithSegments("/api") && context.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: false }
            && Unsupported(context.Request) is { } detail)
        {
            await Refusals.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, UnsupportedMediaTypes.Title, detail);
            return;
        }
        await next(context);
    });

    /// <summary>What is not supported in how the body is sent, or null when it is read as it comes.</summary>
    internal static string? Unsupported(HttpRequest request)
    {
        // Every request with a body passes here: the usual one (no Content-Encoding, no parameter after its media type) is
        // let through without splitting or parsing a header.
        if (request.Headers.ContentEncoding.Count > 0
            && request.Headers.ContentEncoding.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Any(c => !string.Equals(c, "identity", StringComparison.OrdinalIgnoreCase)))
            return "A Content-Encoding (a compressed body) is not supported: send the body uncompressed, without Content-Encoding.";
        if (request.ContentType is { } contentType && contentType.Contains(';', StringComparison.Ordinal)
            && MediaTypeHeaderValue.TryParse(contentType, out var mediaType) && mediaType.Charset.HasValue)
        {
            var charset = HeaderUtilities.RemoveQuotes(mediaType.Charset).Value;
            if (!(string.Equals(charset, "utf-8", StringComparison.OrdinalIgnoreCase) || string.Equals(charset, "utf8", StringComparison.OrdinalIgnoreCase)
                || string.Equals(charset, "us-ascii", StringComparison.OrdinalIgnoreCase)))
                return "Only the UTF-8 charset is supported: send the body as UTF-8, with charset=utf-8 or no charset.";
        }
        return null;
    }
}
