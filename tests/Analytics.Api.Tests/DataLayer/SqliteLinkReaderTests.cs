using System.Security.Cryptography;
using System.Text;
using Analytics.Core.Links;
using Analytics.Data.Cases;
using Analytics.Data.Database;
using Analytics.Data.Links;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Api.Tests.DataLayer;

/// <summary>
/// On SQLite the link job reads its token rows on the connection's own handle; the graph it builds must be the one the
/// data-reader path (PostgreSQL, SQL Server) builds from the same rows.
/// </summary>
public sealed class SqliteLinkReaderTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("analytics-link-reader-").FullName;
    private Db _db = null!;

    public async Task InitializeAsync()
    {
        _db = new Db(new DatabaseOptions { Provider = "sqlite", ConnectionString = $"Data Source={Path.Combine(_dir, "links.db")}" });
        await new MigrationRunner(_db, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task DirectRead_BuildsTheGraphOfTheDataReaderPath()
    {
        var store = new CaseStore(_db);
        // a–b share a phone, b–c an e-mail, so a, b, c are one group; d and e share a wallet across borders; f holds only
        // tokens of its own; g shares the phone with a but is withdrawn. Authorities with non-ASCII letters and a long
        // one (longer than the reader's first buffers) must come back exactly.
        var longAuthority = "RO-" + new string('x', 150);
        var written = await store.UpsertAsync(
        [
            Case("RO", "RO-Iași", "a", ["phone:shared-1", "document:own-a"]),
            Case("RO", longAuthority, "b", ["phone:shared-1", "email:shared-2"]),
            Case("MD", "MD-Chișinău", "c", ["email:shared-2"]),
            Case("IT", "IT-Milano", "d", ["wallet:shared-3"]),
            Case("BG", "BG-Sofia", "e", ["wallet:shared-3", "name:not-linking"]),
            Case("RO", "RO-Iași", "f", ["phone:own-f", "email:own-f"]),
            Case("RO", "RO-Cluj", "g", ["phone:shared-1"]),
        ], CancellationToken.None);
        Assert.True(await store.WithdrawAsync(written[6].CaseId, CancellationToken.None));
        var ids = written.Select(w => w.CaseId).ToArray();

        await using var connection = await _db.OpenAsync(CancellationToken.None);
        var direct = Describe((await LinkStore.BuildGraphAsync(connection, null, _db.Dialect, CancellationToken.None)).Groups());
        var viaReader = Describe((await LinkStore.BuildGraphAsync(connection, null, _db.Dialect, CancellationToken.None, directSqliteRead: false)).Groups());

        Assert.Equal(viaReader, direct);
        Assert.Equal(2, direct.Count);
        var abc = direct.Single(g => g.Contains(ids[0], StringComparison.Ordinal));
        foreach (var (id, holder) in new[] { (ids[0], "RO|RO-Iași|phone"), (ids[1], $"RO|{longAuthority}|phone,email"), (ids[2], "MD|MD-Chișinău|email") })
            Assert.Contains($"{id}|{holder}", abc, StringComparison.Ordinal);
        Assert.DoesNotContain(ids[6], string.Concat(direct), StringComparison.Ordinal);
        Assert.DoesNotContain(ids[5], string.Concat(direct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALinkRowTheRunCannotReplace_FailsTheRun_AndLeavesTheStoredLinksAsTheyWere()
    {
        var store = new CaseStore(_db);
        var written = await store.UpsertAsync(
        [
            Case("RO", "RO-A", "p", ["phone:shared-9"]),
            Case("MD", "MD-B", "q", ["phone:shared-9"]),
        ], CancellationToken.None);
        var links = new LinkStore(_db);
        Assert.Equal(1, (await links.RecomputeAsync(5000, CancellationToken.None)).Groups);
        // A stray row for a case of the group, under a group the run does not know: the run cannot write the case's link.
        await using (var connection = await _db.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(new CommandDefinition("UPDATE case_links SET group_id = 'stray' WHERE case_id = @Id",
                new { Id = written[1].CaseId }));
        }
        var before = await LinkRowsAsync();
        await store.UpsertAsync([Case("BG", "BG-C", "r", ["phone:shared-9"])], CancellationToken.None);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => links.RecomputeAsync(5000, CancellationToken.None));

        Assert.Contains("case_links", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(written[1].CaseId, failure.Message, StringComparison.Ordinal);
        Assert.Equal(before, await LinkRowsAsync());
    }

    private async Task<List<string>> LinkRowsAsync()
    {
        await using var connection = await _db.OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT case_id || '|' || group_id FROM case_links UNION ALL SELECT 'group|' || id || '|' || size FROM link_groups ORDER BY 1"))).ToList();
    }

    // A group as one comparable line: its id, types and every case with its holder and matched types.
    private static List<string> Describe(IReadOnlyList<LinkGroup> groups) => groups
        .Select(g => $"{g.Id} [{string.Join(',', g.Types)}] " + string.Join(" ; ", g.Cases.Select(c =>
            $"{c.CaseId}|{c.Jurisdiction}|{c.Authority}|{string.Join(',', c.MatchedTypes)}")))
        .ToList();

    private static CaseWrite Case(string jurisdiction, string authority, string reference, IReadOnlyList<string> tokens)
    {
        var record = $$"""{"reference":"{{reference}}"}""";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(record)));
        return new CaseWrite(jurisdiction, authority, "ref-" + reference, "k1", "investigation", null, null, 1, 1, "{}", record, hash, tokens);
    }
}
