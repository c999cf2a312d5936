using Analytics.Api.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Analytics.Api.Tests.Errors;

/// <summary>An unexpected failure is logged with the route's template, never the path a client typed.</summary>
public sealed class UnexpectedErrorLogTests
{
    private sealed class Capture : ILogger<UnexpectedExceptionHandler>
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }

    private sealed class Failure : IExceptionHandlerFeature
    {
        public required Exception Error { get; init; }
        public string Path => "/api/v1/cases/Ioana Mărginean";
        public Endpoint? Endpoint { get; init; }
    }

    [Fact]
    public async Task AFailureOnAPathHoldingAName_IsLoggedWithTheRouteTemplate_AndAnswered500()
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var log = new Capture();
        var handler = new UnexpectedExceptionHandler(services.GetRequiredService<IProblemDetailsService>(), log);
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "GET";
        context.Request.Path = "/api/v1/cases/Ioana Mărginean";
        context.Response.Body = new MemoryStream();
        var endpoint = new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("/api/v1/cases/{id}"), 0, EndpointMetadataCollection.Empty, "GetCase");
        var error = new InvalidOperationException("database unreachable while reading Ioana Mărginean");
        context.Features.Set<IExceptionHandlerFeature>(new Failure { Error = error, Endpoint = endpoint });

        Assert.True(await handler.TryHandleAsync(context, error, CancellationToken.None));

        Assert.Equal(500, context.Response.StatusCode);
        var line = Assert.Single(log.Lines);
        Assert.Contains("GET /api/v1/cases/{id}", line);
        Assert.DoesNotContain("Ioana", line);
        Assert.DoesNotContain("Mărginean", line);
    }
}
