using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Api.Errors;

/// <summary>The rules for the query values several routes share: page size, page cursor, output format, year, instant.</summary>
public static partial class QueryValues
{
    /// <summary>
    /// An instant from <c>?<paramref name="name"/>=</c>, or the problem to answer instead. It must be ISO 8601 with a date,
    /// a time and <c>Z</c> or an offset: a value without one (or a date alone) would be read in the server's local time,
    /// which no client can know, so it is refused with a problem naming the parameter (the value is not echoed).
    /// </summary>
    public static (DateTimeOffset? Instant, ValidationProblem? Problem) Instant(string? value, string name)
    {
        if (value is null) return (null, null);
        if (InstantShape().IsMatch(value)
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
            return (instant, null);
        return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["/" + name] = ["an ISO 8601 instant with Z or an offset, e.g. 2026-11-24T09:00:00Z or 2026-11-24T10:00:00+01:00; a time without one is not read in any zone"],
            },
            title: $"Invalid {name}; nothing was read."));
    }

    // Date, time (minutes, optional seconds and up to seven fractional digits) and a required Z or ±hh:mm.
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})$")]
    private static partial Regex InstantShape();

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

    /// <summary>
    /// The <c>?after=</c> of a list paged by case id (the <c>next</c> of its previous page, a case id), in the lower case
    /// ids are stored in; or the problem to answer instead. A value that cannot be a case id is refused, not read as a
    /// cursor past every case (an empty page, as if there were no data).
    /// </summary>
    public static (string? After, ValidationProblem? Problem) CaseIdCursor(string? after) =>
        after is null ? (null, null)
        : Guid.TryParseExact(after, "D", out var id) ? (id.ToString("D"), null)
        : (null, CursorProblem("a case id: the next value of the previous page"));

    /// <summary>
    /// The <c>?after=</c> of a list paged by number (the <c>next</c> of its previous page), or the problem to answer
    /// instead: numbers start at 1, so 0 reads from the first; a negative one cannot have been given out.
    /// </summary>
    public static ValidationProblem? NumberCursor(long? after) =>
        after is < 0 ? CursorProblem("a number of 0 or more: the next value of the previous page, or the last number you have") : null;

    private static ValidationProblem CursorProblem(string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/after"] = [message] }, title: "Invalid page cursor; nothing was read.");

    /// <summary>Whether <c>?format=</c> asks for CSV.</summary>
    public static bool IsCsv(string? format) => string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);

    /// <summary>What <c>?format=</c> may be: absent, json or csv. Anything else is refused rather than answered as JSON.</summary>
    public static bool IsFormat(string? format) =>
        format is null || IsCsv(format) || string.Equals(format, "json", StringComparison.OrdinalIgnoreCase);

    public const string FormatMessage = "json (the default) or csv";

    /// <summary>A four-digit year; year 0 does not exist in the calendar the months are computed in.</summary>
    public static bool IsYear(string value) => value.Length == 4 && value.All(char.IsAsciiDigit) && value != "0000";
}
