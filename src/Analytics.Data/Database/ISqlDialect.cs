using System.Data.Common;

namespace Analytics.Data.Database;

/// <summary>
/// The few things that differ between SQLite, PostgreSQL and SQL Server. Everything else is shared SQL.
/// </summary>
public interface ISqlDialect
{
    string Name { get; }

    DbConnection CreateConnection(string connectionString);

    /// <summary>Per-connection settings run after opening (pragmas, session options).</summary>
    Task PrepareAsync(DbConnection connection, CancellationToken ct);

    /// <summary>Appends paging to an ordered query.</summary>
    string Page(string orderedSql, string offsetParam, string limitParam);

    /// <summary>Inserts a row unless one with the same key exists.</summary>
    string InsertIgnore(string table, string columns, string values, string keyColumns);
}
