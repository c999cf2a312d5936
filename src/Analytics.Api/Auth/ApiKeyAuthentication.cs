using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Analytics.Data.ApiKeys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Auth;

public static class AnalyticsClaims
{
    public const string Role = "analytics_role";
    public const string Jurisdiction = "jurisdiction";
    public const string Authority = "authority";
    public const string KeyId = "key_id";

    public static string? RoleOf(this ClaimsPrincipal user) => user.FindFirstValue(Role);
    public static string? JurisdictionOf(this ClaimsPrincipal user) => user.FindFirstValue(Jurisdiction);
    public static string? AuthorityOf(this ClaimsPrincipal user) => user.FindFirstValue(Authority);
    public static string PrincipalId(this ClaimsPrincipal user) =>
        // A key's id, or a token's subject ("sub", kept unmapped): never "anonymous" for a caller who signed in, since
        // the audit trail and the idempotency keys are kept per principal.
        user.FindFirstValue(KeyId) ?? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub") ?? user.Identity?.Name ?? "anonymous";

    /// <summary>
    /// Whether a prosecutor's jurisdiction and authority hold together as a key's do (<see cref="ApiKeyRules"/>): a known
    /// jurisdiction and an authority that starts with it. A token from an identity provider is held to the same rule, so
    /// an authority claim cannot name another country's authority, whose cases, links and alerts it would then read.
    /// </summary>
    public static bool HasConsistentProsecutorClaims(this ClaimsPrincipal user) =>
        ApiKeyRules.Check("prosecutor", Roles.Prosecutor, user.JurisdictionOf(), user.AuthorityOf()).Count == 0;
}

public static class Policies
{
    public const string Prosecutor = "prosecutor";
    public const string Analyst = "analyst";
    public const string Steward = "steward";
}

/// <summary>Ids of the keys revoked through this node since it started: a cached verification of them no longer counts.</summary>
public sealed class RevokedKeys
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);

    public void Add(string id) => _ids.TryAdd(id, 0);

    public bool Contains(string id) => _ids.ContainsKey(id);
}

/// <summary>
/// Checks keys for every way a key's holder reaches the service: the key itself in a header, or a Hangfire dashboard
/// session bound to the key's id. Both read through one cache and one list of revocations, so they stop together.
/// </summary>
public sealed class ApiKeyVerifier(ApiKeyStore keys, IMemoryCache cache, RevokedKeys revoked)
{
    /// <summary>
    /// Verified keys are cached briefly so that a burst of requests costs one lookup. A key revoked through this node's API
    /// stops at once (<see cref="RevokedKeys"/>); one revoked elsewhere (another node, the CLI) stops within this time.
    /// </summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    /// <summary>The record of a presented key (<c>ak_id.secret</c>) when it is valid and not revoked.</summary>
    public Task<ApiKeyRecord?> VerifyAsync(string presented, CancellationToken ct) =>
        // Cached under a digest of the presented key, so the secret itself is never held in the cache.
        CheckedAsync("apikey:" + Digest(presented), () => keys.VerifyAsync(presented, ct));

    /// <summary>The record of the key with this id when it exists and is not revoked (a session bound to the key).</summary>
    public Task<ApiKeyRecord?> VerifyIdAsync(string id, CancellationToken ct) =>
        CheckedAsync("apikey-id:" + id, () => keys.ActiveAsync(id, ct));

    private async Task<ApiKeyRecord?> CheckedAsync(string cacheKey, Func<Task<ApiKeyRecord?>> load)
    {
        var record = await cache.GetOrCreateAsync(cacheKey, entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            entry.Size = 1;
            return load();
        });
        return record is null || revoked.Contains(record.Id) ? null : record;
    }

    /// <summary>The caller a key stands for: its id (the principal of the audit trail), name, role, jurisdiction, authority.</summary>
    public static ClaimsPrincipal PrincipalOf(ApiKeyRecord record, string scheme)
    {
        var claims = new List<Claim>
        {
            new(AnalyticsClaims.KeyId, record.Id),
            new(ClaimTypes.Name, record.Name),
            new(AnalyticsClaims.Role, record.Role),
        };
        if (record.Jurisdiction is not null) claims.Add(new(AnalyticsClaims.Jurisdiction, record.Jurisdiction));
        if (record.Authority is not null) claims.Add(new(AnalyticsClaims.Authority, record.Authority));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    private static string Digest(string presented)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(presented), digest);
        return Convert.ToHexStringLower(digest);
    }
}

