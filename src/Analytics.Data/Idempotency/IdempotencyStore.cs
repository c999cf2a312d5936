using Analytics.Core.Pseudonymisation;
using Analytics.Data.Database;
using Dapper;

namespace Analytics.Data.Idempotency;

public sealed class IdempotentResponse
{
    public string RequestHash { get; set; } = "";
    public int StatusCode { get; set; }
    public string Response { get; set; } = "";
    public string CreatedAt { get; set; } = "";

    /// <summary>The stored token of the key under which the row was made (never the key itself).</summary>
    public string StoredKey { get; set; } = "";
}

/// <summary>
/// Remembers the response to a request sent with an Idempotency-Key so that a replay returns it unchanged. A request
/// first reserves its key (a row with status 0), so that of two requests racing with one key only one is processed;
/// the row then takes the response, or is released when nothing was stored.
/// </summary>
/// <remarks>
/// A client may pick anything as its key, a case reference or a name included, so the key is never stored: the row
/// holds its keyed token (<see cref="Tokeniser"/> under the pseudonymisation keys, type <c>idempotency</c>), as every
/// identifier is held. Rows are kept for <see cref="Retention"/>; a batch sent again after that is applied again, which
/// stores nothing new, since a case is keyed by its authority and case reference. The rekey-tokens job does not move
/// these rows: after a rotation a key is looked for under every generation of its token (<see cref="Tokeniser.Generations"/>),
/// so a request made before the rotation is still recognised when it is sent again after it.
/// </remarks>
public sealed class IdempotencyStore(Db db, TimeProvider time, KeyRing keys)
{
    /// <summary>A reservation older than this is taken to be of a request that died before it finished, and is released.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(10);

    /// <summary>How long a key and its response are kept.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    private readonly Tokeniser _tokeniser = new(keys);
    private long _nextSweep;

    private const string TokenType = "idempotency";

    private string Stored(string key) => _tokeniser.Token(TokenType, key);

    // Expired rows go at most once a minute, on the way in of a reservation.
    private async Task SweepAsync(System.Data.Common.DbConnection connection, DateTimeOffset now, CancellationToken ct)
    {
        var due = Interlocked.Read(ref _nextSweep);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweep, now.AddMinutes(1).UtcTicks, due) != due) return;
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM idempotency_keys WHERE created_at < @cutoff",
            new { cutoff = (now - Retention).ToString("O") }, cancellationToken: ct));
    }

    // A finished row before one still reserved: of two generations of one key, the answered request is the one to replay.
    private string Select => $"""
        SELECT request_hash AS RequestHash, status_code AS StatusCode, response AS Response, created_at AS CreatedAt, idem_key AS StoredKey
        FROM idempotency_keys WHERE principal = @principal AND {db.Dialect.InList("idem_key", "@keys")}
        ORDER BY status_code DESC
        """;

    private async Task<IdempotentResponse?> HeldAsync(System.Data.Common.DbConnection connection, string principal, IEnumerable<string> keys, CancellationToken ct) =>
        await connection.QueryFirstOrDefaultAsync<IdempotentResponse>(new CommandDefinition(Select, new { principal, keys = keys.ToArray() }, cancellationToken: ct));

    public async Task<IdempotentResponse?> FindAsync(string principal, string key, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await HeldAsync(connection, principal, _tokeniser.Generations(TokenType, key), ct);
    }

    /// <summary>
    /// Reserves the key for this request. Null when this request holds it now; otherwise the row that holds it: a finished
    /// response (status above 0) or another request still in progress (status 0).
    /// </summary>
    public async Task<IdempotentResponse?> ReserveAsync(string principal, string key, string requestHash, CancellationToken ct)
    {
        var sql = db.Dialect.InsertIgnore("idempotency_keys", "principal, idem_key, request_hash, status_code, response, created_at",
            "@principal, @key, @requestHash, 0, '', @at", "principal, idem_key");
        var generations = _tokeniser.Generations(TokenType, key);
        key = generations[^1];
        for (var attempt = 0; attempt < 2; attempt++)
        {
            await using var connection = await db.OpenAsync(ct);
            var now = time.GetUtcNow();
            if (attempt == 0) await SweepAsync(connection, now, ct);
            // After a rotation the key may be held under the token of an earlier key; with one key there is nothing earlier.
            var held = generations.Count > 1 ? await HeldAsync(connection, principal, generations.Take(generations.Count - 1), ct) : null;
            if (held is null)
            {
                if (await connection.ExecuteAsync(new CommandDefinition(sql, new { principal, key, requestHash, at = now.ToString("O") }, cancellationToken: ct)) == 1)
                    return null;
                held = await HeldAsync(connection, principal, [key], ct);
                if (held is null) continue; // Released in between: try again.
            }
            if (held.StatusCode != 0 || !DateTimeOffset.TryParse(held.CreatedAt, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.RoundtripKind, out var reserved) || now - reserved < AbandonedAfter)
                return held;
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM idempotency_keys WHERE principal = @principal AND idem_key = @key AND status_code = 0 AND created_at = @createdAt",
                new { principal, key = held.StoredKey, createdAt = held.CreatedAt }, cancellationToken: ct));
        }
        // The key changed hands twice while this request looked: it does not hold it, so it is told to retry, as when
        // another request holds it.
        return new IdempotentResponse { RequestHash = requestHash, StatusCode = 0 };
    }

    /// <summary>Stores the response of the request that holds the reservation.</summary>
    public async Task CompleteAsync(string principal, string key, int statusCode, string response, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE idempotency_keys SET status_code = @statusCode, response = @response WHERE principal = @principal AND idem_key = @key AND status_code = 0",
            new { principal, key = Stored(key), statusCode, response }, cancellationToken: ct));
    }

    /// <summary>Releases a reservation whose request stored nothing (rejected, too large, failed), so the key can be used again.</summary>
    public async Task ReleaseAsync(string principal, string key, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM idempotency_keys WHERE principal = @principal AND idem_key = @key AND status_code = 0",
            new { principal, key = Stored(key) }, cancellationToken: ct));
    }
}
