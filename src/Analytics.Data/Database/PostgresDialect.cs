using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Analytics.Data.Database;

public sealed partial class PostgresDialect : ISqlDialect
{
    // Any fixed 64-bit number shared by every node: the advisory lock that serialises migration runs.
    private const long MigrationLockKey = 0x616E616C79746963; // "analytic"

    public string Name => "postgres";

    public bool SingleWriter => false;

    public DbConnection CreateConnection(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = true };
        // Session settings travel in the startup packet, so a pooled open costs no extra round trip:
        // lock waits are bounded like SQLite's busy_timeout, and the session speaks UTC.
        // Options given for other settings keep the bound; a lock_timeout they set themselves wins.
        if (string.IsNullOrWhiteSpace(builder.Options)) builder.Options = "-c lock_timeout=30000";
        else if (!SetsLockTimeout().IsMatch(builder.Options)) builder.Options = $"{builder.Options.TrimEnd()} -c lock_timeout=30000";
        if (string.IsNullOrEmpty(builder.Timezone)) builder.Timezone = "UTC";
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "analytics";
        return new NpgsqlConnection(builder.ConnectionString);
    }

    // "-c lock_timeout=…", "-clock_timeout=…" or "--lock-timeout=…" (the server reads '-' in a name as '_'; names ignore case).
    [GeneratedRegex(@"(?:^|\s)(?:-c\s*|--)lock[_-]timeout\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SetsLockTimeout();

    public Task PrepareAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    public string Page(string orderedSql, string offsetParam, string limitParam) =>
        $"{orderedSql} LIMIT {limitParam} OFFSET {offsetParam}";

    public string InsertIgnore(string table, string columns, string values, string keyColumns) =>
        $"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT ({keyColumns}) DO NOTHING";

    public string InList(string column, string listParam) => $"{column} = ANY({listParam})";

    // Every statement is a round trip: from two cases on, the bulk path's four statements (look-up, cases, documents,
    // tokens) are fewer than the row-by-row path's four per case.
    public int BulkWriteFrom => 2;

    // One statement for all the rows: a statement per row would cost a round trip each (a dozen tokens per case).
    public string? InsertIgnoreFromArrays(string table, IReadOnlyList<string> arrayColumns, string constant, string keyColumns) =>
        $"INSERT INTO {table} ({string.Join(", ", arrayColumns)}, {constant}) " +
        $"SELECT r.*, @{constant} FROM unnest({string.Join(", ", arrayColumns.Select(c => "@" + c))}) AS r " +
        $"ON CONFLICT ({keyColumns}) DO NOTHING";

    public string ForUpdate(string selectSql) => $"{selectSql} FOR UPDATE";

    // A transaction-level advisory lock: released by COMMIT or ROLLBACK, so a failed append cannot leave it held.
    public string? TransactionLock(string resource, bool shared = false) =>
        $"SELECT pg_advisory_xact_lock{(shared ? "_shared" : "")}(hashtextextended('{Literal(resource)}', 0))";

    private static string Literal(string value) => value.Replace("'", "''", StringComparison.Ordinal);

    public async Task<IAsyncDisposable> LockMigrationsAsync(DbConnection connection, CancellationToken ct)
    {
        await using (var command = connection.CreateCommand())
        {
            // Another node may be migrating: wait for it longer than an ordinary lock wait.
            command.CommandText = $"SET lock_timeout = '5min'; SELECT pg_advisory_lock({MigrationLockKey})";
            await command.ExecuteNonQueryAsync(ct);
        }
        return new AdvisoryLock(connection);
    }

    public string CreateTableIfMissing(string table, string columns) => $"CREATE TABLE IF NOT EXISTS {table} ({columns})";

    public IReadOnlyList<string> Batches(string script) => [script];

    /// <summary>
    /// Binary COPY into a temporary table shaped like the target, then one INSERT … SELECT that skips existing keys: COPY
    /// alone would abort the whole transaction on the first key a concurrent writer (or an earlier batch) already stored.
    /// Rows are inserted in key order, like the row-by-row path, so batches that share cases wait instead of deadlocking.
    /// </summary>
    public async Task<IReadOnlyList<string>> BulkInsertAsync(DbConnection connection, DbTransaction tx, BulkInsert insert, CancellationToken ct)
    {
        if (insert.Rows.Count == 0) return [];
        var npgsql = (NpgsqlConnection)connection;
        if (insert.Rows.Count <= ArrayInsertRows) return await InsertFromArraysAsync(npgsql, (NpgsqlTransaction)tx, insert, ct);
        var stage = StageTable(insert);
        await connection.ExecuteAsync(new CommandDefinition(CreateStage(insert), transaction: tx, cancellationToken: ct));
        await using (var importer = await npgsql.BeginBinaryImportAsync($"COPY {stage} ({insert.ColumnList}) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var row in insert.Rows)
            {
                await importer.StartRowAsync(ct);
                foreach (var value in row)
                {
                    switch (value)
                    {
                        case null: await importer.WriteNullAsync(ct); break;
                        case int number: await importer.WriteAsync(number, NpgsqlDbType.Integer, ct); break;
                        case long number: await importer.WriteAsync(number, NpgsqlDbType.Bigint, ct); break;
                        case double number: await importer.WriteAsync(number, NpgsqlDbType.Double, ct); break;
                        case Utf8Text text: await importer.WriteAsync(text.ToString(), NpgsqlDbType.Text, ct); break;
                        default: await importer.WriteAsync((string)value, NpgsqlDbType.Text, ct); break;
                    }
                }
            }
            await importer.CompleteAsync(ct);
        }
        return await StagedBulkInsert.MoveAndDropAsync(connection, tx, insert, MoveStage(insert), stage, ct);
    }

    /// <summary>
    /// Inserts of up to this many rows send each column as one array and unnest them in a single statement: creating,
    /// filling and dropping a stage table costs more than the rows themselves when there are few (a group of single-case
    /// writes). Larger inserts stream through COPY, so the texts of a large batch are never all decoded at once.
    /// </summary>
    public const int ArrayInsertRows = 512;

    private static async Task<IReadOnlyList<string>> InsertFromArraysAsync(NpgsqlConnection connection, NpgsqlTransaction tx, BulkInsert insert, CancellationToken ct)
    {
        var rows = insert.Rows.ToList();
        await using var command = new NpgsqlCommand { Connection = connection, Transaction = tx };
        var columns = new List<string>();
        for (var c = 0; c < insert.Columns.Count; c++)
        {
            if (ColumnArray(rows, c) is not { } array)
            {
                // Null in every row: an untyped NULL takes the target column's type; an array would need one.
                columns.Add($"NULL AS {insert.Columns[c]}");
                continue;
            }
            command.Parameters.Add(new NpgsqlParameter($"c{c}", array));
            columns.Add($"r.c{c} AS {insert.Columns[c]}");
        }
        var arrays = command.Parameters.Select(p => p.ParameterName).ToList();
        var keys = string.Join(", ", insert.KeyColumns);
        var returning = insert.Returning is null ? "" : $" RETURNING {insert.Returning}";
        // In key order, like the row-by-row path and the COPY path, so writers that share cases wait instead of deadlocking.
        command.CommandText =
            $"INSERT INTO {insert.Table} ({insert.ColumnList}) SELECT {string.Join(", ", columns)} " +
            $"FROM unnest({string.Join(", ", arrays.Select(a => "@" + a))}) AS r({string.Join(", ", arrays)}) " +
            $"ORDER BY {keys} ON CONFLICT ({keys}) DO NOTHING{returning}";
        if (insert.Returning is null)
        {
            await command.ExecuteNonQueryAsync(ct);
            return [];
        }
        var inserted = new List<string>(rows.Count);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) inserted.Add(reader.GetString(0));
        return inserted;
    }

    // The column's values as a typed array (text, integer, bigint or double precision, nulls kept), or null when every row has null.
    private static Array? ColumnArray(List<object?[]> rows, int column)
    {
        var sample = rows.Select(r => r[column]).FirstOrDefault(v => v is not null);
        return sample switch
        {
            null => null,
            int => rows.Select(r => r[column] is { } v ? Convert.ToInt32(v, CultureInfo.InvariantCulture) : (int?)null).ToArray(),
            long => rows.Select(r => r[column] is { } v ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : (long?)null).ToArray(),
            double => rows.Select(r => r[column] is { } v ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : (double?)null).ToArray(),
            _ => rows.Select(r => r[column]?.ToString()).ToArray(),
        };
    }

    internal static string StageTable(BulkInsert insert) => $"stage_{insert.Table}";

    // Column types without the constraints: a NOT NULL or key violation surfaces on the real table, in the INSERT below.
    internal static string CreateStage(BulkInsert insert) =>
        $"CREATE TEMP TABLE {StageTable(insert)} ON COMMIT DROP AS SELECT {insert.ColumnList} FROM {insert.Table} WITH NO DATA";

    internal static string MoveStage(BulkInsert insert)
    {
        var keys = string.Join(", ", insert.KeyColumns);
        var returning = insert.Returning is null ? "" : $" RETURNING {insert.Returning}";
        return $"INSERT INTO {insert.Table} ({insert.ColumnList}) SELECT {insert.ColumnList} FROM {StageTable(insert)} ORDER BY {keys} ON CONFLICT ({keys}) DO NOTHING{returning}";
    }

    private sealed class AdvisoryLock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT pg_advisory_unlock({MigrationLockKey}); RESET lock_timeout";
            await command.ExecuteNonQueryAsync();
        }
    }
}
