namespace Analytics.Api.Audit;

/// <summary>
/// What a handler adds to its request's audit entry beyond the route and query values: the new value of a setting it
/// changed, for example, which the middleware cannot see because it never reads a body. Written under
/// <c>parameters.details</c>. Only for values a handler has validated and that identify no one (a cron expression, a code);
/// each value is cut to <see cref="MaxValueLength"/> characters and at most <see cref="MaxCount"/> are kept, so an entry
/// stays small.
/// </summary>
public static class AuditDetails
{
    public const int MaxValueLength = 100;
    public const int MaxCount = 8;

    private static readonly object Key = new();

    public static void Add(HttpContext context, string name, string? value)
    {
        if (context.Items[Key] is not SortedDictionary<string, string?> details)
            context.Items[Key] = details = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        if (details.Count >= MaxCount && !details.ContainsKey(name)) return;
        details[name] = value is { Length: > MaxValueLength } ? value[..MaxValueLength] : value;
    }

    /// <summary>The details added while the request ran; null when none were.</summary>
    public static IReadOnlyDictionary<string, string?>? Of(HttpContext context) =>
        context.Items[Key] as SortedDictionary<string, string?>;
}
