using System.IO.Pipelines;
using System.Text.Json;
using System.Text.RegularExpressions;
using Analytics.Api.Auth;
using Analytics.Api.Learning;
using Analytics.Data.Audit;
using Microsoft.AspNetCore.Http.Features;

namespace Analytics.Api.Audit;

/// <summary>
/// Audits every request under /api, authenticated or not: who, which endpoint, which platform ids, the status,
/// the response size and the duration; and every command of the job dashboard (a POST under /hangfire: trigger,
/// requeue, delete), which changes what runs as surely as the API's own routes. It runs outermost, so problems
/// written by the exception handler and the status-code pages are counted too. It never reads the request body.
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next, AuditLog log, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var dashboardCommand = JobDashboardCommand.Is(context.Request);
        if (!context.Request.Path.StartsWithSegments("/api") && !dashboardCommand)
        {
            await next(context);
            return;
        }

        var at = time.GetUtcNow();
        var started = time.GetTimestamp();
        // Taken now: the exception handler clears the endpoint when it answers a failed request (a 500, or a body that
        // does not bind), and those are the requests the trail most needs to name.
        var endpoint = context.GetEndpoint();
        // Copied for the same reason: the exception handler clears the route values too, and they name what was acted on.
        var routeValues = new RouteValueDictionary(context.Request.RouteValues);
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var counting = new CountingResponseBody(original);
        context.Features.Set<IHttpResponseBodyFeature>(counting);
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            context.Features.Set(original);
            var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            var durationMs = (long)time.GetElapsedTime(started).TotalMilliseconds;
            await log.AppendAsync(dashboardCommand
                ? JobDashboardCommand.Draft(context, at, status, counting.Written, durationMs)
                : Draft(context, endpoint ?? context.GetEndpoint(), routeValues, at, status, counting.Written, durationMs));
        }
    }

    private static AuditDraft Draft(HttpContext context, Endpoint? endpoint, RouteValueDictionary routeValues, DateTimeOffset at, int status, long size, long durationMs)
    {
        var user = context.User;
        var authenticated = user.Identity?.IsAuthenticated == true;
        var method = Startup.HeadRequests.MethodOf(context);
        var template = (endpoint as RouteEndpoint)?.RoutePattern.RawText;
        if (template is { Length: > 1 }) template = template.TrimEnd('/');
        var route = $"{method} {template ?? "(no matching endpoint)"}";
        var action = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? (template is null ? "unmatched" : route);
        return new AuditDraft(
            at,
            authenticated ? user.PrincipalId() : "anonymous",
            authenticated ? user.RoleOf() : null,
            authenticated ? user.JurisdictionOf() : null,
            action,
            method,
            route,
            AuditParameters.Of(context.Request, endpoint, routeValues, status == StatusCodes.Status201Created ? context.Response.Headers.Location.ToString() : null),
            status,
            size,
            durationMs);
    }
}

/// <summary>
/// What of a request's parameters may be audited: route values that have the shape of a platform id, and
/// query values of an allow-list of non-identifying parameters. Anything else a client typed could be an
/// identifier and is left out (route values are replaced by "[redacted]"; unlisted query keys are only counted).
/// </summary>
public static partial class AuditParameters
{
    public const string Redacted = "[redacted]";
    private const int MaxValueLength = 64;

