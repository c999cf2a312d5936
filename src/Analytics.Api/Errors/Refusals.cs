namespace Analytics.Api.Errors;

/// <summary>Answers a request from middleware, before any endpoint runs, with a problem (RFC 9457).</summary>
public static class Refusals
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new()
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}
