using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Analytics.Api.Startup;

/// <summary>
/// HEAD on every GET route (RFC 9110 §9.3.2): the request is routed, authorised, audited and answered as its GET, with the
/// same status and headers and no body. Minimal API routes match GET only, so without this a HEAD answered 405.
/// </summary>
public static class HeadRequests
{
    private static readonly object Marker = new();

    /// <summary>Runs before routing, which is why it comes before <c>UseRouting</c>.</summary>
    public static IApplicationBuilder UseHeadRequests(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await next(context);
            return;
        }
        context.Items[Marker] = true;
        context.Request.Method = HttpMethods.Get;
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        context.Features.Set<IHttpResponseBodyFeature>(new DiscardedBody(original));
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(original);
            context.Request.Method = HttpMethods.Head;
        }
    });

    /// <summary>The method the client sent: HEAD for a request answered as its GET.</summary>
    public static string MethodOf(HttpContext context) => context.Items.ContainsKey(Marker) ? HttpMethods.Head : context.Request.Method;

    // Writes go nowhere; starting the response (status and headers) still goes to the server.
    private sealed class DiscardedBody(IHttpResponseBodyFeature inner) : IHttpResponseBodyFeature
    {
        private PipeWriter? _writer;

        public Stream Stream => Stream.Null;

        public PipeWriter Writer => _writer ??= PipeWriter.Create(Stream.Null);

        public void DisableBuffering() => inner.DisableBuffering();

        public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

        public Task CompleteAsync() => inner.StartAsync();
    }
}