    private static readonly HashSet<string> AllowedKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "page", "pageSize", "limit", "after", "format", "period", "jurisdiction", "exploitationType", "ageBand", "job", "since", "k",
        // The filters and windows of the aggregate queries: a series of them is how differencing would show.
        "from", "to", "origin", "destination", "interval", "recentMonths", "baselineMonths", "alpha", "offset", "revoked", "before", "unread",
        // A full walk of the audit chain (?full=true) reads far more than a normal verification.
        "full",
    };

    public static IReadOnlySet<string> AllowedQueryKeys => AllowedKeys;

    private static readonly HashSet<string> KnownNames = [.. ModelNames.All, "all", .. Jobs.JobScheduler.DefaultSchedules.Keys];

    public static string Of(HttpRequest request) => Of(request, request.HttpContext.GetEndpoint(), request.RouteValues);

    /// <summary>
    /// The parameters of a request whose endpoint and route values were taken before the pipeline ran (which can clear them).
    /// <paramref name="location"/> is where a created resource lives (the Location of a 201): its id, the last segment,
    /// is kept as "created" when it has the shape of a platform id, so the trail says which key or case was created.
    /// </summary>
    public static string Of(HttpRequest request, Endpoint? endpoint, RouteValueDictionary routeValues, string? location = null)
    {
        var route = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var pattern = (endpoint as Microsoft.AspNetCore.Routing.RouteEndpoint)?.RoutePattern;
        foreach (var (key, value) in routeValues)
        {
            var numeric = pattern?.ParameterPolicies.TryGetValue(key, out var policies) == true && policies.Any(p => p.Content == "int");
            route[key] = PlatformId(key, value?.ToString(), numeric);
        }

        var query = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var unlisted = 0;
        foreach (var (key, values) in request.Query)
        {
            if (!AllowedKeys.TryGetValue(key, out var canonicalKey)) { unlisted++; continue; }
            query[canonicalKey] = QueryValue(canonicalKey, values.ToString());
        }

        var parameters = new SortedDictionary<string, object>(StringComparer.Ordinal);
        if (route.Count > 0) parameters["route"] = route;
        if (query.Count > 0) parameters["query"] = query;
        if (unlisted > 0) parameters["unlistedQueryKeys"] = unlisted;
        if (location?[(location.LastIndexOf('/') + 1)..] is { Length: > 0 } created && (Guid.TryParseExact(created, "D", out _) || KeyIdShape().IsMatch(created)))
            parameters["created"] = created;
        if (AuditDetails.Of(request.HttpContext) is { Count: > 0 } details) parameters["details"] = details;
        return JsonSerializer.Serialize(parameters);
    }

    /// <summary>A job id of the job storage (a number or a UUID) or a recurring job's name as given; anything else redacted.</summary>
    public static string JobId(string? value) =>
        value is not null && (IntegerShape().IsMatch(value) || Guid.TryParseExact(value, "D", out _) || KnownNames.Contains(value)) ? value : Redacted;

    // A route's own ids: a number only where the route takes one ({id:int}); elsewhere a case id (a UUID) or a key id.
    // "0721234567" or "6080602123" in the place of a case id is a phone or a personal number, not an id.
    private static string PlatformId(string key, string? value, bool numeric)
    {
        if (string.IsNullOrEmpty(value)) return "";
        var isId = key switch
        {
            "version" => VersionShape().IsMatch(value),
            "name" or "job" => KnownNames.Contains(value),
            _ when numeric => IntegerShape().IsMatch(value),
            _ => Guid.TryParseExact(value, "D", out _) || KeyIdShape().IsMatch(value),
        };
        return isId ? value : Redacted;
    }

    /// <summary>
    /// A query value is kept only in the shape its parameter takes (a number, a country code, a code, a month, a cursor),
    /// so that no value a client typed by mistake or on purpose (an IBAN as a cursor, a name as a code) is written down.
    /// </summary>
    private static string QueryValue(string key, string value)
    {
        if (value.Length > MaxValueLength || !SafeValue().IsMatch(value)) return Redacted;
        var kept = key switch
        {
            "page" or "pageSize" or "limit" or "offset" or "k" or "recentMonths" or "baselineMonths" => SmallNumberShape().IsMatch(value),
            "alpha" => value.Length <= 12 && double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var a) && a is >= 0 and <= 1,
            "jurisdiction" or "origin" or "destination" => CountryShape().IsMatch(value),
            "from" or "to" => MonthShape().IsMatch(value),
            "format" or "interval" or "revoked" or "unread" or "full" => WordShape().IsMatch(value),
            // A cursor (a UUID, a key id, a number with no leading zero) or an instant with its time: a bare date may be a date of birth.
            "after" or "before" or "since" => Guid.TryParseExact(value, "D", out _) || IntegerShape().IsMatch(value) || KeyIdShape().IsMatch(value) || InstantShape().IsMatch(value),
            _ => CodeShape().IsMatch(value), // exploitationType, ageBand, job, period: code-list codes and job names.
        };
        return kept ? value : Redacted;
    }

    [GeneratedRegex("^[0-9]{1,7}$")]
    private static partial Regex SmallNumberShape();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryShape();

    [GeneratedRegex("^[0-9]{4}(-[0-9]{2})?$")]
    private static partial Regex MonthShape();

    [GeneratedRegex("^[a-z]{1,10}$")]
    private static partial Regex WordShape();

    // Code-list codes and job names (sexual, online-sexual, train:patterns), which start with a letter, and age bands
    // (0-8, 15-17, 60+). Not digits alone, and no '+' in front, which phone numbers would need.
    [GeneratedRegex("^([a-z][a-z0-9:-]{0,39}|[0-9]{1,2}(-[0-9]{1,2}|\\+))$")]
    private static partial Regex CodeShape();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})?$")]
    private static partial Regex InstantShape();

    [GeneratedRegex("^v[0-9]{1,6}$")]
    private static partial Regex VersionShape();

    // Ids and cursors count from 1: no leading zero, which national phone numbers have.
    [GeneratedRegex("^[1-9][0-9]{0,9}$")]
    private static partial Regex IntegerShape();

    // API key ids: 12 lower-case hex characters.
    [GeneratedRegex("^[0-9a-f]{12}$")]
    private static partial Regex KeyIdShape();

    // Codes, numbers, cursors and dates; no spaces or '@', which names and e-mail addresses need ('+' only where an
    // instant's offset has it: every key's own shape decides).
    [GeneratedRegex("^[A-Za-z0-9._:,+-]*$")]
    private static partial Regex SafeValue();
}