/// <summary>Authenticates <c>Authorization: ApiKey ak_…</c> or <c>X-Api-Key: ak_…</c>.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyVerifier verifier)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Presented(Request);
        if (presented is null) return AuthenticateResult.NoResult();
        var record = await verifier.VerifyAsync(presented, Context.RequestAborted);
        return record is null
            ? AuthenticateResult.Fail("Invalid or revoked API key.")
            : AuthenticateResult.Success(new AuthenticationTicket(ApiKeyVerifier.PrincipalOf(record, SchemeName), SchemeName));
    }

    /// <summary>
    /// Whether the request carries one of the service's credentials in a header: a key, or a bearer token. (Another
    /// Authorization, such as a proxy's Basic, is not the service's.)
    /// </summary>
    public static bool HasCredentialHeader(HttpRequest request)
    {
        if (request.Headers.ContainsKey("X-Api-Key")) return true;
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("ApiKey ", StringComparison.OrdinalIgnoreCase) || authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var header) && header.Count == 1) return header[0];
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("ApiKey ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }
}

public sealed class JwtOptions
{
    public const string Section = "Authentication:Jwt";
    /// <summary>OpenID Connect authority (issuer URL). Leave empty to accept API keys only.</summary>
    public string? Authority { get; set; }
    public string? Audience { get; set; }
}

public static class AuthExtensions
{
    /// <summary>The default scheme when tokens are configured: a bearer token goes to the JWT handler, anything else to keys.</summary>
    public const string KeyOrTokenScheme = "KeyOrToken";

    /// <summary>API keys always; JWT bearer too when Authentication:Jwt:Authority is configured.</summary>
    public static IServiceCollection AddAnalyticsAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMemoryCache(o => o.SizeLimit = 10_000);
        services.AddSingleton<RevokedKeys>();
        services.AddSingleton<ApiKeyVerifier>();
        var jwt = configuration.GetSection(JwtOptions.Section).Get<JwtOptions>() ?? new JwtOptions();
        var schemes = new List<string> { ApiKeyAuthenticationHandler.SchemeName };
        var withTokens = !string.IsNullOrWhiteSpace(jwt.Authority);
        // With tokens configured, the default scheme picks the handler by what the request carries, so every part that
        // reads the caller without naming a scheme (/api/v1/me, the code lists, /hangfire, the audit trail) knows a
        // token's caller as it knows a key's.
        var auth = services.AddAuthentication(withTokens ? KeyOrTokenScheme : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        if (withTokens)
        {
            auth.AddPolicyScheme(KeyOrTokenScheme, "API key or bearer token", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName);
            // The identity provider issues analytics_role, jurisdiction and authority claims (see README).
            auth.AddJwtBearer(o =>
            {
                o.Authority = jwt.Authority;
                o.Audience = jwt.Audience;
                o.MapInboundClaims = false;
            });
            schemes.Add(JwtBearerDefaults.AuthenticationScheme);
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Prosecutor, p => p.AddAuthenticationSchemes([.. schemes]).RequireClaim(AnalyticsClaims.Role, "prosecutor")
                .RequireClaim(AnalyticsClaims.Jurisdiction).RequireClaim(AnalyticsClaims.Authority)
                .RequireAssertion(c => c.User.HasConsistentProsecutorClaims()))
            .AddPolicy(Policies.Analyst, p => p.AddAuthenticationSchemes([.. schemes]).RequireClaim(AnalyticsClaims.Role, "analyst", "steward"))
            .AddPolicy(Policies.Steward, p => p.AddAuthenticationSchemes([.. schemes]).RequireClaim(AnalyticsClaims.Role, "steward"));
        return services;
    }
}
