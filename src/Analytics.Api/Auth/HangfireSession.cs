using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Analytics.Data.ApiKeys;
using Analytics.Data.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Auth;

public sealed class HangfireSessionOptions
{
    public const string Section = "HangfireSession";

    /// <summary>How long a session lasts from its sign-in (never longer than the bearer token it was opened with).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "12:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Marks the cookie Secure on every request, not only on those that reach the service over HTTPS: for a proxy that
    /// terminates TLS and forwards plain HTTP.
    /// </summary>
    public bool AlwaysSecure { get; set; }

    /// <summary>
    /// A folder for the Data Protection keys that seal the session cookie. Several API nodes behind one address must share
    /// it, or a session opened on one node is refused by the others. Empty: ASP.NET Core's default place for this user.
    /// </summary>
    public string? KeyRingPath { get; set; }
}

/// <summary>What the session endpoint answers: where the session applies and when it ends.</summary>
public sealed record HangfireSessionView(string Path, DateTimeOffset ExpiresAt);

/// <summary>
/// A browser session for Hangfire's dashboard (<c>/hangfire</c>) only. A browser does not send the key header when a page
/// is opened, so a steward signed in to the web dashboard (which sends the key with each call) opens a session with
/// <c>POST /api/v1/hangfire-session</c>, which answers with a cookie that browsers send to <c>/hangfire</c> alone. The cookie
/// holds no key: only a session id, the key's id (or a token's subject) and the time of sign-in, sealed by Data Protection
/// and limited in time. Each request re-checks the key as the header does, so revoking the key ends its sessions, and
/// looks the session up in the database, so a sign-out on any node ends it on all of them.
/// </summary>
public static class HangfireSession
{
    public const string SchemeName = "HangfireSession";
    public const string CookieName = "analytics_hangfire";
    public const string CookiePath = "/hangfire";

    public static IServiceCollection AddHangfireSession(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HangfireSessionOptions>().BindConfiguration(HangfireSessionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // One application name, so that nodes sharing a key ring read each other's cookies whatever folder they run from.
        var protection = services.AddDataProtection().SetApplicationName("Analytics");
        var keyRing = configuration[$"{HangfireSessionOptions.Section}:{nameof(HangfireSessionOptions.KeyRingPath)}"];
        if (!string.IsNullOrWhiteSpace(keyRing)) protection.PersistKeysToFileSystem(new DirectoryInfo(keyRing));
        services.AddSingleton<HangfireSessions>();
        // Not in any policy's schemes and not the default: only UseHangfireSession asks it, and only under /hangfire.
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, HangfireSessionHandler>(SchemeName, null);
        return services;
    }

    public static IEndpointRouteBuilder MapHangfireSessionApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/hangfire-session").WithTags("Jobs").RequireAuthorization(Policies.Steward);
        group.MapPost("", Open).WithName("OpenHangfireSession")
            .WithSummary("Opens a browser session for the Hangfire dashboard at /hangfire: a cookie sent to /hangfire only.");
        group.MapDelete("", Close).WithName("CloseHangfireSession")
            .WithSummary("Ends the caller's Hangfire dashboard sessions on every node and clears the cookie.");
        return app;
    }

    public static async Task<Results<Ok<HangfireSessionView>, ProblemHttpResult>> Open(
        HttpContext context, ClaimsPrincipal user, HangfireSessions sessions, CancellationToken ct)
    {
        var session = HangfireSessions.For(user, sessions.Now);
        if (session is null)
            return TypedResults.Problem("A session is bound to an API key's id or a token's subject (sub); this token has no subject.",
                statusCode: StatusCodes.Status403Forbidden, title: "No subject to bind the session to");
        if (session.Subject.Length > HangfireSessionStore.MaxSubjectLength)
            return TypedResults.Problem($"A session is bound to a token's subject (sub) of at most {HangfireSessionStore.MaxSubjectLength} characters.",
                statusCode: StatusCodes.Status403Forbidden, title: "Subject too long to bind the session to");
        var expires = sessions.Now + sessions.Lifetime;
        // A token's session ends with the token: the cookie must not outlive what it was opened with.
        if (long.TryParse(user.FindFirstValue("exp"), NumberStyles.None, CultureInfo.InvariantCulture, out var exp))
        {
            var tokenExpires = DateTimeOffset.FromUnixTimeSeconds(exp);
            if (tokenExpires < expires) expires = tokenExpires;
        }
        // Recorded before the cookie is handed out: a cookie whose session is not in the database is refused.
        await sessions.Store.OpenAsync(session.Id, session.Kind, session.Subject, session.OpenedAt, expires, ct);
        context.Response.Cookies.Append(CookieName, sessions.Seal(session, expires), CookieOptions(context, sessions, expires));
        return TypedResults.Ok(new HangfireSessionView(CookiePath, expires));
    }

