using System.Data.Common;
using System.Text;
using Dapper;

namespace Analytics.Data.Database;

/// <summary>
/// Rows for <see cref="ISqlDialect.BulkInsertAsync"/>: values in <see cref="Columns"/> order (string, <see cref="Utf8Text"/>, int or null). No two rows
/// may share a key: the caller removes repeats, so the engine only has to skip keys already in the table.
/// </summary>
public sealed record BulkInsert(
    string Table,
    IReadOnlyList<string> Columns,
    IReadOnlyList<string> KeyColumns,
    string? Returning,
    IReadOnlyList<object?[]> Rows)
{
    public string ColumnList => string.Join(", ", Columns);

    public int ReturningIndex => Returning is null ? -1 : IndexOf(Returning);

    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
            if (Columns[i] == column) return i;
        throw new ArgumentException($"'{column}' is not one of the columns of the bulk insert into {Table}.", nameof(column));
    }
}

/// <summary>
/// A text value of a bulk insert that is already UTF-8 (a stored record kept as bytes): SQLite binds the bytes as they
/// are, the other engines take <see cref="ToString"/>.
/// </summary>
public readonly record struct Utf8Text(byte[] Bytes)
{
    public override string ToString() => Encoding.UTF8.GetString(Bytes);
}

/// <summary>
/// Rows of a bulk insert made on demand from their index, each time they are read: a large batch's rows need not all be
/// in memory at once. Reading a row twice builds it twice.
/// </summary>
public sealed class ProjectedRows(int count, Func<int, object?[]> row) : IReadOnlyList<object?[]>
{
    public int Count => count;

    public object?[] this[int index] => (uint)index < (uint)count ? row(index) : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<object?[]> GetEnumerator()
    {
        for (var i = 0; i < count; i++) yield return row(i);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// The second half of a staged bulk insert (PostgreSQL COPY, SQL Server SqlBulkCopy): moves the staged rows into the
/// target with the dialect's insert-unless-exists statement, returns the keys it inserted, and drops the stage.
/// </summary>
public static class StagedBulkInsert
{
    public static async Task<IReadOnlyList<string>> MoveAndDropAsync(
        DbConnection connection, DbTransaction tx, BulkInsert insert, string move, string stageTable, CancellationToken ct)
    {
        IReadOnlyList<string> inserted = [];
        if (insert.Returning is null)
            await connection.ExecuteAsync(new CommandDefinition(move, transaction: tx, cancellationToken: ct));
        else
            inserted = (await connection.QueryAsync<string>(new CommandDefinition(move, transaction: tx, cancellationToken: ct))).AsList();
        await connection.ExecuteAsync(new CommandDefinition($"DROP TABLE {stageTable}", transaction: tx, cancellationToken: ct));
        return inserted;
    }
}
