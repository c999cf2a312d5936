using Analytics.Data.Database;
using Dapper;

namespace Analytics.Data.Idempotency;

public sealed class IdempotentResponse
{
    public string RequestHash { get; set; } = "";
    public int StatusCode { get; set; }
    public string Response { get; set; } = "";
}

/// <summary>Remembers the response to a request sent with an Idempotency-Key so that a replay returns it unchanged.</summary>
public sealed class IdempotencyStore(Db db)
{
    private const string Select = """
        SELECT request_hash AS RequestHash, status_code AS StatusCode, response AS Response
        FROM idempotency_keys WHERE principal = @principal AND idem_key = @key
        """;

    public async Task<IdempotentResponse?> FindAsync(string principal, string key, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<IdempotentResponse>(new CommandDefinition(Select, new { principal, key }, cancellationToken: ct));
    }

    public async Task SaveAsync(string principal, string key, string requestHash, int statusCode, string response, CancellationToken ct)
    {
        var sql = db.Dialect.InsertIgnore("idempotency_keys", "principal, idem_key, request_hash, status_code, response, created_at",
            "@principal, @key, @requestHash, @statusCode, @response, @at", "principal, idem_key");
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { principal, key, requestHash, statusCode, response, at = DateTimeOffset.UtcNow.ToString("O") }, cancellationToken: ct));
    }
}