/// <summary>
/// The job dashboard's commands (Hangfire's POST routes: trigger or remove a recurring job, requeue or delete jobs). The
/// route is written with Hangfire's own words only, a job id in the path as {id}; the job ids a command names (its
/// jobs[] form values, read from the form Hangfire has already parsed, never from the body) are written as ids or
/// redacted. Its statistics poll (POST /hangfire/stats) reads and is not a command.
/// </summary>
internal static class JobDashboardCommand
{
    private const string Prefix = "/hangfire";
    public const string Action = "JobDashboard";

    private static readonly HashSet<string> Words = new(StringComparer.Ordinal)
    {
        "jobs", "actions", "delete", "requeue", "enqueue", "awaiting", "deleted", "enqueued", "failed", "processing",
        "scheduled", "succeeded", "recurring", "remove", "trigger", "retries",
    };

    public static bool Is(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.StartsWithSegments(Prefix, out var rest) && !rest.StartsWithSegments("/stats");

    public static AuditDraft Draft(HttpContext context, DateTimeOffset at, int status, long size, long durationMs)
    {
        var user = context.User;
        var authenticated = user.Identity?.IsAuthenticated == true;
        context.Request.Path.StartsWithSegments(Prefix, out var rest);
        var template = new List<string>();
        var parameters = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var segment in (rest.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Words.Contains(segment))
            {
                template.Add(segment);
                continue;
            }
            template.Add("{id}");
            parameters["route"] = new SortedDictionary<string, string> { ["id"] = AuditParameters.JobId(Uri.UnescapeDataString(segment)) };
        }
        if (context.Request.HasFormContentType && context.Features.Get<IFormFeature>()?.Form is { } form && form.TryGetValue("jobs[]", out var jobs))
            parameters["form"] = new SortedDictionary<string, object> { ["jobs"] = jobs.Select(AuditParameters.JobId).ToArray() };
        var route = $"POST {Prefix}/{string.Join('/', template)}".TrimEnd('/');
        return new AuditDraft(at, authenticated ? user.PrincipalId() : "anonymous", authenticated ? user.RoleOf() : null,
            authenticated ? user.JurisdictionOf() : null, Action, "POST", route, JsonSerializer.Serialize(parameters), status, size, durationMs);
    }
}

/// <summary>Passes the response through unchanged and counts the bytes written, whichever way they are written.</summary>
internal sealed class CountingResponseBody(IHttpResponseBodyFeature inner) : IHttpResponseBodyFeature
{
    private Stream? _stream;
    private PipeWriter? _writer;

    public long Written { get; private set; }

    public Stream Stream => _stream ??= new CountingStream(inner.Stream, n => Written += n);
    public PipeWriter Writer => _writer ??= new CountingPipeWriter(inner.Writer, n => Written += n);

    public void DisableBuffering() => inner.DisableBuffering();
    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);
    public Task CompleteAsync() => inner.CompleteAsync();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await inner.SendFileAsync(path, offset, count, cancellationToken);
        Written += count ?? new FileInfo(path).Length - offset;
    }

    private sealed class CountingPipeWriter(PipeWriter inner, Action<long> add) : PipeWriter
    {
        public override void Advance(int bytes)
        {
            inner.Advance(bytes);
            add(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;
        public override long UnflushedBytes => inner.UnflushedBytes;
    }

    private sealed class CountingStream(Stream inner, Action<long> add) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            add(count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            add(buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            add(buffer.Length);
        }
    }
}
