using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Analytics.Data.Database;
using Dapper;

namespace Analytics.Data.ApiKeys;

public static class Roles
{
    public const string Prosecutor = "prosecutor";
    public const string Analyst = "analyst";
    public const string Steward = "steward";
    public static readonly IReadOnlyList<string> All = [Prosecutor, Analyst, Steward];
}

public sealed class ApiKeyRecord
{
    public string Id { get; set; } = "";
    public string SecretHash { get; set; } = "";
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public string? Jurisdiction { get; set; }
    public string? Authority { get; set; }
    public string CreatedAt { get; set; } = "";
    public string? RevokedAt { get; set; }
}

/// <summary>A freshly issued key: <see cref="Key"/> is shown once and never stored.</summary>
public sealed record IssuedApiKey(string Id, string Key, string Name, string Role, string? Jurisdiction, string? Authority);

/// <summary>
/// API keys look like <c>ak_&lt;id&gt;.&lt;secret&gt;</c>. Only SHA-256 of the 256-bit random secret is stored:
/// a slow password hash is unnecessary for secrets with that much entropy.
/// </summary>
public sealed class ApiKeyStore(Db db)
{
    private const string Insert = """
        INSERT INTO api_keys (id, secret_hash, name, role, jurisdiction, authority, created_at)
        VALUES (@Id, @SecretHash, @Name, @Role, @Jurisdiction, @Authority, @CreatedAt)
        """;

    public async Task<IssuedApiKey> CreateAsync(string name, string role, string? jurisdiction, string? authority, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await CreateAsync(connection, null, name, role, jurisdiction, authority, ct);
    }

    /// <summary>Issues a key in <paramref name="tx"/> (with the audit entry that records it, for one).</summary>
    public static async Task<IssuedApiKey> CreateAsync(
        DbConnection connection, DbTransaction? tx, string name, string role, string? jurisdiction, string? authority, CancellationToken ct)
    {
        if (!Roles.All.Contains(role)) throw new ArgumentException($"Unknown role '{role}'. Allowed: {string.Join(", ", Roles.All)}.", nameof(role));
        if (role == Roles.Prosecutor && (string.IsNullOrEmpty(jurisdiction) || string.IsNullOrEmpty(authority)))
            throw new ArgumentException("A prosecutor key needs a jurisdiction and an authority.");

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var record = new ApiKeyRecord
        {
            Id = id, SecretHash = Hash(secret), Name = name, Role = role, Jurisdiction = jurisdiction, Authority = authority,
            CreatedAt = DateTimeOffset.UtcNow.ToString("O"),
        };
        await connection.ExecuteAsync(new CommandDefinition(Insert, record, tx, cancellationToken: ct));
        return new IssuedApiKey(id, $"ak_{id}.{secret}", name, role, jurisdiction, authority);
    }

    private const string SelectById = """
        SELECT id AS Id, secret_hash AS SecretHash, name AS Name, role AS Role, jurisdiction AS Jurisdiction,
               authority AS Authority, created_at AS CreatedAt, revoked_at AS RevokedAt
        FROM api_keys WHERE id = @id
        """;

    /// <summary>Returns the key's record when the presented key is valid and not revoked.</summary>
    public async Task<ApiKeyRecord?> VerifyAsync(string presented, CancellationToken ct)
    {
        if (!TryParse(presented, out var id, out var secret)) return null;
        await using var connection = await db.OpenAsync(ct);
        var record = await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(SelectById, new { id }, cancellationToken: ct));
        if (record is null || record.RevokedAt is not null) return null;
        var matches = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(record.SecretHash));
        return matches ? record : null;
    }

    /// <summary>
    /// The key with this id when it exists and is not revoked, without its secret: for a session that was opened with the
    /// full key and is bound to its id (the Hangfire dashboard's sign-in), so that revoking the key ends the session.
    /// </summary>
    public async Task<ApiKeyRecord?> ActiveAsync(string id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var record = await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(SelectById, new { id }, cancellationToken: ct));
        return record is null || record.RevokedAt is not null ? null : record;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await ListAsync(connection, null, ct);
    }

    private const string SelectAll = """
        SELECT id AS Id, '' AS SecretHash, name AS Name, role AS Role, jurisdiction AS Jurisdiction, authority AS Authority,
               created_at AS CreatedAt, revoked_at AS RevokedAt
        FROM api_keys ORDER BY created_at
        """;

    /// <summary>Every key in the order issued, without its secret hash, read in <paramref name="tx"/> (with the audit entry that records the listing, for one).</summary>
    public static async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(DbConnection connection, DbTransaction? tx, CancellationToken ct) =>
        (await connection.QueryAsync<ApiKeyRecord>(new CommandDefinition(SelectAll, transaction: tx, cancellationToken: ct))).AsList();

    /// <summary>
    /// One page of keys in the order they were issued, after the key <paramref name="after"/> (null: from the first).
    /// <paramref name="revoked"/> keeps only revoked (true) or only usable (false) keys; null keeps both.
    /// Null when <paramref name="after"/> names no key.
    /// </summary>
    public async Task<IReadOnlyList<ApiKeyRecord>?> PageAsync(string? after, bool? revoked, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        string? afterCreated = null;
        if (after is not null)
        {
            afterCreated = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
                "SELECT created_at FROM api_keys WHERE id = @after", new { after }, cancellationToken: ct));
            if (afterCreated is null) return null;
        }
        var sql = db.Dialect.Page("""
            SELECT id AS Id, '' AS SecretHash, name AS Name, role AS Role, jurisdiction AS Jurisdiction, authority AS Authority,
                   created_at AS CreatedAt, revoked_at AS RevokedAt
            FROM api_keys
            WHERE (@afterCreated IS NULL OR created_at > @afterCreated OR (created_at = @afterCreated AND id > @after))
              AND (@revoked IS NULL OR (@revoked = 1 AND revoked_at IS NOT NULL) OR (@revoked = 0 AND revoked_at IS NULL))
            ORDER BY created_at, id
            """, "0", "@limit");
        var rows = await connection.QueryAsync<ApiKeyRecord>(new CommandDefinition(sql,
            new { afterCreated, after = after ?? "", revoked = revoked is null ? (int?)null : revoked.Value ? 1 : 0, limit }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Whether a key with this id was ever issued (revoked or not).</summary>
    public async Task<bool> ExistsAsync(string id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM api_keys WHERE id = @id", new { id }, cancellationToken: ct)) > 0;
    }

    public async Task<bool> RevokeAsync(string id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await RevokeAsync(connection, null, id, ct);
    }

    /// <summary>Revokes an active key in <paramref name="tx"/>; false when no active key has this id.</summary>
    public static async Task<bool> RevokeAsync(DbConnection connection, DbTransaction? tx, string id, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL",
            new { id, at = DateTimeOffset.UtcNow.ToString("O") }, tx, cancellationToken: ct)) == 1;

    public async Task<long> CountAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM api_keys", cancellationToken: ct));
    }

    private static bool TryParse(string presented, out string id, out string secret)
    {
        id = secret = "";
        if (presented.Length > 200 || !presented.StartsWith("ak_", StringComparison.Ordinal)) return false;
        var dot = presented.IndexOf('.');
        if (dot < 4) return false;
        id = presented[3..dot];
        secret = presented[(dot + 1)..];
        return id.Length > 0 && secret.Length > 0;
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
