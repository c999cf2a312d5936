using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Analytics.Core.Cases;
using Analytics.Data.ApiKeys;
using Analytics.Data.Audit;
using Analytics.Data.Cases;
using Analytics.Data.Database;
using Analytics.Data.Idempotency;
using Analytics.Data.Insights;
using Analytics.Data.Jobs;
using Analytics.Data.Links;
using Analytics.Data.Patterns;
using Analytics.Data.Privacy;
using Analytics.Data.Sessions;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Api.Tests.DataLayer;

[Dialect("sqlite")]
public sealed class SqliteDataLayerTests(SqliteDataLayerDatabase database) : DataLayerTests<SqliteDataLayerDatabase>(database);

[Dialect("postgres")]
public sealed class PostgresDataLayerTests(PostgresDataLayerDatabase database) : DataLayerTests<PostgresDataLayerDatabase>(database);

[Dialect("sqlserver")]
public sealed class SqlServerDataLayerTests(SqlServerDataLayerDatabase database) : DataLayerTests<SqlServerDataLayerDatabase>(database);

/// <summary>
/// Every store of the data layer, written once and run on each dialect by the classes above: SQLite always, PostgreSQL
/// when ANALYTICS_TEST_POSTGRES is set (always on CI), SQL Server when ANALYTICS_TEST_SQLSERVER is set. The tests of one
/// class share a database and keep apart by authorities, tokens and versions of their own.
/// </summary>
public abstract class DataLayerTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase> where TDatabase : DataLayerDatabase
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly CancellationToken None = CancellationToken.None;

    private Db Db => database.Db;

    [DialectFact]
    public async Task Migrations_AreRecordedUnderTheSqliteIds_AndApplyOnce()
    {
        var recorded = (await QueryStringsAsync("SELECT id FROM schema_migrations ORDER BY id", null)).ToList();
        var again = await new MigrationRunner(Db, NullLogger<MigrationRunner>.Instance).RunAsync(None);

        Assert.Equal(MigrationRunner.Scripts("sqlite").Select(s => s.Id), recorded);
        Assert.Equal(MigrationRunner.Scripts(Db.Dialect.Name).Select(s => s.Id), recorded);
        Assert.Equal(database.Options.Provider, Db.Dialect.Name);
        Assert.Empty(again);
    }

    [DialectFact]
    public async Task Upsert_CreatesThenLeavesUnchangedThenUpdates_OneRowPerCase()
    {
        var store = new CaseStore(Db);
        var authority = NewAuthority();

        var created = (await store.UpsertAsync([Case(authority, "a", tokens: ["phone:a1", "email:a1"])], None))[0];
        var same = (await store.UpsertAsync([Case(authority, "a", tokens: ["phone:a1", "email:a1"])], None))[0];
        var changed = (await store.UpsertAsync([Case(authority, "a", victims: 2, tokens: ["phone:a2"])], None))[0];
        var stored = await store.FindAsync(created.CaseId, None);

        Assert.Equal((WriteOutcome.Created, 1), (created.Outcome, created.Version));
        Assert.Equal((WriteOutcome.Unchanged, 1, created.CaseId), (same.Outcome, same.Version, same.CaseId));
        Assert.Equal((WriteOutcome.Updated, 2, created.CaseId), (changed.Outcome, changed.Version, changed.CaseId));
        Assert.NotNull(stored);
        Assert.Equal(("active", 2, RecordOf("a", 2)), (stored.Status, stored.Version, stored.Record));
        Assert.Equal(1L, await CountCasesAsync(authority));
        Assert.Equal(["phone:a2" + authority], await TokensOfAsync(created.CaseId));
    }

    [DialectFact]
    public async Task UpsertBatch_KeepsUpsertSemantics_OnTheBulkPathAndRowByRow()
    {
        var bulk = await WriteMixedBatchAsync(new CaseStore(Db), NewAuthority());
        var rowByRow = await WriteMixedBatchAsync(new CaseStore(Db) { BulkThreshold = int.MaxValue }, NewAuthority());

        Assert.Equal(rowByRow.Outcomes, bulk.Outcomes);
        Assert.Equal((rowByRow.Rows, rowByRow.Tokens, rowByRow.RepeatSameId), (bulk.Rows, bulk.Tokens, bulk.RepeatSameId));
        var (outcomes, rows, tokens, repeatSameId) = bulk;
        Assert.Equal(WriteOutcome.Unchanged, outcomes[0]);
        Assert.Equal(WriteOutcome.Updated, outcomes[1]);
        Assert.All(outcomes[2..38], o => Assert.Equal(WriteOutcome.Created, o));
        Assert.Equal([WriteOutcome.Updated, WriteOutcome.Unchanged], outcomes[38..]);
        Assert.True(repeatSameId);
        Assert.Equal(38L, rows);
        Assert.Equal(2L + 36 * 2, tokens);
    }

    [DialectFact]
    public async Task UpsertBatch_OfManyCases_StoresEachOnce_AndAReplayChangesNothing()
    {
        // Past the engines' small-insert paths (PostgreSQL's arrays stop at PostgresDialect.ArrayInsertRows, 512): the large-batch path.
        var store = new CaseStore(Db);
        var authority = NewAuthority();
        var batch = Enumerable.Range(0, 600).Select(i => Case(authority, $"m{i}", victims: 1 + i % 3, tokens: [$"phone:m{i}"])).ToList();

        var first = await store.UpsertAsync(batch, None);
        var replay = await store.UpsertAsync(batch, None);

        Assert.All(first, r => Assert.Equal(WriteOutcome.Created, r.Outcome));
        Assert.Equal(first.Select(r => r.CaseId), replay.Select(r => r.CaseId));
        Assert.All(replay, r => Assert.Equal(WriteOutcome.Unchanged, r.Outcome));
        Assert.Equal(600L, await CountCasesAsync(authority));
        Assert.Equal(600L, await ScalarAsync("SELECT COUNT(*) FROM case_tokens t JOIN cases c ON c.id = t.case_id WHERE c.authority = @authority", new { authority }));
        Assert.Equal(200L * 1 + 200L * 2 + 200L * 3, await ScalarAsync("SELECT SUM(victim_count) FROM cases WHERE authority = @authority", new { authority }));
        var stored = await store.FindAsync(first[599].CaseId, None);
        Assert.Equal((RecordOf("m599", 3), "ref-m599"), (stored!.Record, stored.CaseRefToken));
    }

    /// <summary>
    /// Stores r0 and r1, then sends 40 cases: r0 unchanged, r1 changed, r2…r37 new (two tokens each), r5 again changed and
    /// r6 again unchanged. Returns the outcomes, the rows and tokens stored, and whether repeats kept their first id.
    /// </summary>
    private async Task<(WriteOutcome[] Outcomes, long Rows, long Tokens, bool RepeatSameId)> WriteMixedBatchAsync(CaseStore store, string authority)
    {
        await store.UpsertAsync([Case(authority, "r0"), Case(authority, "r1")], None);
        var batch = new List<CaseWrite> { Case(authority, "r0"), Case(authority, "r1", victims: 2) };
        for (var i = 2; i < 38; i++) batch.Add(Case(authority, $"r{i}", tokens: [$"phone:r{i}", $"email:r{i}"]));
        batch.Add(Case(authority, "r5", victims: 3, tokens: ["phone:r5", "email:r5"]));
        batch.Add(Case(authority, "r6", tokens: ["phone:r6", "email:r6"]));
        Assert.True(batch.Count >= Db.Dialect.BulkWriteFrom);

        var results = await store.UpsertAsync(batch, None);

        var repeatSameId = results[38].CaseId == results[5].CaseId && results[39].CaseId == results[6].CaseId && results[38].Version == 2;
        var tokens = await ScalarAsync(
            "SELECT COUNT(*) FROM case_tokens t JOIN cases c ON c.id = t.case_id WHERE c.authority = @authority", new { authority });
        return (results.Select(r => r.Outcome).ToArray(), await CountCasesAsync(authority), tokens, repeatSameId);
    }

    [DialectFact]
    public async Task UpsertBatch_StoresNothing_WhenOneCaseFails()
    {
        var store = new CaseStore(Db);
        var large = NewAuthority();
        var small = NewAuthority();
        List<CaseWrite> Batch(string authority, int size) =>
            Enumerable.Range(0, size).Select(i => i == size / 2 ? Case(authority, $"f{i}") with { Stage = null! } : Case(authority, $"f{i}")).ToList();

        await Assert.ThrowsAnyAsync<Exception>(() => store.UpsertAsync(Batch(large, 24), None));
        await Assert.ThrowsAnyAsync<Exception>(() => store.UpsertAsync(Batch(small, 3), None));

        Assert.Equal(0L, await CountCasesAsync(large));
        Assert.Equal(0L, await CountCasesAsync(small));
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM case_tokens WHERE token LIKE @pattern", new { pattern = "%" + large }));
    }

    [DialectFact]
    public async Task ConcurrentBatches_OfTheSameCases_StoreEachCaseOnce()
    {
        var store = new CaseStore(Db);
        var authority = NewAuthority();
        var cases = Enumerable.Range(0, 20).Select(i => Case(authority, $"c{i}")).ToList();

        var results = (await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => store.UpsertAsync(cases, None))))).SelectMany(r => r).ToList();

        Assert.Equal(20, results.Count(r => r.Outcome == WriteOutcome.Created));
        Assert.Equal(60, results.Count(r => r.Outcome == WriteOutcome.Unchanged));
        Assert.Equal(20, results.Select(r => r.CaseId).Distinct().Count());
        Assert.Equal(20L, await CountCasesAsync(authority));
        Assert.Equal(20L, await ScalarAsync("SELECT COUNT(*) FROM case_tokens t JOIN cases c ON c.id = t.case_id WHERE c.authority = @authority", new { authority }));
    }

    [DialectFact]
    public async Task ConcurrentSingleWrites_ShareTransactions_AndEachGetsItsOwnResult()
    {
        var store = new CaseStore(Db);
        var authority = NewAuthority();
        var existing = (await store.UpsertAsync([Case(authority, "s0", tokens: ["phone:old"])], None))[0];
        // 47 new cases (one of them sent twice), a correction of the stored one, and a case whose tokens repeat.
        var writes = Enumerable.Range(1, 46).Select(i => Case(authority, $"s{i}", tokens: [$"phone:s{i}", $"email:s{i}"]))
            .Append(Case(authority, "s1", tokens: ["phone:s1", "email:s1"]))
            .Append(Case(authority, "s0", victims: 3, tokens: ["phone:new"]))
            .Append(Case(authority, "s47", tokens: ["phone:twice", "phone:twice", "email:s47"]))
            .ToList();

        var results = await Task.WhenAll(writes.Select(w => Task.Run(() => store.UpsertAsync([w], None))));

        var byReference = writes.Zip(results, (w, r) => (w.CaseRefToken, Result: r.Single())).ToList();
        Assert.Equal(47, byReference.Where(x => x.Result.Outcome == WriteOutcome.Created).Select(x => x.CaseRefToken).Distinct().Count());
        Assert.Single(byReference, x => x.CaseRefToken == "ref-s1" && x.Result.Outcome == WriteOutcome.Unchanged);
        Assert.Single(byReference.Where(x => x.CaseRefToken == "ref-s1").Select(x => x.Result.CaseId).Distinct());
        var corrected = byReference.Single(x => x.CaseRefToken == "ref-s0").Result;
        Assert.Equal((existing.CaseId, WriteOutcome.Updated, 2), (corrected.CaseId, corrected.Outcome, corrected.Version));
        Assert.Equal(48L, await CountCasesAsync(authority));
        Assert.Equal(["phone:new" + authority], await TokensOfAsync(existing.CaseId));
        Assert.Equal(new[] { "email:s47" + authority, "phone:twice" + authority }, await TokensOfAsync(byReference.Single(x => x.CaseRefToken == "ref-s47").Result.CaseId));
        Assert.Equal(2 * 46 + 1 + 2L, await ScalarAsync("SELECT COUNT(*) FROM case_tokens t JOIN cases c ON c.id = t.case_id WHERE c.authority = @authority", new { authority }));
        if (Db.Dialect.Name == "postgres")
        {
            // Rows written by one transaction carry its id: the 48 writes took far fewer transactions than one each.
            var transactions = await ScalarAsync("SELECT COUNT(DISTINCT xmin::text) FROM cases WHERE authority = @authority AND case_ref_token <> 'ref-s0'", new { authority });
            Assert.InRange(transactions, 1L, 24L);
        }
    }

    [DialectFact]
    public async Task Withdraw_DropsTokensOnce_AndListPagesByAuthority()
    {
        var store = new CaseStore(Db);
        var authority = NewAuthority();
        var ids = (await store.UpsertAsync([Case(authority, "w0"), Case(authority, "w1"), Case(authority, "w2")], None)).Select(r => r.CaseId).ToList();

        var first = await store.WithdrawAsync(ids[1], None);
        var second = await store.WithdrawAsync(ids[1], None);
        var withdrawn = await store.FindAsync(ids[1], None);
        var page1 = await store.ListAsync(authority, null, 2, None);
        var page2 = await store.ListAsync(authority, page1[^1].Id, 2, None);

        Assert.True(first);
        Assert.False(second);
        Assert.Equal(("withdrawn", 2), (withdrawn!.Status, withdrawn.Version));
        Assert.Empty(await TokensOfAsync(ids[1]));
        Assert.Single(await TokensOfAsync(ids[0]));
        Assert.Equal(ids.Order(StringComparer.Ordinal), page1.Concat(page2).Select(r => r.Id));
        Assert.Equal(2, page1.Count);
        Assert.Equal("withdrawn", page1.Concat(page2).Single(r => r.Id == ids[1]).Status);
    }

    [DialectFact]
    public async Task Idempotency_OneRequestHoldsAKey_UntilItCompletesOrReleasesIt()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var store = new IdempotencyStore(Db, clock, Keys);
        var principal = NewAuthority();

        Assert.Null(await store.ReserveAsync(principal, "k1", "hash-1", None));
        var inProgress = await store.ReserveAsync(principal, "k1", "hash-1", None);
        await store.CompleteAsync(principal, "k1", 201, """{"first":true}""", None);
        var done = await store.ReserveAsync(principal, "k1", "hash-2", None);

        Assert.Equal(("hash-1", 0), (inProgress!.RequestHash, inProgress.StatusCode));
        Assert.Equal(("hash-1", 201, """{"first":true}"""), (done!.RequestHash, done.StatusCode, done.Response));
        Assert.Null(await store.FindAsync(principal, "k2", None));

        // A released key (nothing stored) can be used again; one whose request died is released after a while.
        Assert.Null(await store.ReserveAsync(principal, "k2", "hash-3", None));
        await store.ReleaseAsync(principal, "k2", None);
        Assert.Null(await store.ReserveAsync(principal, "k2", "hash-4", None));
        clock.Advance(IdempotencyStore.AbandonedAfter - TimeSpan.FromMinutes(1));
        Assert.Equal(0, (await store.ReserveAsync(principal, "k2", "hash-5", None))!.StatusCode);
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await store.ReserveAsync(principal, "k2", "hash-5", None));
        await store.ReleaseAsync(principal, "k1", None);
        Assert.Equal(201, (await store.FindAsync(principal, "k1", None))!.StatusCode);
    }

    [DialectFact]
    public async Task Idempotency_KeepsTheKeysToken_NeverTheKey_AndForgetsItAfterTheRetention()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var store = new IdempotencyStore(Db, clock, Keys);
        var principal = NewAuthority();
        const string key = "Ioana Marginean +40721234567";

        Assert.Null(await store.ReserveAsync(principal, key, "hash-1", None));
        await store.CompleteAsync(principal, key, 201, "{}", None);
        await using (var connection = await Db.OpenAsync(None))
        {
            var stored = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT idem_key FROM idempotency_keys WHERE principal = @principal", new { principal }))).Single();
            Assert.StartsWith("idempotency:", stored, StringComparison.Ordinal);
            Assert.DoesNotContain("Marginean", stored, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("721234567", stored, StringComparison.Ordinal);
        }
        Assert.Equal(201, (await store.FindAsync(principal, key, None))!.StatusCode);
        // Another key's token: a replay needs the same key.
        Assert.Null(await store.FindAsync(principal, key + " ", None));

        clock.Advance(IdempotencyStore.Retention + TimeSpan.FromMinutes(2));
        Assert.Null(await store.ReserveAsync(principal, "later", "hash-2", None));
        Assert.Null(await store.FindAsync(principal, key, None));
    }

    [DialectFact]
    public async Task Idempotency_AfterARotation_FindsAKeyUnderItsEarlierToken_AndReleasesItWhenAbandoned()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var before = new IdempotencyStore(Db, clock, Keys);
        var after = new IdempotencyStore(Db, clock, new Core.Pseudonymisation.KeyRing([.. Keys.Keys,
            new Core.Pseudonymisation.PseudonymisationKey("test-key-2", System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))]));
        var principal = NewAuthority();

        // Answered before the rotation: replayed after it, and refused with another request.
        Assert.Null(await before.ReserveAsync(principal, "answered", "hash-1", None));
        await before.CompleteAsync(principal, "answered", 201, """{"first":true}""", None);
        var replay = await after.ReserveAsync(principal, "answered", "hash-1", None);
        Assert.Equal(("hash-1", 201, """{"first":true}"""), (replay!.RequestHash, replay.StatusCode, replay.Response));
        Assert.Equal("hash-1", (await after.ReserveAsync(principal, "answered", "hash-2", None))!.RequestHash);
        Assert.Equal(201, (await after.FindAsync(principal, "answered", None))!.StatusCode);

        // Reserved before the rotation by a request that then died: held until it counts as abandoned, then taken over.
        Assert.Null(await before.ReserveAsync(principal, "died", "hash-3", None));
        Assert.Equal(0, (await after.ReserveAsync(principal, "died", "hash-4", None))!.StatusCode);
        clock.Advance(IdempotencyStore.AbandonedAfter + TimeSpan.FromMinutes(1));
        Assert.Null(await after.ReserveAsync(principal, "died", "hash-4", None));
        await after.CompleteAsync(principal, "died", 200, "{}", None);
        Assert.Equal(("hash-4", 200), ((await after.FindAsync(principal, "died", None))!.RequestHash, (await after.FindAsync(principal, "died", None))!.StatusCode));
        await using var connection = await Db.OpenAsync(None);
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM idempotency_keys WHERE principal = @principal", new { principal })));
    }

    private static readonly Core.Pseudonymisation.KeyRing Keys =
        new(new Core.Pseudonymisation.PseudonymisationKey("test-key", System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }

    [DialectFact]
    public async Task Idempotency_RacingRequestsWithOneKey_OnlyOneHoldsIt()
    {
        var store = new IdempotencyStore(Db, TimeProvider.System, Keys);
        var principal = NewAuthority();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => store.ReserveAsync(principal, "race", $"hash-{i}", None))));

        Assert.Equal(1, outcomes.Count(o => o is null));
    }

    [DialectFact]
    public async Task ApiKeys_PageInIssueOrder_FilterOnRevocation_AndRefuseAnUnknownCursor()
    {
        var store = new ApiKeyStore(Db);
        var issued = new List<string>();
        for (var i = 0; i < 4; i++) issued.Add((await store.CreateAsync($"pager {i}", Roles.Analyst, null, null, None)).Id);
        await store.RevokeAsync(issued[2], None);

        var seen = new List<ApiKeyRecord>();
        string? after = null;
        for (var pages = 0; pages < 1_000; pages++)
        {
            var page = await store.PageAsync(after, null, 3, None);
            Assert.NotNull(page);
            seen.AddRange(page);
            if (page.Count < 3) break;
            after = page[^1].Id;
        }
        var usable = (await store.PageAsync(null, false, 10_000, None))!;
        var revoked = (await store.PageAsync(null, true, 10_000, None))!;

        Assert.Equal(seen.Count, seen.Select(k => k.Id).Distinct().Count());
        Assert.Equal(issued, seen.Select(k => k.Id).Where(issued.Contains).ToList());
        Assert.All(seen, k => Assert.Equal("", k.SecretHash));
        Assert.Contains(issued[2], revoked.Select(k => k.Id));
        Assert.DoesNotContain(issued[2], usable.Select(k => k.Id));
        Assert.All(revoked, k => Assert.NotNull(k.RevokedAt));
        Assert.All(usable, k => Assert.Null(k.RevokedAt));
        Assert.Null(await store.PageAsync("no-such-key", null, 10, None));
        Assert.True(await store.ExistsAsync(issued[2], None));
        Assert.False(await store.ExistsAsync("no-such-key", None));
    }

    [DialectFact]
    public async Task ApiKeys_VerifyUntilRevoked_AndListWithoutHashes()
    {
        var store = new ApiKeyStore(Db);
        var authority = NewAuthority();

        var issued = await store.CreateAsync("clerk", Roles.Prosecutor, "RO", authority, None);
        var verified = await store.VerifyAsync(issued.Key, None);
        var wrongSecret = await store.VerifyAsync(issued.Key[..^1] + (issued.Key[^1] == 'a' ? 'b' : 'a'), None);
        var revoked = await store.RevokeAsync(issued.Id, None);
        var revokedAgain = await store.RevokeAsync(issued.Id, None);
        var afterRevoke = await store.VerifyAsync(issued.Key, None);
        var listed = (await store.ListAsync(None)).Single(k => k.Id == issued.Id);

        Assert.Equal((Roles.Prosecutor, "RO", authority), (verified!.Role, verified.Jurisdiction, verified.Authority));
        Assert.Null(wrongSecret);
        Assert.True(revoked);
        Assert.False(revokedAgain);
        Assert.Null(afterRevoke);
        Assert.Equal("", listed.SecretHash);
        Assert.NotNull(listed.RevokedAt);
    }

    [DialectFact]
    public async Task JobSchedules_KeepTheStewardsChoice_AndRunsPageNewestFirst()
    {
        var store = new JobStore(Db);
        var job = "job-" + Guid.NewGuid().ToString("n")[..8];

        await store.EnsureScheduleAsync(job, "0 * * * *", None);
        await store.SetScheduleAsync(job, "5 * * * *", "steward-1", None);
        await store.EnsureScheduleAsync(job, "0 * * * *", None);
        var runs = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await store.StartRunAsync(job, None));
            await Task.Delay(5);
        }
        await store.FinishRunAsync(runs[2], "succeeded", new string('x', 3000), None);
        var schedule = (await store.SchedulesAsync(None)).Single(s => s.JobId == job);
        var page = await store.RunsAsync(job, 2, None);

        Assert.Equal(("5 * * * *", "steward-1"), (schedule.Cron, schedule.UpdatedBy));
        Assert.Equal([runs[2], runs[1]], page.Select(r => r.Id));
        Assert.Equal(("succeeded", 2000), (page[0].Outcome, page[0].Detail!.Length));
        Assert.Equal("running", page[1].Outcome);
        // The next page starts after the last run of this one.
        var next = await store.RunsAsync(job, 2, page[^1].StartedAt, None);
        Assert.Equal([runs[0]], next.Select(r => r.Id));
    }

    [DialectFact]
    public async Task Patterns_AssignmentsAndMonthlyCounts_FollowTheVersion()
    {
        var cases = new CaseStore(Db);
        var store = new PatternStore(Db);
        var authority = NewAuthority();
        var version = "v-" + Guid.NewGuid().ToString("n")[..8];
        var ids = (await cases.UpsertAsync([Case(authority, "p0"), Case(authority, "p1"), Case(authority, "p2", periodFrom: "2023-07")], None))
            .Select(r => r.CaseId).ToList();

        var unassigned = (await store.UnassignedAsync(version, 100_000, None)).ToDictionary(r => r.CaseId, r => r.RecordHash);
        var before = unassigned.Keys.ToHashSet();
        await store.SaveAssignmentsAsync(version,
            [new(ids[0], 1, 0.5, unassigned[ids[0]]), new(ids[1], 1, 0.25, unassigned[ids[1]]), new(ids[2], 2, 1.5, unassigned[ids[2]])], None);
        var after = (await store.UnassignedAsync(version, 100_000, None)).Select(r => r.CaseId).ToHashSet();
        var aggregates = new PatternAggregates();
        await foreach (var c in store.StreamForAggregatesAsync(version, None)) aggregates.Add(c, 0);
        var (rows, _) = await store.ReplaceAggregatesAsync(version, aggregates, None);
        var monthly = (await store.MonthlyAsync(version, None)).OrderBy(m => m.PatternId).Select(m => (m.PatternId, m.Month, m.Jurisdiction, m.Cases));
        var profiles = (await store.ActiveProfilesAsync(None)).Where(p => ids.Contains(p.CaseId)).ToList();

        Assert.Superset(ids.ToHashSet(), before);
        Assert.Empty(after.Intersect(ids));
        Assert.Equal(2, rows);
        Assert.Equal([(1, "2024-03", "RO", 2), (2, "2023-07", "RO", 1)], monthly);
        Assert.Equal(3, profiles.Count);
        Assert.All(profiles, p => Assert.Equal(["MD", "RO"], p.Profile.RouteCountries));
    }

    [DialectFact]
    public async Task Patterns_ACorrectedOrWithdrawnCase_LosesItsPattern_AndAStaleAssignmentIsNotStored()
    {
        var cases = new CaseStore(Db);
        var store = new PatternStore(Db);
        var authority = NewAuthority();
        var version = "v-" + Guid.NewGuid().ToString("n")[..8];
        var ids = (await cases.UpsertAsync([Case(authority, "q0"), Case(authority, "q1"), Case(authority, "q2")], None)).Select(r => r.CaseId).ToList();
        var read = (await store.UnassignedAsync(version, 100_000, None)).Where(r => ids.Contains(r.CaseId)).ToDictionary(r => r.CaseId, r => r.RecordHash);
        await store.SaveAssignmentsAsync(version, ids.Select(id => new PatternAssignment(id, 1, 0.5, read[id])).ToList(), None);

        // q0 is corrected and q1 withdrawn after their patterns were stored; q0 is corrected again between a read and its save.
        var corrected = await cases.UpsertAsync([Case(authority, "q0", victims: 4)], None);
        await cases.WithdrawAsync(ids[1], None);
        var stale = (await store.UnassignedAsync(version, 100_000, None)).Single(r => r.CaseId == ids[0]);
        await cases.UpsertAsync([Case(authority, "q0", victims: 5)], None);
        await store.SaveAssignmentsAsync(version, [new PatternAssignment(stale.CaseId, 2, 0.1, stale.RecordHash)], None);
        var assigned = await QueryStringsAsync("SELECT case_id FROM case_patterns WHERE case_id IN (@a, @b, @c)", new { a = ids[0], b = ids[1], c = ids[2] });
        var again = (await store.UnassignedAsync(version, 100_000, None)).Where(r => ids.Contains(r.CaseId)).ToList();

        Assert.Equal(WriteOutcome.Updated, corrected[0].Outcome);
        Assert.Equal([ids[2]], assigned);
        Assert.Equal([ids[0]], again.Select(r => r.CaseId));
        Assert.Equal(Case(authority, "q0", victims: 5).RecordHash, again[0].RecordHash);
        Assert.NotEqual(stale.RecordHash, again[0].RecordHash);
    }

    [DialectFact]
    public async Task Patterns_UnassignedPages_FollowOnFromTheLastId_AndSavingStoresOnlyCurrentRecords_InChunks()
    {
        var cases = new CaseStore(Db);
        var store = new PatternStore(Db);
        var authority = NewAuthority();
        var version = "v-" + Guid.NewGuid().ToString("n")[..8];
        // More than a chunk of the save (1,000), and than PostgreSQL's array path (512 rows): the bulk copy goes too.
        var ids = (await cases.UpsertAsync(Enumerable.Range(0, 1_203).Select(i => Case(authority, $"k{i}")).ToList(), None)).Select(r => r.CaseId).ToList();

        var all = await store.UnassignedAsync(version, 100_000, None);
        var paged = new List<UnassignedCase>();
        for (var page = await store.UnassignedAsync(version, "", 500, None); page.Count > 0; page = await store.UnassignedAsync(version, page[^1].CaseId, 500, None))
            paged.AddRange(page);
        var hashes = all.ToDictionary(r => r.CaseId, r => r.RecordHash);
        var saved = ids.Take(1_200).Select((id, i) => new PatternAssignment(id, i % 7, i / 3.0, i == 5 ? "not-the-stored-record" : hashes[id])).ToList();
        var stored = await store.SaveAssignmentsAsync(version, saved, None);
        var rows = new List<(string, int, double)>();
        await using (var connection = await Db.OpenAsync(None))
        await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            "SELECT case_id, pattern_id, distance FROM case_patterns WHERE model_version = @version", new { version })))
        {
            while (await reader.ReadAsync()) rows.Add((reader.GetString(0), Convert.ToInt32(reader.GetValue(1)), reader.GetDouble(2)));
        }
        var left = (await store.UnassignedAsync(version, 100_000, None)).Select(r => r.CaseId).Where(ids.Contains).Order(StringComparer.Ordinal);

        Assert.Superset(ids.ToHashSet(), all.Select(r => r.CaseId).ToHashSet());
        Assert.Equal(all.Select(r => r.CaseId).Order(StringComparer.Ordinal), all.Select(r => r.CaseId));
        Assert.Equal(all.Select(r => (r.CaseId, r.RecordHash, JsonSerializer.Serialize(r.Profile))),
            paged.Select(r => (r.CaseId, r.RecordHash, JsonSerializer.Serialize(r.Profile))));
        Assert.Equal(1_199, stored);
        Assert.Equal(saved.Where((_, i) => i != 5).Select(a => (a.CaseId, a.PatternId, a.Distance)).OrderBy(r => r.CaseId, StringComparer.Ordinal),
            rows.OrderBy(r => r.Item1, StringComparer.Ordinal));
        Assert.Equal(ids.Skip(1_200).Append(ids[5]).Order(StringComparer.Ordinal), left);
    }

    [DialectFact]
    public async Task Aggregates_OfTheStreamedCases_AreThoseOfTheGroupedQueryAndOfWholeProfiles()
    {
        var cases = new CaseStore(Db);
        var store = new PatternStore(Db);
        var authority = NewAuthority();
        var version = "v-" + Guid.NewGuid().ToString("n")[..8];
        CaseProfile Profile(string jurisdiction, string? period, string[] types, string[] route, params (string? Band, string? Gender)[] victims) => new()
        {
            Jurisdiction = jurisdiction, PeriodFrom = period, ExploitationTypes = types, RouteCountries = route,
            Victims = victims.Select(v => new ProfileVictim(v.Band, v.Gender, "MD")).ToList(), RecruitmentChannels = ["social-media", "job-ad"],
            MeansOfControl = ["debt-bondage"], Suspects = [new ProfileSuspect("recruiter", null)], Platforms = ["telegram"],
        };
        var ids = (await cases.UpsertAsync(
        [
            Case(authority, "g0", profile: Profile("RO", "2024-03", ["sexual", "labour"], ["MD", "UA", "RO"], ("15-17", "female"), ("15-17", "male"))),
            Case(authority, "g1", profile: Profile("RO", "2024-03", ["labour", "sexual", "labour"], ["MD", "RO"], ("15-17", null), (null, "female"))),
            // The case row's period and jurisdiction (which the monthly counts go by) differ from the profile's (which the cells go by).
            Case(authority, "g2", jurisdiction: "MD", periodFrom: null, profile: Profile("RO", "2023-01", [], ["UA"], (null, "female"))),
            Case(authority, "g3", profile: Profile("RO", "2024-03", ["sexual"], ["MD", "RO"])),
            Case(authority, "g4", profile: Profile("RO", "2022-11", ["forced-criminality"], ["MD", "RO"], ("18-24", "male"))),
        ], None)).Select(r => r.CaseId).ToList();
        var read = (await store.UnassignedAsync(version, 100_000, None)).Where(r => ids.Contains(r.CaseId)).ToDictionary(r => r.CaseId, r => r.RecordHash);
        // g3 is assigned, then withdrawn; g4 is never assigned.
        await store.SaveAssignmentsAsync(version, ids.Take(4).Select((id, i) => new PatternAssignment(id, i % 2, 0.5, read[id])).ToList(), None);
        await cases.WithdrawAsync(ids[3], None);
        var secret = SHA256.HashData(Encoding.UTF8.GetBytes(version));
        uint KeyOf(string caseId) => Analytics.Core.Disclosure.CellKeyPerturbation.RecordKey(secret, caseId);

        var patterns = new PatternAggregates();
        var insights = new InsightAggregates();
        var streamed = 0;
        await foreach (var c in store.StreamForAggregatesAsync(version, None))
        {
            patterns.Add(c, KeyOf(c.CaseId));
            insights.Add(c.Profile, KeyOf(c.CaseId));
            streamed++;
        }
        var noVersion = new PatternAggregates();
        await foreach (var c in store.StreamForAggregatesAsync(null, None)) noVersion.Add(c, KeyOf(c.CaseId));

        // What the refresh worked out before it streamed: the monthly counts grouped in SQL, the cells from whole profiles
        // and the version's assignments, the insight counts from whole profiles.
        var grouped = new List<(int, string, string, int)>();
        await using (var connection = await Db.OpenAsync(None))
        await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            """
            SELECT p.pattern_id, COALESCE(c.period_from, 'unknown'), c.jurisdiction, COUNT(*)
            FROM case_patterns p JOIN cases c ON c.id = p.case_id
            WHERE c.status = 'active' AND p.model_version = @version
            GROUP BY p.pattern_id, COALESCE(c.period_from, 'unknown'), c.jurisdiction
            """, new { version })))
        {
            while (await reader.ReadAsync())
                grouped.Add((Convert.ToInt32(reader.GetValue(0)), reader.GetString(1), reader.GetString(2), Convert.ToInt32(reader.GetValue(3))));
        }
        var assigned = (await QueryPairsAsync("SELECT case_id, pattern_id FROM case_patterns WHERE model_version = @version", new { version }))
            .ToDictionary(r => r.Key, r => r.Value);
        var whole = await store.ActiveProfilesAsync(None);
        var cells = new Dictionary<(int, string, string, string, string), (int Cases, uint Key)>();
        var wholeInsights = new InsightAggregates();
        foreach (var row in whole)
        {
            wholeInsights.Add(row.Profile, KeyOf(row.CaseId));
            if (!assigned.TryGetValue(row.CaseId, out var pattern)) continue;
            var p = row.Profile;
            var key = (pattern, p.PeriodFrom ?? PatternStore.UnknownMonth, p.Jurisdiction, PatternStore.SetKey(p.ExploitationTypes),
                PatternStore.SetKey(p.Victims.Where(v => v.AgeBand is not null).Select(v => v.AgeBand!)));
            var (count, sum) = cells.GetValueOrDefault(key);
            cells[key] = (count + 1, unchecked(sum + KeyOf(row.CaseId)));
        }

        Assert.Equal(whole.Count, streamed);
        Assert.Equal([(0, "2024-03", "RO", 1), (0, "unknown", "MD", 1), (1, "2024-03", "RO", 1)], grouped.Order());
        Assert.Equal(grouped.Order(), patterns.Monthly.Select(m => (m.Key.Pattern, m.Key.Month, m.Key.Jurisdiction, m.Value)).Order());
        Assert.Equal(3, cells.Count);
        Assert.Contains((0, "2023-01", "RO", "|", "|"), cells.Keys);
        Assert.Contains((1, "2024-03", "RO", "|labour|sexual|", "|15-17|"), cells.Keys);
        Assert.Equal(cells.OrderBy(c => c.Key), patterns.Cells.Select(c => KeyValuePair.Create((c.Key.Pattern, c.Key.Month, c.Key.Jurisdiction, c.Key.Types, c.Key.Bands), c.Value)).OrderBy(c => c.Key));
        Assert.Equal(wholeInsights.Summary.OrderBy(s => s.Key), insights.Summary.OrderBy(s => s.Key));
        Assert.Equal(wholeInsights.Routes.OrderBy(r => r.Key), insights.Routes.OrderBy(r => r.Key));
        Assert.Contains(("MD>UA>RO", "MD", "RO", "2024", "sexual"), insights.Routes.Keys);
        Assert.Empty(noVersion.Monthly);
        Assert.Empty(noVersion.Cells);
    }

    [DialectFact]
    public async Task ActiveCompactProfiles_GiveTheSameProfilesAndMatrix_AsTheBufferedRead()
    {
        var authority = NewAuthority();
        await new CaseStore(Db).UpsertAsync([Case(authority, "s0"), Case(authority, "s1", periodFrom: "2023-07"), Case(authority, "s2", periodFrom: "2022-01")], None);
        var store = new PatternStore(Db);

        // The read training used before: every row buffered by Dapper, then every profile decoded.
        await using var connection = await Db.OpenAsync(None);
        var buffered = (await connection.QueryAsync<(string Id, string Profile)>(new CommandDefinition(
                "SELECT id, profile FROM cases WHERE status = 'active' ORDER BY profile, id")))
            .Select(r => JsonSerializer.Deserialize<CaseProfile>(r.Profile, Web)!).ToList();
        var listed = await store.ActiveProfilesAsync(None);
        var compact = await store.ActiveCompactProfilesAsync(None);

        Assert.True(buffered.Count >= 3);
        Assert.Equal(buffered.Select(p => JsonSerializer.Serialize(p)), listed.Select(r => JsonSerializer.Serialize(r.Profile)));
        Assert.Equal(buffered.Select(p => JsonSerializer.Serialize(p)), compact.Select(p => JsonSerializer.Serialize(p)));
        var schema = Analytics.Learning.Features.FeatureSchema.Build(buffered);
        Assert.Equal(schema.Names, Analytics.Learning.Features.FeatureSchema.Build(compact).Names);
        Assert.Equal(Analytics.Learning.Features.FeatureMatrix.Build(schema, buffered).Values,
            Analytics.Learning.Features.FeatureMatrix.Build(schema, compact).Values);
    }

    [DialectFact]
    public async Task Insights_RefreshReplacesTheCounts_AndRoutesFilterByYear()
    {
        var store = new InsightStore(Db);
        CaseProfile Profile(string year, string type) => new()
        {
            Jurisdiction = "RO", PeriodFrom = year + "-01", ExploitationTypes = [type], RouteCountries = ["MD", "UA", "RO"],
        };

        await store.RefreshAsync([Profile("2020", "labour")], [7u], None);
        // Record keys near 2^32, so that each row's sum and the query's sum over rows both wrap: the cell key of the 2023
        // row is (2 × (2^32 − 1)) mod 2^32, and of the whole flow that plus 5, mod 2^32 = 3, on every dialect.
        var (summary, routes) = await store.RefreshAsync([Profile("2023", "sexual"), Profile("2023", "sexual"), Profile("2024", "labour")],
            [uint.MaxValue, uint.MaxValue, 5u], None);
        var counts = await store.SummaryAsync(None);
        var all = await store.RoutesAsync(null, null, null, null, null, None);
        var in2023 = await store.RoutesAsync("2023", "2023", null, "MD", null, None);

        Assert.Equal(2, counts.Count(c => c.Dimension == "year"));
        Assert.Equal(2, routes);
        Assert.Contains(new CountRow("year", "2023", 2), counts);
        Assert.Contains(new CountRow("exploitationType", "labour", 1), counts);
        Assert.DoesNotContain(counts, c => c.Value == "2020");
        Assert.Equal(summary, counts.Count);
        Assert.Equal(("MD>UA>RO", 3, 3L), (Assert.Single(all).Route, all[0].Cases, all[0].CellKey));
        Assert.Equal(("MD", "RO", 2, (long)(uint.MaxValue - 1)), (Assert.Single(in2023).Origin, in2023[0].Destination, in2023[0].Cases, in2023[0].CellKey));
    }

    [DialectFact]
    public async Task Links_GroupCasesThatShareATokenAcrossAuthorities_AndAlertOnce()
    {
        var cases = new CaseStore(Db);
        var links = new LinkStore(Db);
        var (mine, theirs) = (NewAuthority(), NewAuthority());
        var shared = "phone:shared-" + Guid.NewGuid().ToString("n");
        var a = (await cases.UpsertAsync([Case(mine, "l0", tokens: [shared, "email:l0"])], None))[0].CaseId;
        var b = (await cases.UpsertAsync([Case(theirs, "l1", jurisdiction: "MD", tokens: [shared])], None))[0].CaseId;
        var alone = (await cases.UpsertAsync([Case(mine, "l2")], None))[0].CaseId;

        await links.RecomputeAsync(100, None);
        await links.RecomputeAsync(100, None);
        var groups = await links.GroupMembersAsync(None);
        var (hitIds, hits) = await links.HitsAsync("RO", mine, null, 10, None);
        var alerts = await links.AlertsAsync(mine, null, 0, unreadOnly: true, 10, None);
        var marked = await links.MarkAlertsReadAsync(mine, alerts[^1].Id, None);
        var unread = await links.AlertsAsync(mine, null, 0, unreadOnly: true, 10, None);

        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), groups.Values.Single(g => g.Contains(a)));
        Assert.DoesNotContain(groups.Values, g => g.Contains(alone));
        Assert.Equal([a], hitIds);
        Assert.Equal((a, "MD", theirs, 1), (Assert.Single(hits).CaseId, hits[0].Jurisdiction, hits[0].Authority, hits[0].Cases));
        Assert.Equal((a, theirs, "MD"), (Assert.Single(alerts).CaseId, alerts[0].NewAuthorities, alerts[0].NewJurisdictions));
        Assert.Equal(1, marked);
        Assert.Empty(unread);
        Assert.Contains(await links.CrossBorderGroupsAsync(None), g => g.Id == groups.Single(kv => kv.Value.Contains(a)).Key);
    }

    [DialectFact]
    public async Task Links_RewriteOnlyTheGroupsThatChanged_AndAlertOnNewCounterpartsOnly()
    {
        var cases = new CaseStore(Db);
        var links = new LinkStore(Db);
        var (mine, theirs, third) = (NewAuthority(), NewAuthority(), NewAuthority());
        var shared = "phone:shared-" + Guid.NewGuid().ToString("n");
        var a = (await cases.UpsertAsync([Case(mine, "r0", tokens: [shared])], None))[0].CaseId;
        await cases.UpsertAsync([Case(theirs, "r1", jurisdiction: "MD", tokens: [shared])], None);
        await links.RecomputeAsync(100, None);

        await cases.UpsertAsync([Case(mine, "r2")], None);
        var unrelated = await links.RecomputeAsync(100, None);
        var c = (await cases.UpsertAsync([Case(third, "r3", jurisdiction: "BG", tokens: [shared])], None))[0].CaseId;
        var grown = await links.RecomputeAsync(100, None);
        var alertsAfterGrowth = await links.AlertsAsync(mine, null, 0, unreadOnly: false, 10, None);
        await cases.WithdrawAsync(c, None);
        var shrunk = await links.RecomputeAsync(100, None);
        var groups = await links.GroupMembersAsync(None);
        var alertsAfterShrink = await links.AlertsAsync(mine, null, 0, unreadOnly: false, 10, None);

        Assert.False(unrelated.Skipped);
        Assert.Equal((0, 0), (unrelated.Rewritten, unrelated.NewAlerts));
        Assert.Equal((1, 3), (grown.Rewritten, grown.NewAlerts));
        Assert.Equal([theirs, third], alertsAfterGrowth.Select(x => x.NewAuthorities));
        Assert.Equal((1, 0), (shrunk.Rewritten, shrunk.NewAlerts));
        Assert.Equal(2, groups.Values.Single(g => g.Contains(a)).Count);
        Assert.DoesNotContain(groups.Values, g => g.Contains(c));
        Assert.Equal(alertsAfterGrowth.Select(x => x.Id), alertsAfterShrink.Select(x => x.Id));
        Assert.Equal([(theirs, false), (third, true)], alertsAfterShrink.Select(x => (x.NewAuthorities, x.Ended)));
    }

    [DialectFact]
    public async Task Links_ACaseWithdrawnDuringARun_IsLeftOut_AndHitsLostByTheirOwnAuthority_AreCountedAndHeldBack()
    {
        var cases = new CaseStore(Db);
        var links = new LinkStore(Db);
        var (prober, target, bridge) = (NewAuthority(), NewAuthority(), NewAuthority());
        var guess = "phone:shared-" + Guid.NewGuid().ToString("n");
        var quota = new ProbeQuota(2, TimeSpan.FromDays(30));
        var t = (await cases.UpsertAsync([Case(target, "g0", jurisdiction: "IT", tokens: [guess])], None))[0].CaseId;

        // Withdrawn after the run read the graph: in no link the run writes.
        var w = (await cases.UpsertAsync([Case(bridge, "g1", jurisdiction: "DE", tokens: [guess])], None))[0].CaseId;
        links.AfterGraphRead = ct => cases.WithdrawAsync(w, ct);
        await links.RecomputeAsync(100, None);
        links.AfterGraphRead = null;
        Assert.DoesNotContain((await links.GroupMembersAsync(None)).Values, g => g.Contains(t) || g.Contains(w));
        Assert.Empty(await links.AlertsAsync(target, null, 0, unreadOnly: false, 10, None));

        // Two probes: a hit withdrawn, a hit corrected away. A lone case withdrawn is none.
        var lone = (await cases.UpsertAsync([Case(prober, "g2")], None))[0].CaseId;
        var p1 = (await cases.UpsertAsync([Case(prober, "g3", tokens: [guess])], None))[0].CaseId;
        await links.RecomputeAsync(100, None);
        await cases.WithdrawAsync(lone, None);
        await cases.WithdrawAsync(p1, None);
        await links.RecomputeAsync(100, None);
        var first = Assert.Single(await links.ProbeStandingsAsync(quota, prober, None));
        var p2 = (await cases.UpsertAsync([Case(prober, "g4", tokens: [guess])], None))[0].CaseId;
        await links.RecomputeAsync(100, None);
        await cases.UpsertAsync([Case(prober, "g4", victims: 2)], None);
        await links.RecomputeAsync(100, None);
        var standing = Assert.Single(await links.ProbeStandingsAsync(quota, prober, None));

        Assert.Equal((1, null), (first.LostHits, first.HeldFrom));
        Assert.Equal(2, standing.LostHits);
        Assert.NotNull(standing.HeldFrom);
        Assert.NotNull(standing.HeldUntil);
        Assert.Null(Assert.Single(await links.ProbeStandingsAsync(quota with { Limit = 3 }, prober, None)).HeldFrom);

        // Held: the new hit is left out for the prober only when its hold is applied.
        var p3 = (await cases.UpsertAsync([Case(prober, "g5", tokens: [guess])], None))[0].CaseId;
        await links.RecomputeAsync(100, None);
        Assert.Empty((await links.HitsAsync("RO", prober, null, 10, None, standing.HeldFrom)).CaseIds);
        Assert.Equal([p3], (await links.HitsAsync("RO", prober, null, 10, None)).CaseIds);
        Assert.Empty(await links.AlertsAsync(prober, null, 0, unreadOnly: false, 10, None, heldFrom: standing.HeldFrom));
        // Unheld, the alerts are p2's (ended) and p3's.
        Assert.Equal([(p2, true), (p3, false)], (await links.AlertsAsync(prober, null, 0, unreadOnly: false, 10, None)).Select(a => (a.CaseId, a.Ended)));
    }

    [DialectFact]
    public async Task ProbingRelease_ForgivesTheLossesUpToIt_AndAHoldAfterItStartsThere()
    {
        var cases = new CaseStore(Db);
        var links = new LinkStore(Db);
        var (prober, target) = (NewAuthority(), NewAuthority());
        var guess = "phone:shared-released-" + Guid.NewGuid().ToString("n");
        var quota = new ProbeQuota(1, TimeSpan.FromDays(30));
        await cases.UpsertAsync([Case(target, "r0", jurisdiction: "IT", tokens: [guess])], None);
        async Task ProbeAsync(string reference)
        {
            var probe = (await cases.UpsertAsync([Case(prober, reference, tokens: [guess])], None))[0].CaseId;
            await links.RecomputeAsync(100, None);
            await cases.WithdrawAsync(probe, None);
            await links.RecomputeAsync(100, None);
        }
        await ProbeAsync("r1");
        var held = Assert.Single(await links.ProbeStandingsAsync(quota, prober, None));

        var at = DateTimeOffset.UtcNow;
        await links.ReleaseProbingAsync(prober, at, "steward-key", None);
        var released = Assert.Single(await links.ProbeStandingsAsync(quota, prober, None));
        await links.ReleaseProbingAsync(prober, at.AddMilliseconds(1), "other-steward", None);
        var releasedTwice = Assert.Single(await links.ProbeStandingsAsync(quota, prober, None));
        await ProbeAsync("r2");
        var heldAgain = Assert.Single(await links.ProbeStandingsAsync(quota, prober, None));

        Assert.Equal((1, true), (held.LostHits, held.HeldFrom is not null));
        Assert.Equal((0, null, at.ToString("O"), "steward-key"), (released.LostHits, released.HeldFrom, released.ReleasedAt, released.ReleasedBy));
        Assert.Equal("other-steward", releasedTwice.ReleasedBy);
        Assert.Equal((1, releasedTwice.ReleasedAt), (heldAgain.LostHits, heldAgain.HeldFrom));
    }

    [DialectFact]
    public async Task HangfireSessions_SignOutEndsEveryOpenSessionOfTheSubjectOnly_AndExpiredRowsArePurged()
    {
        var store = new HangfireSessionStore(Db);
        var now = DateTimeOffset.UtcNow;
        var (mine, other) = ("subject-" + Guid.NewGuid().ToString("n"), "subject-" + Guid.NewGuid().ToString("n"));
        var (first, second, theirs, old) = (Guid.NewGuid().ToString("n"), Guid.NewGuid().ToString("n"), Guid.NewGuid().ToString("n"), Guid.NewGuid().ToString("n"));
        await store.OpenAsync(old, "key", mine, now.AddHours(-2), now.AddHours(-1), None);
        await store.OpenAsync(first, "key", mine, now, now.AddMinutes(30), None);
        await store.OpenAsync(second, "key", mine, now, now.AddMinutes(30), None);
        await store.OpenAsync(theirs, "key", other, now, now.AddMinutes(30), None);
        var openBefore = await store.IsOpenAsync(first, "key", mine, now, None);
        var asAnotherSubject = await store.IsOpenAsync(first, "key", other, now, None);

        var ended = await store.EndAllAsync("key", mine, now.AddSeconds(1), None);

        Assert.True(openBefore);
        Assert.False(asAnotherSubject);
        Assert.Equal(2, ended);
        Assert.False(await store.IsOpenAsync(first, "key", mine, now.AddSeconds(2), None));
        Assert.False(await store.IsOpenAsync(second, "key", mine, now.AddSeconds(2), None));
        Assert.True(await store.IsOpenAsync(theirs, "key", other, now.AddSeconds(2), None));
        Assert.False(await store.IsOpenAsync(first, "key", mine, now.AddMinutes(31), None));
        Assert.Empty(await QueryStringsAsync("SELECT id FROM hangfire_sessions WHERE id = @old", new { old }));
    }

    [DialectFact]
    public async Task Links_ARunRightAfterAComputation_IsThrottledOnlyWhenABusyShareIsSet()
    {
        var links = new LinkStore(Db);
        await new CaseStore(Db).UpsertAsync([Case(NewAuthority(), "t0")], None);

        var computed = await links.RecomputeAsync(100, None, maxBusyShare: 0.05);
        var throttled = await links.RecomputeAsync(100, None, maxBusyShare: 0.05);
        var unthrottled = await links.RecomputeAsync(100, None);

        Assert.Equal((false, false), (computed.Skipped, computed.Throttled));
        Assert.Equal((true, true), (throttled.Skipped, throttled.Throttled));
        Assert.Equal((true, false), (unthrottled.Skipped, unthrottled.Throttled));
        Assert.Equal(computed.Groups, throttled.Groups);
    }

    [DialectFact]
    public async Task AuditChain_AppendsAndVerifies_AndRefusesAFork()
    {
        var store = new AuditStore(Db);
        var principal = NewAuthority();
        AuditDraft Draft(string action) => new(DateTimeOffset.UtcNow, principal, "steward", null, action, "GET", "/api/v1/x", "{}", 200, 10, 1);

        var head = await store.HeadAsync(None);
        var entries = AuditChain.Link(head, [Draft("a.list"), Draft("a.read"), Draft("a.list")]);
        await store.AppendAsync(entries, None);
        var fork = AuditChain.Link(head, [Draft("a.fork")]);
        var refused = await Record.ExceptionAsync(() => store.AppendAsync(fork, None));
        var newHead = await store.HeadAsync(None);
        var verified = await store.VerifyAsync(newHead, None);
        var listed = await store.ListAsync(head.Seq, 10, principal, "a.list", None);

        Assert.IsAssignableFrom<DbException>(refused);
        Assert.Equal(new ChainHead(entries[^1].Seq, entries[^1].Hash), newHead);
        Assert.True(verified.Valid);
        Assert.Equal(newHead.Seq, verified.Entries);
        Assert.Equal([head.Seq + 1, head.Seq + 3], listed.Select(e => e.Seq));
        Assert.False((await store.VerifyAsync(newHead with { Hash = new string('f', 64) }, None)).Valid);
    }

    [DialectFact]
    public async Task Privacy_StreamsEveryActiveProfile()
    {
        var cases = new CaseStore(Db);
        var authority = NewAuthority();
        await cases.UpsertAsync([Case(authority, "v0"), Case(authority, "v1", jurisdiction: "MD")], None);
        var jurisdictions = new List<string>();

        var streamed = await new PrivacyStore(Db).ForEachActiveProfileAsync(p => jurisdictions.Add(p.Jurisdiction), None);

        Assert.Equal(await new CaseStore(Db).CountAsync("active", None), streamed);
        Assert.Equal(streamed, jurisdictions.Count);
        Assert.Contains("MD", jurisdictions);
    }

    private static string NewAuthority() => "RO-DL-" + Guid.NewGuid().ToString("n")[..12];

    private static string RecordOf(string reference, int victims) => $$"""{"reference":"{{reference}}","victims":{{victims}}}""";

    /// <summary>A pseudonymised case as the ingestion path would hand it over; tokens get the authority appended to stay unique.</summary>
    private static CaseWrite Case(string authority, string reference, int victims = 1, string jurisdiction = "RO", string? periodFrom = "2024-03",
        IReadOnlyList<string>? tokens = null, CaseProfile? profile = null)
    {
        var profileJson = JsonSerializer.Serialize(profile ?? new CaseProfile
        {
            Jurisdiction = jurisdiction, PeriodFrom = periodFrom, ExploitationTypes = ["sexual"], RouteCountries = ["MD", "RO"],
        }, Web);
        var record = RecordOf(reference, victims);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(record)));
        var caseTokens = (tokens ?? [$"phone:{reference}"]).Select(t => t.StartsWith("phone:shared-", StringComparison.Ordinal) ? t : t + authority).ToList();
        return new CaseWrite(jurisdiction, authority, "ref-" + reference, "k1", "investigation", periodFrom, null, victims, 1, profileJson, record, hash, caseTokens);
    }

    private Task<long> CountCasesAsync(string authority) => ScalarAsync("SELECT COUNT(*) FROM cases WHERE authority = @authority", new { authority });

    private async Task<IReadOnlyList<string>> TokensOfAsync(string caseId) =>
        (await QueryStringsAsync("SELECT token FROM case_tokens WHERE case_id = @caseId ORDER BY token", new { caseId })).ToList();

    private async Task<long> ScalarAsync(string sql, object? parameters)
    {
        await using var connection = await Db.OpenAsync(None);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, parameters));
    }

    private async Task<IReadOnlyList<KeyValuePair<string, int>>> QueryPairsAsync(string sql, object? parameters)
    {
        await using var connection = await Db.OpenAsync(None);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, parameters));
        var rows = new List<KeyValuePair<string, int>>();
        while (await reader.ReadAsync()) rows.Add(KeyValuePair.Create(reader.GetString(0), Convert.ToInt32(reader.GetValue(1))));
        return rows;
    }

    private async Task<IReadOnlyList<string>> QueryStringsAsync(string sql, object? parameters)
    {
        await using var connection = await Db.OpenAsync(None);
        return (await connection.QueryAsync<string>(new CommandDefinition(sql, parameters))).AsList();
    }
}
