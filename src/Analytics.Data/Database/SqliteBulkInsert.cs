using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Analytics.Data.Database;

/// <summary>
/// SQLite's bulk path: one insert-unless-exists statement prepared on the connection's own handle, its values bound by
/// position and the statement stepped and reset once per row, inside the caller's transaction. Going through the handle
/// skips what an ADO.NET command does on every execution (look up each parameter by name in the statement, convert the
/// name and every string to UTF-8 in managed memory, build a data reader), which cost more than SQLite's own work for a
/// narrow row such as a case's token.
/// </summary>
public static class SqliteBulkInsert
{
    /// <summary>Rows checked for cancellation between: often enough to stop a large batch soon, rarely enough to cost nothing.</summary>
    private const int CancellationStride = 256;

    /// <summary>Inserts the rows that do not clash with a stored key; returns the <see cref="BulkInsert.Returning"/> value of each one inserted.</summary>
    public static IReadOnlyList<string> Run(SqliteDialect dialect, SqliteConnection connection, BulkInsert insert, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(insert);
        var inserted = new List<string>();
        if (insert.Rows.Count == 0) return inserted;
        var db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection of a bulk insert must be open.");
        var positions = string.Join(", ", insert.Columns.Select((_, i) => "?" + (i + 1)));
        var sql = dialect.InsertIgnore(insert.Table, insert.ColumnList, positions, string.Join(", ", insert.KeyColumns));
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        SqliteException.ThrowExceptionForRC(rc, db);
        using (statement)
        {
            var returning = insert.ReturningIndex;
            var count = 0;
            foreach (var row in insert.Rows)
            {
                if (++count % CancellationStride == 0) ct.ThrowIfCancellationRequested();
                if (row.Length != insert.Columns.Count)
                    throw new ArgumentException($"A row of the bulk insert into {insert.Table} has {row.Length} values for {insert.Columns.Count} columns.", nameof(insert));
                for (var i = 0; i < row.Length; i++) Bind(db, statement, i, row[i], insert);
                rc = raw.sqlite3_step(statement);
                if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, db);
                if (returning >= 0 && raw.sqlite3_changes(db) == 1) inserted.Add((string)row[returning]!);
                rc = raw.sqlite3_reset(statement);
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }
        return inserted;
    }

    private static void Bind(sqlite3 db, sqlite3_stmt statement, int column, object? value, BulkInsert insert)
    {
        var position = column + 1;
        var rc = value switch
        {
            null or DBNull => raw.sqlite3_bind_null(statement, position),
            string text => BindText(statement, position, text),
            Utf8Text text => raw.sqlite3_bind_text(statement, position, text.Bytes.AsSpan()),
            int number => raw.sqlite3_bind_int(statement, position, number),
            long number => raw.sqlite3_bind_int64(statement, position, number),
            double number => raw.sqlite3_bind_double(statement, position, number),
            bool flag => raw.sqlite3_bind_int(statement, position, flag ? 1 : 0),
            byte[] blob => raw.sqlite3_bind_blob(statement, position, blob),
            _ => throw new ArgumentException(
                $"Column {insert.Columns[column]} of the bulk insert into {insert.Table} has a value of type {value.GetType().Name}; " +
                "bulk inserts take text, integers, reals, booleans, bytes or null.", nameof(insert)),
        };
        SqliteException.ThrowExceptionForRC(rc, db);
    }

    // The file is UTF-8: the string is encoded here, with .NET's vectorised encoder (SQLite's own conversion of UTF-16
    // took 7 % of a batch's store time), into a scratch buffer that SQLite copies from when binding.
    private static int BindText(sqlite3_stmt statement, int position, string text)
    {
        var size = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (size <= StackBufferBytes)
        {
            Span<byte> buffer = stackalloc byte[StackBufferBytes];
            var length = Encoding.UTF8.GetBytes(text, buffer);
            return raw.sqlite3_bind_text(statement, position, buffer[..length]);
        }
        var rented = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var length = Encoding.UTF8.GetBytes(text, rented);
            return raw.sqlite3_bind_text(statement, position, rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private const int StackBufferBytes = 512;
}
