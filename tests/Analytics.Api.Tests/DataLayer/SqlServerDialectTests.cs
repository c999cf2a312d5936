using System.Text.RegularExpressions;
using Analytics.Api.Jobs;
using Analytics.Data.Database;
using Microsoft.Data.SqlClient;

namespace Analytics.Api.Tests.DataLayer;

/// <summary>
/// The statements the SQL Server dialect writes and the way its migration scripts split into batches. These run everywhere:
/// the same statements run against a real server in <see cref="SqlServerDataLayerTests"/> where ANALYTICS_TEST_SQLSERVER is set.
/// </summary>
public sealed class SqlServerDialectTests
{
    private readonly SqlServerDialect _dialect = new();

    [Fact]
    public void Page_AppendsOffsetFetch_ToTheOrderedQuery()
    {
        var sql = _dialect.Page("SELECT id FROM cases ORDER BY id", "0", "@Limit");

        Assert.Equal("SELECT id FROM cases ORDER BY id OFFSET 0 ROWS FETCH NEXT @Limit ROWS ONLY", sql);
    }

    [Fact]
    public void InsertIgnore_MatchesEachKeyColumnWithItsValue_UnderAKeyRangeLock()
    {
        var sql = _dialect.InsertIgnore("cases", "id, authority, case_ref_token, status, version",
            "@Id, @Authority, @CaseRefToken, 'active', 1", "authority, case_ref_token");

        Assert.Equal(
            "INSERT INTO cases (id, authority, case_ref_token, status, version) SELECT @Id, @Authority, @CaseRefToken, 'active', 1 " +
            "WHERE NOT EXISTS (SELECT 1 FROM cases WITH (UPDLOCK, ROWLOCK, HOLDLOCK) WHERE authority = @Authority AND case_ref_token = @CaseRefToken)",
            sql);
    }

    [Fact]
    public void InsertIgnore_KeepsCommasInsideLiteralsAndCalls_AsOneValue()
    {
        var sql = _dialect.InsertIgnore("t", "k, a, b", "@K, 'x, y', COALESCE(@B, 'u')", "k");

        Assert.Contains("SELECT @K, 'x, y', COALESCE(@B, 'u') WHERE NOT EXISTS", sql);
        Assert.EndsWith("WHERE k = @K)", sql);
    }

    [Fact]
    public void InsertIgnore_Throws_WhenAKeyIsNotInserted_OrTheValuesDoNotMatchTheColumns()
    {
        Assert.Throws<ArgumentException>(() => _dialect.InsertIgnore("t", "a, b", "@A, @B", "c"));
        Assert.Throws<ArgumentException>(() => _dialect.InsertIgnore("t", "a, b", "@A", "a"));
    }

    [Fact]
    public void ForUpdate_PutsLockHintsOnTheTable_NotAtTheEnd()
    {
        var sql = _dialect.ForUpdate("SELECT id AS Id FROM cases WHERE authority = @Authority");

        Assert.Equal("SELECT id AS Id FROM cases WITH (UPDLOCK, ROWLOCK, HOLDLOCK) WHERE authority = @Authority", sql);
        Assert.Throws<ArgumentException>(() => _dialect.ForUpdate("SELECT 1"));
    }

    [Fact]
    public void InListAndJournal_UseDapperExpansionAndObjectId()
    {
        Assert.Equal("t.type IN @Types", _dialect.InList("t.type", "@Types"));
        Assert.Equal("IF OBJECT_ID(N'schema_migrations', N'U') IS NULL CREATE TABLE schema_migrations (id VARCHAR(200) NOT NULL PRIMARY KEY)",
            _dialect.CreateTableIfMissing("schema_migrations", "id VARCHAR(200) NOT NULL PRIMARY KEY"));
    }

    [Fact]
    public void BulkStatements_StageInATempTable_ThenInsertOnlyMissingKeys_OutputtingTheirIds()
    {
        var insert = new BulkInsert("cases", ["id", "authority", "case_ref_token"], ["authority", "case_ref_token"], "id", []);

        Assert.Equal("SELECT id, authority, case_ref_token INTO #stage_cases FROM cases WHERE 1 = 0", SqlServerDialect.CreateStage(insert));
        Assert.Equal(
            "INSERT INTO cases (id, authority, case_ref_token) OUTPUT inserted.id SELECT s.id, s.authority, s.case_ref_token FROM #stage_cases s " +
            "WHERE NOT EXISTS (SELECT 1 FROM cases t WITH (UPDLOCK, ROWLOCK, HOLDLOCK) WHERE t.authority = s.authority AND t.case_ref_token = s.case_ref_token) " +
            "ORDER BY s.authority, s.case_ref_token",
            SqlServerDialect.MoveStage(insert));
        Assert.DoesNotContain("OUTPUT", SqlServerDialect.MoveStage(insert with { Returning = null }));
    }

