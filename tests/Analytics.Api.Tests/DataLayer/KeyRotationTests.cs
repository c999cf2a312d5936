using System.Security.Cryptography;
using System.Text;
using Analytics.Api.Pseudonymisation;
using Analytics.Core.Pseudonymisation;
using Analytics.Core.Synthetic;
using Analytics.Data.Cases;
using Analytics.Data.Ingestion;
using Analytics.Data.Links;
using Analytics.Data.Pseudonymisation;
using Dapper;

namespace Analytics.Api.Tests.DataLayer;

[Dialect("sqlite")]
public sealed class SqliteKeyRotationTests : KeyRotationTests<SqliteDataLayerDatabase>;

[Dialect("postgres")]
public sealed class PostgresKeyRotationTests : KeyRotationTests<PostgresDataLayerDatabase>;

[Dialect("sqlserver")]
public sealed class SqlServerKeyRotationTests : KeyRotationTests<SqlServerDataLayerDatabase>;

/// <summary>
/// Key rotation on each dialect, through the real ingestion path: the store's record of the ring, the move of stored cases
/// to a new key, writes made while cases are being moved, and writes of a node left with the older ring. Each test has a
/// database of its own, since a registered ring applies to every writer of the store.
/// </summary>
public abstract class KeyRotationTests<TDatabase> where TDatabase : DataLayerDatabase, new()
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly PseudonymisationKey K1 = new("k1", Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly PseudonymisationKey K2 = new("k2", Enumerable.Repeat((byte)2, 32).ToArray());
    private static readonly PseudonymisationKey K3 = new("k3", Enumerable.Repeat((byte)3, 32).ToArray());
    private static readonly KeyRing Before = new(K1);
    private static readonly KeyRing After = new(K1, K2);

    private static CaseIngestion Ingestion(KeyRing ring) => new(new CasePseudonymiser(ring), TimeProvider.System);

    private static IReadOnlyList<CaseWrite> Prepare(KeyRing ring, IEnumerable<GeneratedCase> cases)
    {
        var ingestion = Ingestion(ring);
        return cases.Select(c => ingestion.Prepare(c.Case, null).Case?.Write ?? throw new InvalidOperationException("generated case rejected")).ToList();
    }

    [DialectFact]
    public async Task Move_GivesEveryStoredCase_TheReferenceRecordHashAndTokensOfTheNewRing()
    {
        await using var database = await DataLayerDatabase.FreshAsync<TDatabase>();
        var db = database.Db;
        var cases = new CaseGenerator(new GeneratorOptions { Seed = 21, Count = 60 }).Run().Cases;
        await new KeyRingStore(db, Before).RegisterAsync(None);
        var written = await new CaseStore(db, Before).UpsertAsync(Prepare(Before, cases), None);
        Assert.True(await new CaseStore(db, Before).WithdrawAsync(written[7].CaseId, None));

        var ring = new KeyRingStore(db, After);
        var registered = await ring.RegisterAsync(None);
        Assert.Equal(["k1", "k2"], registered.Select(k => k.KeyId));
        Assert.True(await ring.PendingAsync(None));
        var (first, next) = await ring.RekeyBatchAsync(null, 25, None);
        Assert.Equal(25, first);
        var moved = first;
        while (next is not null)
        {
            (var count, next) = await ring.RekeyBatchAsync(next, 25, None);
            moved += count;
        }
        Assert.Equal(60, moved);
        Assert.True(await ring.CompleteAsync(None));
        Assert.False(await ring.PendingAsync(None));

        // What each case would be had it been submitted under the new ring: found by its new reference, byte for byte.
        var expected = Prepare(After, cases);
        var store = new CaseStore(db, After);
        await using var connection = await db.OpenAsync(None);
        for (var i = 0; i < expected.Count; i++)
        {
            var row = await store.FindAsync(written[i].CaseId, None);
            Assert.NotNull(row);
            Assert.Equal(expected[i].CaseRefToken, row.CaseRefToken);
            Assert.Equal(expected[i].Record, row.Record);
            Assert.Equal(expected[i].RecordHash, row.RecordHash);
            var tokens = (await connection.QueryAsync<string>(new CommandDefinition("SELECT token FROM case_tokens WHERE case_id = @Id", new { Id = row.Id }))).Order(StringComparer.Ordinal);
            Assert.Equal(i == 7 ? [] : expected[i].Tokens.Distinct().Order(StringComparer.Ordinal), tokens);
        }
        Assert.Equal(60L, await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM cases WHERE key_id = 'k2'")));

        // Submitted again under the new ring: every case is found and unchanged (the withdrawn one comes back).
        var again = await store.UpsertAsync(expected, None);
        Assert.Equal(written.Select(w => w.CaseId), again.Select(a => a.CaseId));
        Assert.All(again.Where((_, i) => i != 7), a => Assert.Equal(WriteOutcome.Unchanged, a.Outcome));
        Assert.Equal(60L, await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM cases")));

        // A second run finds nothing to move.
        Assert.Equal((0, (string?)null), await ring.RekeyBatchAsync(null, 25, None));
    }

    [DialectFact]
    public async Task WritesWhileCasesAreMoved_UpdateTheCaseUnderTheEarlierKey_AndNeverStoreItTwice()
    {
        await using var database = await DataLayerDatabase.FreshAsync<TDatabase>();
        var db = database.Db;
        var cases = new CaseGenerator(new GeneratorOptions { Seed = 22, Count = 40 }).Run().Cases;
        await new KeyRingStore(db, Before).RegisterAsync(None);
        var written = await new CaseStore(db, Before).UpsertAsync(Prepare(Before, cases), None);
        await new KeyRingStore(db, After).RegisterAsync(None);
        var store = new CaseStore(db, After);
        var under2 = Prepare(After, cases);

        // One case alone (the group commit), a batch on the bulk path, and a correction, none of them moved yet.
        var single = (await store.UpsertAsync([under2[0]], None))[0];
        var batch = await store.UpsertAsync(under2.Skip(1).Take(30).ToList(), None);
        var changed = Prepare(After, [cases[35] with { Case = cases[35].Case with { Stage = cases[35].Case.Stage == "trial" ? "appeal" : "trial" } }])[0];
        var corrected = await store.CorrectAsync(changed, None);

        Assert.Equal((written[0].CaseId, WriteOutcome.Unchanged), (single.CaseId, single.Outcome));
        Assert.Equal(written.Skip(1).Take(30).Select(w => w.CaseId), batch.Select(b => b.CaseId));
        Assert.All(batch, b => Assert.Equal(WriteOutcome.Unchanged, b.Outcome));
        Assert.NotNull(corrected);
        Assert.Equal((written[35].CaseId, WriteOutcome.Updated, 2), (corrected.CaseId, corrected.Outcome, corrected.Version));
        await using var connection = await db.OpenAsync(None);
        Assert.Equal(40L, await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM cases")));
        Assert.Equal(32L, await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM cases WHERE key_id = 'k2'")));

        // The job moves the other eight, and the store is complete.
        var ring = new KeyRingStore(db, After);
        Assert.Equal((8, (string?)null), await ring.RekeyBatchAsync(null, 100, None));
        Assert.True(await ring.CompleteAsync(None));
        Assert.Equal(40L, await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM cases WHERE key_id = 'k2'")));
    }

    [DialectFact]
    public async Task ANodeWithTheOlderRing_CannotWriteCasesOrRegister_AndLinkRunsWaitForTheMove()
    {
        await using var database = await DataLayerDatabase.FreshAsync<TDatabase>();
        var db = database.Db;
        var cases = new CaseGenerator(new GeneratorOptions { Seed = 23, Count = 40 }).Run().Cases;
        await new KeyRingStore(db, Before).RegisterAsync(None);
        var stale = new CaseStore(db, Before);
        await stale.UpsertAsync(Prepare(Before, cases.Take(30)), None);
        var links = new LinkStore(db);
        var linked = await links.RecomputeAsync(1000, None);
        Assert.False(linked.Deferred);

        await new KeyRingStore(db, After).RegisterAsync(None);

        // Every way the old node writes is refused, and nothing of it is stored.
        var fresh = Prepare(Before, cases.Skip(30));
        var single = await Assert.ThrowsAsync<KeyRingOutOfDateException>(() => stale.UpsertAsync([fresh[0]], None));
        Assert.Equal(("k1", "k2"), (single.NodeKeyId, single.StoreKeyId));
        await Assert.ThrowsAsync<KeyRingOutOfDateException>(() => stale.UpsertAsync(fresh, None));
        await Assert.ThrowsAsync<KeyRingOutOfDateException>(() => stale.CorrectAsync(Prepare(Before, [cases[3]])[0], None));
        await Assert.ThrowsAsync<KeyRingOutOfDateException>(() => new KeyRingStore(db, Before).RekeyBatchAsync(null, 10, None));
        await using var connection = await db.OpenAsync(None);
        Assert.Equal(30L, await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM cases")));

        // Nor may it start again: its ring is behind the store's; a ring that differs is refused too.
        var behind = await Assert.ThrowsAsync<KeyRingMismatchException>(() => new KeyRingStore(db, Before).RegisterAsync(None));
        Assert.Contains("'k2'", behind.Message);
        var other = new KeyRing(K1, new PseudonymisationKey("k2-other", Enumerable.Repeat((byte)9, 32).ToArray()));
        await Assert.ThrowsAsync<KeyRingMismatchException>(() => new KeyRingStore(db, other).RegisterAsync(None));

        // While cases are moved the link run writes nothing, and says so; once they are, the groups are those of before.
        var waiting = await links.RecomputeAsync(1000, None);
        Assert.True(waiting.Deferred);
        var ring = new KeyRingStore(db, After);
        await ring.RekeyBatchAsync(null, 100, None);
        Assert.True(await ring.CompleteAsync(None));
        var after = await new LinkStore(db).RecomputeAsync(1000, None);
        Assert.False(after.Deferred);
        Assert.Equal((linked.Groups, linked.LinkedCases, 0), (after.Groups, after.LinkedCases, after.Rewritten));
        Assert.True(linked.Groups > 0, "the generated cases share identifiers");
    }

    [DialectFact]
    public async Task Move_OfSeveralFullBatches_WritesWhatMovingEachCaseAloneGives()
    {
        await using var database = await DataLayerDatabase.FreshAsync<TDatabase>();
        var db = database.Db;
        var cases = new CaseGenerator(new GeneratorOptions { Seed = 24, Count = 640 }).Run().Cases;
        // Cases under two earlier keys, mixed in every batch, go to a third.
        await new KeyRingStore(db, Before).RegisterAsync(None);
        await new CaseStore(db, Before).UpsertAsync(Prepare(Before, cases.Where((_, i) => i % 3 != 0)), None);
        await new KeyRingStore(db, After).RegisterAsync(None);
        await new CaseStore(db, After).UpsertAsync(Prepare(After, cases.Where((_, i) => i % 3 == 0)), None);
        var three = new KeyRing(K1, K2, K3);
        var ring = new KeyRingStore(db, three);
        await ring.RegisterAsync(None);

        const string Cases = "SELECT c.id, c.key_id, c.case_ref_token, d.record, c.record_hash FROM cases c JOIN case_documents d ON d.case_id = c.id";
        const string Tokens = "SELECT case_id, token, type FROM case_tokens";
        await using var connection = await db.OpenAsync(None);
        var before = (await connection.QueryAsync<(string Id, string KeyId, string Reference, string Record, string Hash)>(new CommandDefinition(Cases))).AsList();
        var tokensBefore = (await connection.QueryAsync<(string Id, string Token, string Type)>(new CommandDefinition(Tokens))).ToLookup(t => t.Id, t => (t.Token, t.Type));
        Assert.Equal(640, before.Count);
        Assert.Equal([("k1", 426), ("k2", 214)], before.GroupBy(c => c.KeyId).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Count())));

        var (moved, batches, next) = (0, 0, (string?)null);
        do
        {
            (var count, next) = await ring.RekeyBatchAsync(next, RekeyJobs.BatchSize, None);
            (moved, batches) = (moved + count, batches + 1);
        }
        while (next is not null);
        Assert.Equal((640, 3), (moved, batches));
        Assert.True(await ring.CompleteAsync(None));

        // Each case as the one-record move gives it: reference, record byte for byte, its hash, and its tokens with their types.
        var after = (await connection.QueryAsync<(string Id, string KeyId, string Reference, string Record, string Hash)>(new CommandDefinition(Cases)))
            .ToDictionary(c => c.Id, StringComparer.Ordinal);
        var tokensAfter = (await connection.QueryAsync<(string Id, string Token, string Type)>(new CommandDefinition(Tokens))).ToLookup(t => t.Id, t => (t.Token, t.Type));
        foreach (var c in before)
        {
            var keys = StoredTokens.KeysAfter(three, c.KeyId);
            var record = StoredTokens.RekeyRecord(c.Record, c.KeyId, keys);
            var now = after[c.Id];
            Assert.Equal(("k3", StoredTokens.Rekey(c.Reference, keys)), (now.KeyId, now.Reference));
            Assert.Equal(record, now.Record);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(record))), now.Hash);
            Assert.NotEqual(c.Hash, now.Hash);
            Assert.Equal(tokensBefore[c.Id].Select(t => (StoredTokens.Rekey(t.Token, keys), t.Type)).Order(), tokensAfter[c.Id].Order());
            Assert.NotEmpty(tokensAfter[c.Id]);
        }
    }
}
