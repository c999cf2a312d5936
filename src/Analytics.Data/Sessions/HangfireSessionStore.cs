using Analytics.Data.Database;
using Dapper;

namespace Analytics.Data.Sessions;

/// <summary>
/// The job dashboard's browser sessions (<c>hangfire_sessions</c>), shared by every node on the database: a sign-in
/// records its session, a sign-out ends every open session of the same key id or token subject, and each request under
/// <c>/hangfire</c> checks its session's row by id. Rows are purged once past the cookie's own expiry.
/// </summary>
public sealed class HangfireSessionStore(Db db)
{
    /// <summary>Longest key id or token subject a session is bound to (the column's size on SQL Server).</summary>
    public const int MaxSubjectLength = 400;

    private const string Insert = """
        INSERT INTO hangfire_sessions (id, kind, subject, opened_at, expires_at, ended_at)
        VALUES (@Id, @Kind, @Subject, @OpenedAt, @ExpiresAt, NULL)
        """;

    private const string Purge = "DELETE FROM hangfire_sessions WHERE expires_at < @Now";

    /// <summary>Records a session opened now; purges the rows of sessions whose cookie has expired.</summary>
    public async Task OpenAsync(string id, string kind, string subject, DateTimeOffset openedAt, DateTimeOffset expiresAt, CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition(Purge, new { Now = Text(openedAt) }, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(Insert,
                new { Id = id, Kind = kind, Subject = subject, OpenedAt = Text(openedAt), ExpiresAt = Text(expiresAt) }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    private const string EndAll = """
        UPDATE hangfire_sessions SET ended_at = @Now
        WHERE subject = @Subject AND kind = @Kind AND ended_at IS NULL AND expires_at >= @Now
        """;

    /// <summary>Ends every open session of the key id or token subject, on every node; returns how many it ended.</summary>
    public async Task<int> EndAllAsync(string kind, string subject, DateTimeOffset now, CancellationToken ct)
    {
        await db.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var ended = await connection.ExecuteAsync(new CommandDefinition(EndAll,
                new { Kind = kind, Subject = subject, Now = Text(now) }, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(Purge, new { Now = Text(now) }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return ended;
        }
        finally
        {
            db.WriteGate.Release();
        }
    }

    private const string SelectOpen = """
        SELECT COUNT(*) FROM hangfire_sessions
        WHERE id = @Id AND kind = @Kind AND subject = @Subject AND ended_at IS NULL AND expires_at >= @Now
        """;

    /// <summary>
    /// Whether the session was recorded for this key id or token subject, has not been ended on any node and has not
    /// expired: one lookup by primary key.
    /// </summary>
    public async Task<bool> IsOpenAsync(string id, string kind, string subject, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(SelectOpen,
            new { Id = id, Kind = kind, Subject = subject, Now = Text(now) }, cancellationToken: ct)) > 0;
    }

    // One fixed form, UTC with its offset, so that the stored instants compare as text.
    private static string Text(DateTimeOffset instant) => instant.ToUniversalTime().ToString("O");
}
