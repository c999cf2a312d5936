using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Api.Errors;

/// <summary>The rules for the query values several routes share: page size, output format, year.</summary>
public static class QueryValues
{
    /// <summary>
    /// The page size to use, or the problem to answer instead. <c>?limit=</c> below 1 is refused with a problem naming it;
    /// above the list's maximum it is lowered to that maximum (a client asking for "everything" gets the largest page, and
    /// the next cursor).
    /// </summary>
    public static (int Take, ValidationProblem? Problem) Take(int? limit, int fallback, int maximum) =>
        limit is < 1
            ? (0, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/limit"] = [$"from 1 to {maximum:N0} (a larger one is lowered to {maximum:N0})"] },
                title: "Invalid page size; nothing was read."))
            : (Math.Min(limit ?? fallback, maximum), null);

    /// <summary>Whether <c>?format=</c> asks for CSV.</summary>
    public static bool IsCsv(string? format) => string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);

    /// <summary>What <c>?format=</c> may be: absent, json or csv. Anything else is refused rather than answered as JSON.</summary>
    public static bool IsFormat(string? format) =>
        format is null || IsCsv(format) || string.Equals(format, "json", StringComparison.OrdinalIgnoreCase);

    public const string FormatMessage = "json (the default) or csv";

    /// <summary>A four-digit year; year 0 does not exist in the calendar the months are computed in.</summary>
    public static bool IsYear(string value) => value.Length == 4 && value.All(char.IsAsciiDigit) && value != "0000";
}