    [Fact]
    public void Batches_SplitOnGoLinesOnly_AndDropBatchesWithoutAStatement()
    {
        const string script = "-- header\nCREATE TABLE a (x INT);\n  go  \n-- only a comment\nGO\nCREATE TABLE b (y INT); -- GO in a comment\nGOTO_label:\nGO\n";

        var batches = _dialect.Batches(script);

        Assert.Equal(["-- header\nCREATE TABLE a (x INT);", "CREATE TABLE b (y INT); -- GO in a comment\nGOTO_label:"], batches);
    }

    [Fact]
    public void Migrations_MirrorTheSqliteScripts_OneForOne()
    {
        var sqlite = MigrationRunner.Scripts("sqlite");
        var sqlserver = MigrationRunner.Scripts("sqlserver");

        Assert.Equal(sqlite.Select(s => s.Id), sqlserver.Select(s => s.Id));
        foreach (var ((id, lite), (_, server)) in sqlite.Zip(sqlserver))
            Assert.True(Objects(lite).SequenceEqual(Objects(server)), $"{id}: tables and indexes differ from the SQLite script");
    }

    [Fact]
    public void Migrations_ParseIntoBatchesOfPlainTSql()
    {
        foreach (var (id, sql) in MigrationRunner.Scripts("sqlserver"))
        {
            var batches = _dialect.Batches(sql);

            Assert.Equal(Objects(sql), batches.SelectMany(Objects).Order(StringComparer.Ordinal));
            foreach (var batch in batches)
            {
                Assert.DoesNotMatch(new Regex(@"^\s*GO\s*$", RegexOptions.Multiline | RegexOptions.IgnoreCase), batch);
                Assert.Equal(batch.Count(c => c == '('), batch.Count(c => c == ')'));
                // One table with its indexes per batch (or one table altered), so a failing statement names a small batch.
                var created = Regex.Matches(batch, @"CREATE TABLE").Count;
                var altered = Regex.Matches(batch, @"ALTER TABLE (\w+) ADD").Select(m => m.Groups[1].Value).Distinct().Count();
                Assert.True(created + altered == 1, $"{id}: {created} tables created and {altered} altered in one batch");
                // SQLite and PostgreSQL spellings that T-SQL rejects.
                Assert.DoesNotMatch(new Regex(@"\bTEXT\b|AUTOINCREMENT|WITHOUT ROWID|IF NOT EXISTS|GENERATED ALWAYS|DOUBLE PRECISION|COLLATE ""C"""), batch);
            }
            // Every text column compares in code-point order, as on the other dialects.
            var textColumns = Regex.Matches(sql, @"NVARCHAR\((\d+|MAX)\)\s+(COLLATE \w+)?");
            if (sql.Contains("CREATE TABLE", StringComparison.Ordinal)) Assert.NotEmpty(textColumns);
            Assert.All(textColumns, m => Assert.Equal("COLLATE Latin1_General_100_BIN2", m.Groups[2].Value));
        }
    }

    [Fact]
    public void Provider_SqlServer_OpensSqlClientConnectionsNamedForTheApplication()
    {
        var db = new Db(new DatabaseOptions { Provider = "sqlserver", ConnectionString = "Server=127.0.0.1;Database=analytics;User Id=sa;Password=x;TrustServerCertificate=true" });

        using var connection = db.Dialect.CreateConnection("Server=127.0.0.1;Database=analytics;User Id=sa;Password=x");
        var named = db.Dialect.CreateConnection("Server=127.0.0.1;Application Name=reports");

        Assert.IsType<SqlServerDialect>(db.Dialect);
        Assert.False(db.Dialect.SingleWriter);
        Assert.Equal("analytics", new SqlConnectionStringBuilder(Assert.IsType<SqlConnection>(connection).ConnectionString).ApplicationName);
        Assert.Equal("reports", new SqlConnectionStringBuilder(named.ConnectionString).ApplicationName);
    }

    [Fact]
    public void HangfireSqlServerStorage_NeedsTheSqlServerProvider()
    {
        var error = Assert.Throws<NotSupportedException>(() =>
            JobsSetup.SqlServerStorage(new DatabaseOptions { Provider = "postgres", ConnectionString = "Host=127.0.0.1" }));

        Assert.Contains("Database:Provider 'sqlserver'", error.Message);
    }

    private static IEnumerable<string> Objects(string sql) =>
        Regex.Matches(sql, @"CREATE (TABLE|INDEX) (\w+)", RegexOptions.IgnoreCase).Select(m => m.Groups[2].Value).Order(StringComparer.Ordinal);
}