    public static async Task<NoContent> Close(HttpContext context, ClaimsPrincipal user, HangfireSessions sessions, CancellationToken ct)
    {
        // The cookie is sent to /hangfire only, so this request does not carry it: every open session of the caller ends,
        // wherever its cookie is and whichever node it is sent to.
        if (HangfireSessions.For(user, sessions.Now) is { } session)
        {
            var ended = await sessions.Store.EndAllAsync(session.Kind, session.Subject, sessions.Now, ct);
            Audit.AuditDetails.Add(context, "sessionsEnded", ended.ToString(CultureInfo.InvariantCulture));
        }
        context.Response.Cookies.Delete(CookieName, CookieOptions(context, sessions, null));
        return TypedResults.NoContent();
    }

    private static CookieOptions CookieOptions(HttpContext context, HangfireSessions sessions, DateTimeOffset? expires) => new()
    {
        Path = CookiePath,
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps || sessions.AlwaysSecure,
        Expires = expires,
        IsEssential = true,
    };

    /// <summary>
    /// Reads the session cookie of a request to <c>/hangfire</c> that carries no key or token header (a header always
    /// wins, and one that fails is not rescued by a cookie), and refuses a command (any method but GET, HEAD, OPTIONS) that
    /// does not come from the service's own pages. Runs after authentication and before the Hangfire dashboard.
    /// </summary>
    public static IApplicationBuilder UseHangfireSession(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments(CookiePath) || context.User.Identity?.IsAuthenticated == true
            || ApiKeyAuthenticationHandler.HasCredentialHeader(request) || !request.Cookies.ContainsKey(CookieName))
        {
            await next(context);
            return;
        }
        var result = await context.AuthenticateAsync(SchemeName);
        if (!result.Succeeded)
        {
            // Expired, ended, or its key revoked: the browser need not keep sending it.
            var sessions = context.RequestServices.GetRequiredService<HangfireSessions>();
            context.Response.Cookies.Delete(CookieName, CookieOptions(context, sessions, null));
            await next(context);
            return;
        }
        // Set before the check below, so a refused command is audited under the key that the cookie stands for.
        context.User = result.Principal;
        if (!IsSafe(request.Method) && !FromThisOrigin(request))
        {
            await Errors.Refusals.WriteAsync(context, StatusCodes.Status403Forbidden, "Cross-site request refused",
                "A Hangfire command made with the dashboard's session cookie must come from the service's own pages. Nothing was changed.");
            return;
        }
        await next(context);
    });

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    /// <summary>
    /// Whether a browser says the request comes from a page of this origin. Browsers send Sec-Fetch-Site with every request
    /// to an HTTPS origin (or localhost), whatever the Referrer-Policy. Without it, only an Origin equal to this service's
    /// counts: the service's Referrer-Policy (no-referrer) makes a browser send no Referer and "Origin: null" on its own
    /// posts, so a missing or null origin is refused rather than trusted.
    /// </summary>
    internal static bool FromThisOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site == "same-origin";
        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>Seals and reads Hangfire dashboard sessions; <see cref="Store"/> records, ends and checks them for every node.</summary>
