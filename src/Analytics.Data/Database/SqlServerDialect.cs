using System.Data;
using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.SqlClient;

namespace Analytics.Data.Database;

/// <summary>
/// SQL Server (2016 or later) through Microsoft.Data.SqlClient. Text columns are NVARCHAR with a binary (BIN2) collation, so
/// comparisons and ORDER BY follow code-point order like SQLite's BINARY and PostgreSQL's "C".
/// </summary>
public sealed partial class SqlServerDialect : ISqlDialect
{
    private const string MigrationLock = "analytics-migrations";

    // The session settings sent after each open (see PrepareAsync).
    internal const string SessionSettings = "SET LOCK_TIMEOUT 30000; SET XACT_ABORT ON;";

    // Read rows stay locked (UPDLOCK) to the end of the transaction, and a key that is absent stays absent (HOLDLOCK takes
    // the key range), so two writers of the same new case queue on it instead of both inserting.
    internal const string LockHints = "WITH (UPDLOCK, ROWLOCK, HOLDLOCK)";

    public string Name => "sqlserver";

    public bool SingleWriter => false;

    public DbConnection CreateConnection(string connectionString)
    {
        var builder = new SqlConnectionStringBuilder(connectionString) { Pooling = true };
        if (builder.ApplicationName == new SqlConnectionStringBuilder().ApplicationName) builder.ApplicationName = "analytics";
        return new SqlConnection(builder.ConnectionString);
    }

    /// <summary>
    /// Lock waits are bounded like SQLite's busy_timeout and PostgreSQL's lock_timeout, and any error rolls the whole
    /// transaction back (XACT_ABORT), as PostgreSQL does, so a failed batch can never commit half its rows.
    /// </summary>
    public async Task PrepareAsync(DbConnection connection, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = SessionSettings;
        await command.ExecuteNonQueryAsync(ct);
    }

    // OFFSET … FETCH needs an ORDER BY, which every paged query of the stores has.
    public string Page(string orderedSql, string offsetParam, string limitParam) =>
        $"{orderedSql} OFFSET {offsetParam} ROWS FETCH NEXT {limitParam} ROWS ONLY";

    /// <summary>INSERT … SELECT … WHERE NOT EXISTS, the look-up holding a key-range lock so the check and the insert are one step.</summary>
    public string InsertIgnore(string table, string columns, string values, string keyColumns)
    {
        var columnList = SplitTopLevel(columns);
        var valueList = SplitTopLevel(values);
        if (columnList.Count != valueList.Count)
            throw new ArgumentException($"{columnList.Count} columns but {valueList.Count} values for {table}.", nameof(values));
        var match = SplitTopLevel(keyColumns).Select(key =>
        {
            var index = columnList.IndexOf(key);
            if (index < 0) throw new ArgumentException($"Key column '{key}' is not among the inserted columns of {table}.", nameof(keyColumns));
            return $"{key} = {valueList[index]}";
        });
        return $"INSERT INTO {table} ({string.Join(", ", columnList)}) SELECT {string.Join(", ", valueList)} " +
               $"WHERE NOT EXISTS (SELECT 1 FROM {table} {LockHints} WHERE {string.Join(" AND ", match)})";
    }

    // Dapper expands a list into (@p1, @p2, …) for SqlClient, as it does for SQLite.
    public string InList(string column, string listParam) => $"{column} IN {listParam}";

    /// <summary>T-SQL has no FOR UPDATE: the lock hints go on the table, after the first FROM.</summary>
    public string ForUpdate(string selectSql)
    {
        var from = FirstFrom().Match(selectSql);
        if (!from.Success) throw new ArgumentException("ForUpdate needs a single-table SELECT … FROM table.", nameof(selectSql));
        return selectSql.Insert(from.Index + from.Length, " " + LockHints);
    }

    // Owned by the transaction: released by COMMIT or ROLLBACK, so a failed append cannot leave it held.
    public string? TransactionLock(string resource, bool shared = false) => $"""
        DECLARE @lockResult INT;
        EXEC @lockResult = sp_getapplock @Resource = N'{resource.Replace("'", "''", StringComparison.Ordinal)}', @LockMode = N'{(shared ? "Shared" : "Exclusive")}', @LockOwner = N'Transaction', @LockTimeout = 30000;
        IF @lockResult < 0 THROW 50000, N'The lock on {resource.Replace("'", "''", StringComparison.Ordinal)} was not granted within 30 seconds.', 1;
        """;

    public async Task<IAsyncDisposable> LockMigrationsAsync(DbConnection connection, CancellationToken ct)
    {
        await using (var command = connection.CreateCommand())
        {
            // Another node may be migrating: wait for it up to five minutes, longer than an ordinary lock wait.
            command.CommandText = $"""
                DECLARE @result INT;
                EXEC @result = sp_getapplock @Resource = N'{MigrationLock}', @LockMode = N'Exclusive', @LockOwner = N'Session', @LockTimeout = 300000;
                IF @result < 0 THROW 50000, N'Another node held the migration lock for five minutes.', 1;
                """;
            command.CommandTimeout = 330;
            await command.ExecuteNonQueryAsync(ct);
        }
        return new AppLock(connection);
    }

