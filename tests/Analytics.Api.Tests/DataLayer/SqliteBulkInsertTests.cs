using Analytics.Data.Database;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Analytics.Api.Tests.DataLayer;

/// <summary>
/// SQLite's bulk path binds by position on the connection's own handle, and long key lists go in as one JSON array: both
/// must keep every value exactly, skip stored keys, and fail cleanly.
/// </summary>
public sealed class SqliteBulkInsertTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("analytics-bulk-tests-").FullName;
    private readonly SqliteDialect _dialect = new();
    private SqliteConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _connection = (SqliteConnection)_dialect.CreateConnection($"Data Source={Path.Combine(_dir, "bulk.db")}");
        await _connection.OpenAsync();
        await _connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE items (k TEXT NOT NULL, part INTEGER NOT NULL, amount REAL, body BLOB, note TEXT, PRIMARY KEY (k, part))"));
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static BulkInsert Items(params object?[][] rows) =>
        new("items", ["k", "part", "amount", "body", "note"], ["k", "part"], "k", rows);

    [Fact]
    public async Task BulkInsert_SkipsStoredKeys_ReturnsOnlyTheInserted_AndKeepsEveryValue()
    {
        await _connection.ExecuteAsync(new CommandDefinition("INSERT INTO items (k, part, note) VALUES ('stored', 1, 'first')"));
        await using var tx = await _connection.BeginTransactionAsync();

        var inserted = await _dialect.BulkInsertAsync(_connection, tx, Items(
            ["stored", 1, null, null, "second"],
            ["Zoë ✓ \"quoted\" 😀", 2L, 2.5, new byte[] { 0, 1, 255 }, "línea\nnueva"],
            ["empty", 3, null, null, null],
            ["flag", true, null, null, ""]), CancellationToken.None);
        await tx.CommitAsync();

        Assert.Equal(["Zoë ✓ \"quoted\" 😀", "empty", "flag"], inserted);
        var rows = (await _connection.QueryAsync<(string K, long Part, double? Amount, byte[]? Body, string? Note)>(
            new CommandDefinition("SELECT k, part, amount, body, note FROM items"))).ToDictionary(r => r.K, StringComparer.Ordinal);
        Assert.Equal(4, rows.Count);
        Assert.Equal("first", rows["stored"].Note);
        var unicode = rows["Zoë ✓ \"quoted\" 😀"];
        Assert.Equal(2L, unicode.Part);
        Assert.Equal(2.5, unicode.Amount);
        Assert.Equal(new byte[] { 0, 1, 255 }, unicode.Body);
        Assert.Equal("línea\nnueva", unicode.Note);
        Assert.Null(rows["empty"].Note);
        Assert.Null(rows["empty"].Amount);
        Assert.Equal((1L, ""), (rows["flag"].Part, rows["flag"].Note));
    }

    [Fact]
    public async Task BulkInsert_KeepsLongTextAndUtf8Bytes_EachValueCopiedWhenBound()
    {
        // Longer than the stack buffer, so every text of the row is encoded into a pooled buffer that the next one reuses.
        var longKey = string.Concat(Enumerable.Repeat("Ștefan ✓ 😀 ", 200));
        var longNote = string.Concat(Enumerable.Repeat("Åsa «note» ", 300));
        const string record = "{\"summary\":\"Zoë met [name:k1:AB12]\"}";
        await using var tx = await _connection.BeginTransactionAsync();

        await _dialect.BulkInsertAsync(_connection, tx, Items(
            [longKey, 1, null, null, longNote],
            ["record", 2, null, null, new Utf8Text(System.Text.Encoding.UTF8.GetBytes(record))]), CancellationToken.None);
        await tx.CommitAsync();

        var rows = (await _connection.QueryAsync<(string K, string Note, string Type)>(
            new CommandDefinition("SELECT k, note, typeof(note) FROM items ORDER BY part"))).ToList();
        Assert.Equal((longKey, longNote, "text"), rows[0]);
        Assert.Equal(("record", record, "text"), rows[1]);
    }

    [Fact]
    public async Task BulkInsert_OfAnUnsupportedValue_NamesTheColumn_AndRollsBackToNothing()
    {
        await using var tx = await _connection.BeginTransactionAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _dialect.BulkInsertAsync(_connection, tx,
            Items(["a", 1, null, null, null], ["b", 2, null, null, Guid.NewGuid()]), CancellationToken.None));
        await tx.RollbackAsync();

        Assert.Contains("note", error.Message, StringComparison.Ordinal);
        Assert.Contains("Guid", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await _connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM items")));
    }

    [Fact]
    public async Task BulkInsert_BreakingAConstraint_RaisesSqlitesError_AndTheStatementIsReleased()
    {
        await using (var tx = await _connection.BeginTransactionAsync())
        {
            var error = await Assert.ThrowsAsync<SqliteException>(() => _dialect.BulkInsertAsync(_connection, tx,
                Items(["a", 1, null, null, null], ["b", null, null, null, null]), CancellationToken.None));
            Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT: part is NOT NULL
            await tx.RollbackAsync();
        }

        // The connection is usable afterwards: no statement of the failed insert is left pending on the handle.
        await using var again = await _connection.BeginTransactionAsync();
        Assert.Equal(["c"], await _dialect.BulkInsertAsync(_connection, again, Items(["c", 1, null, null, null]), CancellationToken.None));
        await again.CommitAsync();
        Assert.Equal(1L, await _connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM items")));
    }

    [Fact]
    public async Task BulkInsert_RowOfTheWrongWidth_IsRefused()
    {
        await using var tx = await _connection.BeginTransactionAsync();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _dialect.BulkInsertAsync(_connection, tx,
            Items(["a", 1, null, null]), CancellationToken.None));
        Assert.Contains("4 values for 5 columns", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InManyValues_FindsExactlyTheStoredKeys_AmongThousands()
    {
        var stored = Enumerable.Range(0, 3_000).Select(i => i % 7 == 0 ? $"key \"{i}\" \\ ü" : $"key-{i}").ToList();
        await using (var tx = await _connection.BeginTransactionAsync())
        {
            await _dialect.BulkInsertAsync(_connection, tx, Items(stored.Select(k => new object?[] { k, 1, null, null, null }).ToArray()), CancellationToken.None);
            await tx.CommitAsync();
        }
        // Every other stored key, plus as many that are not stored (some differ only by case or a trailing space).
        var wanted = stored.Where((_, i) => i % 2 == 0).ToList();
        var asked = wanted.Concat(wanted.Select(k => k.ToUpperInvariant())).Concat(wanted.Select(k => k + " ")).ToList();

        var sql = $"SELECT k FROM items WHERE part = 1 AND {_dialect.InManyValues("k", "@Keys")}";
        var parameters = new DynamicParameters();
        parameters.Add("Keys", _dialect.ManyValues(asked));
        var found = (await _connection.QueryAsync<string>(new CommandDefinition(sql, parameters))).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(wanted.ToHashSet(StringComparer.Ordinal), found);
    }
}
