using Analytics.Data.Database;
using Dapper;

namespace Analytics.Api.Tests.DataLayer;

/// <summary>
/// PostgreSQL's bulk path sends up to <see cref="PostgresDialect.ArrayInsertRows"/> rows as one array per column and
/// streams larger inserts through COPY: both must keep every kind of value, skip stored keys and return only what went in.
/// </summary>
[Dialect("postgres")]
public sealed class PostgresBulkInsertTests(PostgresDataLayerDatabase database) : IClassFixture<PostgresDataLayerDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [DialectFact]
    public Task FewRows_GoAsArrays_AndKeepEveryValue() => InsertAndReadBackAsync(3);

    [DialectFact]
    public Task ManyRows_GoThroughCopy_AndKeepEveryValue() => InsertAndReadBackAsync(PostgresDialect.ArrayInsertRows + 88);

    private async Task InsertAndReadBackAsync(int count)
    {
        var table = "bulk_items_" + Guid.NewGuid().ToString("n")[..12];
        await using var connection = await database.Db.OpenAsync(None);
        await connection.ExecuteAsync(new CommandDefinition($"""
            CREATE TABLE {table} (k TEXT NOT NULL, part INTEGER NOT NULL, big BIGINT, amount DOUBLE PRECISION, note TEXT,
                                  spare INTEGER, PRIMARY KEY (k, part))
            """));
        await connection.ExecuteAsync(new CommandDefinition($"INSERT INTO {table} (k, part, note) VALUES ('k0', 0, 'stored')"));
        // Row 0 repeats the stored key; odd rows carry nulls; one text is non-ASCII and multi-line, one is UTF-8 bytes.
        var rows = Enumerable.Range(0, count).Select(i => new object?[]
        {
            "k" + i, 0, i % 2 == 0 ? 5_000_000_000L + i : null, i % 2 == 0 ? i + 0.25 : null,
            i switch { 1 => "Zoë ✓ \"quoted\" 😀\nlínea", 2 => new Utf8Text("bytes → text"u8.ToArray()), _ => i % 2 == 0 ? $"n{i}" : null },
            null,
        }).ToList();

        IReadOnlyList<string> inserted;
        await using (var tx = await connection.BeginTransactionAsync(None))
        {
            inserted = await database.Db.Dialect.BulkInsertAsync(connection, tx,
                new BulkInsert(table, ["k", "part", "big", "amount", "note", "spare"], ["k", "part"], "k", rows), None);
            await tx.CommitAsync(None);
        }

        Assert.Equal(Enumerable.Range(1, count - 1).Select(i => "k" + i).Order(StringComparer.Ordinal), inserted.Order(StringComparer.Ordinal));
        var stored = (await connection.QueryAsync<(string K, int Part, long? Big, double? Amount, string? Note, int? Spare)>(
            new CommandDefinition($"SELECT k, part, big, amount, note, spare FROM {table}"))).ToDictionary(r => r.K, StringComparer.Ordinal);
        Assert.Equal(count, stored.Count);
        Assert.Equal("stored", stored["k0"].Note);
        Assert.Equal((0, (long?)null, (double?)null, "Zoë ✓ \"quoted\" 😀\nlínea"), (stored["k1"].Part, stored["k1"].Big, stored["k1"].Amount, stored["k1"].Note));
        Assert.Equal((5_000_000_002L, 2.25, "bytes → text"), (stored["k2"].Big!.Value, stored["k2"].Amount!.Value, stored["k2"].Note));
        foreach (var i in new[] { 3, 4, count - 1 }.Where(i => i >= 3 && i < count))
            Assert.Equal((i % 2 == 0 ? $"n{i}" : null, i % 2 == 0 ? 5_000_000_000L + i : (long?)null), (stored["k" + i].Note, stored["k" + i].Big));
        Assert.All(stored.Values, r => Assert.Null(r.Spare));
        await connection.ExecuteAsync(new CommandDefinition($"DROP TABLE {table}"));
    }
}
