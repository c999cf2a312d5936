using System.Data.Common;

namespace Analytics.Data.Database;

/// <summary>
/// The few things that differ between SQLite, PostgreSQL and SQL Server. Everything else is shared SQL.
/// </summary>
public interface ISqlDialect
{
    string Name { get; }

    /// <summary>
    /// True when the database admits one writer at a time (SQLite): writers then queue on <see cref="Db.WriteGate"/>.
    /// Server databases take concurrent writers and resolve conflicts with their own locks.
    /// </summary>
    bool SingleWriter { get; }

    DbConnection CreateConnection(string connectionString);

    /// <summary>
    /// Connection string of the connections writers open (<see cref="Db.OpenWriterAsync"/>): the same database, but where
    /// the driver pools connections per string, a pool of their own, so a writer's session settings and cache stay with writers.
    /// </summary>
    string WriterConnectionString(string connectionString) => connectionString;

    /// <summary>Per-connection settings run after opening (pragmas, session options).</summary>
    Task PrepareAsync(DbConnection connection, CancellationToken ct);

    /// <summary>Appends paging to an ordered query.</summary>
    string Page(string orderedSql, string offsetParam, string limitParam);

    /// <summary>Inserts a row unless one with the same key exists.</summary>
    string InsertIgnore(string table, string columns, string values, string keyColumns);

    /// <summary>
    /// A condition "<paramref name="column"/> is one of the list bound to <paramref name="listParam"/>". Dapper expands a list
    /// into (@p1, @p2, …) for SQLite but binds it as one array for PostgreSQL, which then needs = ANY(array).
    /// </summary>
    string InList(string column, string listParam);

    /// <summary>
    /// <see cref="InList"/> for long lists (hundreds of keys): the condition, with <see cref="ManyValues"/> bound to
    /// <paramref name="param"/>. SQLite looks up each named parameter by a linear search of the statement's names, both
    /// when it parses the statement and when each value is bound, so a list of n values costs n² comparisons there; it
    /// gets the values as one JSON array instead.
    /// </summary>
    string InManyValues(string column, string param) => InList(column, param);

    /// <summary>The value to bind to the parameter of <see cref="InManyValues"/>.</summary>
    object ManyValues(IReadOnlyList<string> values) => values;

    /// <summary>
    /// An INSERT of one row per element of the arrays bound to <c>@</c> + each of <paramref name="arrayColumns"/> (all of one
    /// length), with <paramref name="constant"/>'s column set to <c>@</c> + its name in every row, that skips rows whose
    /// <paramref name="keyColumns"/> exist; null where the engine has no array parameters or a statement per row costs no
    /// round trip (SQLite, in process), and the caller then runs <see cref="InsertIgnore"/> once per row.
    /// </summary>
    string? InsertIgnoreFromArrays(string table, IReadOnlyList<string> arrayColumns, string constant, string keyColumns) => null;

    /// <summary>Makes a single-table SELECT lock the rows it reads until the transaction ends (a no-op where writers are serialised anyway).</summary>
    string ForUpdate(string selectSql);

    /// <summary>
    /// A statement that holds the lock named <paramref name="resource"/> until the transaction it runs in ends, so that
    /// appenders on every node take turns (the audit chain's head); null where a write transaction already excludes
    /// every other writer, as SQLite's does. A <paramref name="shared"/> lock admits other shared holders and excludes
    /// only the exclusive one (many case writers at once, none while the link run checks and writes).
    /// </summary>
    string? TransactionLock(string resource, bool shared = false);

    /// <summary>
    /// Serialises migration runs of several nodes that start together: holds a database-wide lock on
    /// <paramref name="connection"/> until the returned handle is disposed.
    /// </summary>
    Task<IAsyncDisposable> LockMigrationsAsync(DbConnection connection, CancellationToken ct);

    /// <summary>A CREATE TABLE that does nothing when the table exists (the migration journal).</summary>
    string CreateTableIfMissing(string table, string columns);

    /// <summary>Splits a migration script into the batches the server runs one by one (SQL Server's GO lines).</summary>
    IReadOnlyList<string> Batches(string script);

    /// <summary>
    /// The fewest cases a write transaction must hold for its new cases to go through <see cref="BulkInsertAsync"/>: below
    /// it the few extra statements of the bulk path cost more than they save over a statement per row.
    /// </summary>
    int BulkWriteFrom => 16;

    /// <summary>
    /// Inserts many rows in <paramref name="tx"/> through the engine's fast path, skipping rows whose key exists, and returns
    /// the <see cref="BulkInsert.Returning"/> value of each row actually inserted (in no particular order).
    /// </summary>
    Task<IReadOnlyList<string>> BulkInsertAsync(DbConnection connection, DbTransaction tx, BulkInsert insert, CancellationToken ct);
}