public sealed class HangfireSessions(
    IDataProtectionProvider protection, IOptions<HangfireSessionOptions> options, TimeProvider time, HangfireSessionStore store)
{
    public const string KeyKind = "key";
    public const string TokenKind = "token";

    // Time-limited: an expired cookie cannot be read, whatever expiry a browser or a client keeps for it.
    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("Analytics.HangfireSession.v1").ToTimeLimitedDataProtector();

    public DateTimeOffset Now => time.GetUtcNow();
    public TimeSpan Lifetime => options.Value.Lifetime;
    public bool AlwaysSecure => options.Value.AlwaysSecure;
    public HangfireSessionStore Store => store;

    /// <summary>A new session the caller may open (with a fresh id): bound to its key's id, or to its token's subject; null for neither.</summary>
    public static Session? For(ClaimsPrincipal user, DateTimeOffset now)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        if (user.FindFirstValue(AnalyticsClaims.KeyId) is { Length: > 0 } keyId) return new(KeyKind, keyId, now, id);
        return user.FindFirstValue("sub") is { Length: > 0 } subject ? new(TokenKind, subject, now, id) : null;
    }

    public string Seal(Session session, DateTimeOffset expires) => _protector.Protect(JsonSerializer.Serialize(session), expires);

    /// <summary>
    /// The session a cookie holds when it was sealed with this service's keys and has not expired; whether it was ended is
    /// for <see cref="IsOpenAsync"/> to say.
    /// </summary>
    public Session? Read(string sealedValue)
    {
        Session? session;
        try
        {
            session = JsonSerializer.Deserialize<Session>(_protector.Unprotect(sealedValue, out _));
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
        // A cookie sealed before sessions had ids has none: refused, the steward signs in again.
        if (session is null || session.Kind is not (KeyKind or TokenKind) || string.IsNullOrEmpty(session.Subject) || string.IsNullOrEmpty(session.Id))
            return null;
        return session;
    }

    /// <summary>
    /// Whether the session is still recorded in the database and not ended by a sign-out on any node. One lookup by the
    /// session's id on each request under /hangfire, not cached: a sign-out takes effect on the next request everywhere.
    /// </summary>
    public Task<bool> IsOpenAsync(Session session, CancellationToken ct) => store.IsOpenAsync(session.Id, session.Kind, session.Subject, Now, ct);

    /// <param name="Id">Random, sealed with the rest: the row in <c>hangfire_sessions</c> that a sign-out ends.</param>
    public sealed record Session(string Kind, string Subject, DateTimeOffset OpenedAt, string Id);
}

/// <summary>
/// Authenticates a Hangfire dashboard session cookie. A key's session is checked through <see cref="ApiKeyVerifier"/> as
/// the key header is (same cache, same revocations) and must still be a steward's; the principal is the key's own, so the
/// audit trail names the key id. A token's session stands for its subject as a steward until it ends with the token.
/// </summary>
public sealed class HangfireSessionHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    HangfireSessions sessions,
    ApiKeyVerifier verifier)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // The cookie's path keeps browsers from sending it elsewhere; this keeps anything else from reading it.
        if (!Request.Path.StartsWithSegments(HangfireSession.CookiePath) || !Request.Cookies.TryGetValue(HangfireSession.CookieName, out var value))
            return AuthenticateResult.NoResult();
        var session = sessions.Read(value);
        if (session is null) return AuthenticateResult.Fail("Hangfire session expired or not issued by this service.");
        if (!await sessions.IsOpenAsync(session, Context.RequestAborted)) return AuthenticateResult.Fail("Hangfire session ended by a sign-out.");
        if (session.Kind == HangfireSessions.TokenKind)
        {
            var identity = new ClaimsIdentity([new("sub", session.Subject), new(AnalyticsClaims.Role, Roles.Steward)], Scheme.Name);
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
        }
        var record = await verifier.VerifyIdAsync(session.Subject, Context.RequestAborted);
        if (record is null || record.Role != Roles.Steward) return AuthenticateResult.Fail("The session's key is revoked or is not a steward's.");
        return AuthenticateResult.Success(new AuthenticationTicket(ApiKeyVerifier.PrincipalOf(record, Scheme.Name), Scheme.Name));
    }
}
