using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Analytics.Data.ApiKeys;
using Analytics.Data.Audit;

namespace Analytics.Cli.Keys;

/// <summary>
/// Key changes made from the command line, each stored with its audit entry in one transaction: a key is never issued or
/// revoked without the entry that records it, and the entry joins the same hash chain as the service's requests. A listing
/// is recorded the same way, as the API's is: who read which keys exist is worth as much to the trail as who changed them.
/// The entries use the API's action names (CreateKey, ListKeys, RevokeKey) with method <c>CLI</c>; the secret of an issued
/// key, its hash and the names of the keys are never part of one.
/// </summary>
public static partial class AuditedKeyChanges
{
    public const string Method = "CLI";

    /// <summary><c>cli:&lt;login&gt;</c>: the operating-system account that ran the command, or <c>cli</c> when its name is not a plain login name.</summary>
    public static string Principal { get; } = PrincipalOf(Environment.UserName);

    public static string PrincipalOf(string? user) => user is not null && LoginShape().IsMatch(user) ? $"cli:{user}" : "cli";

    public static async Task<IssuedApiKey> CreateAsync(
        AuditStore audit, string name, string role, string? jurisdiction, string? authority, CancellationToken ct)
    {
        var (at, started) = (DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());
        var (issued, _) = await audit.ChangeAsync(async (connection, tx) =>
        {
            var key = await ApiKeyStore.CreateAsync(connection, tx, name, role, jurisdiction, authority, ct);
            // What the key may do, as the API's Location names what it created; never its name (free text) or secret.
            var described = new SortedDictionary<string, string> { ["role"] = key.Role };
            if (key.Jurisdiction is not null) described["jurisdiction"] = key.Jurisdiction;
            if (key.Authority is not null) described["authority"] = key.Authority;
            var parameters = new SortedDictionary<string, object> { ["created"] = key.Id, ["key"] = described };
            return (key, Draft(at, started, "CreateKey", "CLI analytics keys create", parameters, 201));
        }, ct);
        return issued;
    }

    /// <summary>Revokes an active key; false (recorded with status 404) when no active key has this id.</summary>
    public static async Task<bool> RevokeAsync(AuditStore audit, string id, CancellationToken ct)
    {
        var (at, started) = (DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());
        var (revoked, _) = await audit.ChangeAsync(async (connection, tx) =>
        {
            var done = await ApiKeyStore.RevokeAsync(connection, tx, id, ct);
            // The id as typed is kept only in the shape of a key id, as the API's route values are.
            var parameters = new SortedDictionary<string, object>
            {
                ["route"] = new SortedDictionary<string, string> { ["id"] = KeyIdShape().IsMatch(id) ? id : "[redacted]" },
            };
            return (done, Draft(at, started, "RevokeKey", "CLI analytics keys revoke {id}", parameters, done ? 204 : 404));
        }, ct);
        return revoked;
    }

    /// <summary>
    /// Every key (never a secret or its hash), read in the transaction that appends its <c>ListKeys</c> entry: the keys are
    /// shown only once the entry that records the listing is stored. The entry's result size is the number of keys listed.
    /// </summary>
    public static async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(AuditStore audit, CancellationToken ct)
    {
        var (at, started) = (DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());
        var (keys, _) = await audit.ChangeAsync(async (connection, tx) =>
        {
            var listed = await ApiKeyStore.ListAsync(connection, tx, ct);
            return (listed, Draft(at, started, "ListKeys", "CLI analytics keys list", new SortedDictionary<string, object>(), 200, listed.Count));
        }, ct);
        return keys;
    }

    private static AuditDraft Draft(DateTimeOffset at, long started, string action, string route, object parameters, int status, long resultSize = 0) =>
        new(at, Principal, null, null, action, Method, route, JsonSerializer.Serialize(parameters), status, resultSize,
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);

    // A login name (root, jdoe, svc-analytics): anything else, such as a name with spaces or a domain account, is left out.
    [GeneratedRegex("^[a-z_][a-z0-9_.-]{0,31}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LoginShape();

    [GeneratedRegex("^[0-9a-f]{12}$")]
    private static partial Regex KeyIdShape();
}
