using System.Data.Common;
using Analytics.Data.Database;
using Dapper;

namespace Analytics.Data.Cases;

/// <summary>
/// The database-wide lock between case writers and the link run's write. Every transaction that stores, corrects or
/// withdraws cases holds it shared, so writers on every node still run side by side; the link run holds it exclusively
/// from its look for changed cases to its commit, so no change on any node lands between the two. It is a transaction
/// lock (PostgreSQL advisory lock, SQL Server application lock), released by commit or rollback and taken first in the
/// transaction, before any row lock, so the two sides cannot deadlock over rows. SQLite has one writer at a time, which
/// the write gate already orders: nothing is taken there.
/// </summary>
/// <remarks>
/// A lock rather than conditional link writes (insert a case's link only if its version is still the one read): those
/// would need every case's version carried through the graph and checked row by row in the write, and still a lock
/// against a change committed between that check and the commit under read committed. A shared lock costs a case writer
/// one statement per transaction, and waits only while a link run writes (under a second after a large ingestion),
/// never while it reads and computes.
/// </remarks>
public static class CaseChangeLock
{
    private const string Resource = "analytics:case-changes";

    /// <summary>Taken by a transaction that writes cases: many at once, never while the link run checks and writes.</summary>
    public static Task ShareAsync(DbConnection connection, DbTransaction tx, ISqlDialect dialect, CancellationToken ct) =>
        TakeAsync(connection, tx, dialect.TransactionLock(Resource, shared: true), ct);

    /// <summary>Taken by the link run's write transaction before it looks for changed cases; waits for the case writers in flight.</summary>
    public static Task ExcludeAsync(DbConnection connection, DbTransaction tx, ISqlDialect dialect, CancellationToken ct) =>
        TakeAsync(connection, tx, dialect.TransactionLock(Resource), ct);

    private static async Task TakeAsync(DbConnection connection, DbTransaction tx, string? sql, CancellationToken ct)
    {
        if (sql is not null) await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, cancellationToken: ct));
    }
}
