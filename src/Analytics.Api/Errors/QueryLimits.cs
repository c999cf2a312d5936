using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Api.Errors;

/// <summary>
/// The one rule for <c>?limit=</c> on the paged lists: below 1 it is refused with a problem naming it; above the list's
/// maximum it is lowered to that maximum (a client asking for "everything" gets the largest page, and the next cursor).
/// </summary>
public static class QueryLimits
{
    /// <summary>The page size to use, or the problem to answer instead.</summary>
    public static (int Take, ValidationProblem? Problem) Take(int? limit, int fallback, int maximum) =>
        limit is < 1
            ? (0, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/limit"] = [$"from 1 to {maximum:N0} (a larger one is lowered to {maximum:N0})"] },
                title: "Invalid page size; nothing was read."))
            : (Math.Min(limit ?? fallback, maximum), null);
}
