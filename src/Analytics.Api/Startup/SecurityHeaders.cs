using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Analytics.Api.Startup;

/// <summary>
/// Response headers that keep the dashboard and the API from being sniffed, framed, leaking addresses in a referrer or
/// loading anything from elsewhere, and keep API answers (record-level hits, audit entries) out of every cache.
/// </summary>
public static partial class SecurityHeaders
{
    /// <summary>The dashboard has no inline script or style and calls only its own origin.</summary>
    public const string Policy = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    // The API reference (Scalar) starts from one inline module script and styles itself at run time; its fonts and
    // telemetry are switched off where it is mapped, so it too needs nothing from another origin.
    private const string DocsPolicy = "default-src 'self'; script-src 'self' {0}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        if (path.StartsWithSegments("/api")) headers.CacheControl = "no-store";
        // Hangfire's dashboard writes inline styles: it keeps the headers above, not the content policy.
        if (path.StartsWithSegments("/hangfire"))
        {
            await next(context);
            return;
        }
        // Scalar's files (scripts, styles, icons) are sent as they come; only its page is read for inline scripts.
        if (!path.StartsWithSegments("/docs") || Path.HasExtension(path.Value))
        {
            headers.ContentSecurityPolicy = path.StartsWithSegments("/docs") ? DocsPolicyWith("") : Policy;
            await next(context);
            return;
        }
        await WithDocsPolicyAsync(context, next);
    });

    /// <summary>
    /// Scalar's page carries its settings in an inline script, so the page is buffered and the policy allows exactly the
    /// inline scripts it has (by hash) and no other. Its script and style files are served under the same policy.
    /// </summary>
    private static async Task WithDocsPolicyAsync(HttpContext context, RequestDelegate next)
    {
        var body = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }
        var hashes = "";
        if (context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
        {
            var html = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            hashes = string.Join(' ', InlineScript().Matches(html)
                .Select(m => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups[1].Value)))}'"));
        }
        context.Response.Headers.ContentSecurityPolicy = DocsPolicyWith(hashes);
        if (context.Response.ContentLength is not null) context.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(body, context.RequestAborted);
    }

    private static string DocsPolicyWith(string scriptHashes) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, DocsPolicy, scriptHashes).Replace("  ", " ", StringComparison.Ordinal);

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
