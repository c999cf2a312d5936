using Microsoft.AspNetCore.Diagnostics;

namespace Analytics.Api.Errors;

/// <summary>
/// The one place unexpected failures end up. The exception is logged by type and stack only: its message could
/// echo submitted data, so it is never returned to the client.
/// </summary>
public sealed class UnexpectedExceptionHandler(IProblemDetailsService problems, ILogger<UnexpectedExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is BadHttpRequestException bad)
        {
            context.Response.StatusCode = bad.StatusCode;
            return await problems.TryWriteAsync(new()
            {
                HttpContext = context,
                ProblemDetails = { Status = bad.StatusCode, Title = bad.StatusCode == 413 ? "Request body too large" : "Bad request" },
            });
        }

        logger.LogError("Unhandled {ExceptionType} ({InnerType}) at {Path}: {StackTrace}", exception.GetType().FullName,
            exception.GetBaseException().GetType().FullName, context.Request.Path, exception.GetBaseException().StackTrace);
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new()
        {
            HttpContext = context,
            ProblemDetails = { Status = 500, Title = "Unexpected error", Detail = "The request was not completed; nothing was stored. The error has been logged." },
        });
    }
}