    private sealed class AppLock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"EXEC sp_releaseapplock @Resource = N'{MigrationLock}', @LockOwner = N'Session'";
            await command.ExecuteNonQueryAsync();
        }
    }

    public string CreateTableIfMissing(string table, string columns) =>
        $"IF OBJECT_ID(N'{table}', N'U') IS NULL CREATE TABLE {table} ({columns})";

    /// <summary>Splits on lines holding only GO (any case), as sqlcmd does; batches with nothing but comments are dropped.</summary>
    public IReadOnlyList<string> Batches(string script)
    {
        var batches = new List<string>();
        var current = new StringBuilder();
        foreach (var line in script.Split('\n'))
        {
            if (GoLine().IsMatch(line))
            {
                Add();
                continue;
            }
            current.Append(line).Append('\n');
        }
        Add();
        return batches;

        void Add()
        {
            var batch = current.ToString().Trim();
            current.Clear();
            var hasStatement = batch.Split('\n').Any(l => l.Trim() is { Length: > 0 } t && !t.StartsWith("--", StringComparison.Ordinal));
            if (hasStatement) batches.Add(batch);
        }
    }

    /// <summary>
    /// SqlBulkCopy into a session temporary table, then one INSERT … SELECT that skips keys already stored (under the same
    /// key-range lock as <see cref="InsertIgnore"/>) and OUTPUTs what it inserted. Copying straight into the table would fail
    /// the batch on the first case a concurrent writer had stored.
    /// </summary>
    public async Task<IReadOnlyList<string>> BulkInsertAsync(DbConnection connection, DbTransaction tx, BulkInsert insert, CancellationToken ct)
    {
        if (insert.Rows.Count == 0) return [];
        await connection.ExecuteAsync(new CommandDefinition(CreateStage(insert), transaction: tx, cancellationToken: ct));
        using (var copy = new SqlBulkCopy((SqlConnection)connection, SqlBulkCopyOptions.Default, (SqlTransaction)tx))
        {
            copy.DestinationTableName = StageTable(insert);
            copy.BulkCopyTimeout = 0; // the batch is bounded by its size; the transaction's lock timeout still applies
            foreach (var column in insert.Columns) copy.ColumnMappings.Add(column, column);
            using var table = ToDataTable(insert);
            await copy.WriteToServerAsync(table, ct);
        }
        return await StagedBulkInsert.MoveAndDropAsync(connection, tx, insert, MoveStage(insert), StageTable(insert), ct);
    }

    internal static string StageTable(BulkInsert insert) => $"#stage_{insert.Table}";

    // SELECT INTO copies the column types and collations of the target (and nothing else: no key, no index).
    internal static string CreateStage(BulkInsert insert) =>
        $"SELECT {insert.ColumnList} INTO {StageTable(insert)} FROM {insert.Table} WHERE 1 = 0";

    internal static string MoveStage(BulkInsert insert)
    {
        var output = insert.Returning is null ? "" : $" OUTPUT inserted.{insert.Returning}";
        var stageColumns = string.Join(", ", insert.Columns.Select(c => "s." + c));
        var match = string.Join(" AND ", insert.KeyColumns.Select(k => $"t.{k} = s.{k}"));
        var order = string.Join(", ", insert.KeyColumns.Select(k => "s." + k));
        return $"INSERT INTO {insert.Table} ({insert.ColumnList}){output} SELECT {stageColumns} FROM {StageTable(insert)} s " +
               $"WHERE NOT EXISTS (SELECT 1 FROM {insert.Table} t {LockHints} WHERE {match}) ORDER BY {order}";
    }

    private static DataTable ToDataTable(BulkInsert insert)
    {
        var table = new DataTable();
        // Rows may be built on demand (ProjectedRows): build each once, not once per column whose type is looked for.
        var rows = insert.Rows.Select(r => Array.ConvertAll(r, v => v is Utf8Text text ? text.ToString() : v)).ToList();
        for (var i = 0; i < insert.Columns.Count; i++)
        {
            var type = rows.Select(r => r[i]).FirstOrDefault(v => v is not null)?.GetType() ?? typeof(string);
            table.Columns.Add(insert.Columns[i], type);
        }
        foreach (var row in rows) table.Rows.Add(row.Select(v => v ?? DBNull.Value).ToArray());
        return table;
    }

    /// <summary>Splits a column or value list on the commas outside parentheses and quotes.</summary>
    internal static List<string> SplitTopLevel(string list)
    {
        var parts = new List<string>();
        var (depth, quoted, start) = (0, false, 0);
        for (var i = 0; i < list.Length; i++)
        {
            switch (list[i])
            {
                case '\'': quoted = !quoted; break;
                case '(' when !quoted: depth++; break;
                case ')' when !quoted: depth--; break;
                case ',' when !quoted && depth == 0:
                    parts.Add(list[start..i].Trim());
                    start = i + 1;
                    break;
            }
        }
        parts.Add(list[start..].Trim());
        return parts;
    }

    [GeneratedRegex(@"^\s*GO\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex GoLine();

    [GeneratedRegex(@"\bFROM\s+\w+", RegexOptions.IgnoreCase)]
    private static partial Regex FirstFrom();
}
