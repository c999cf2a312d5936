using System.Text;
using Analytics.Core.Cases;
using Analytics.Core.Pseudonymisation;
using Analytics.Core.Synthetic;

namespace Analytics.Core.Tests.Pseudonymisation;

public class StoredTokensTests
{
    private static readonly DateOnly Today = new(2026, 11, 25);
    private static readonly PseudonymisationKey K3 = TestKeys.Key("k3", 0x33);

    [Fact]
    public void RekeyRecord_GivesTheRecordOfTheLongerRing_ByteForByte()
    {
        var dataset = new CaseGenerator(new GeneratorOptions { Seed = 11, Count = 150 }).Run();
        var under1 = new CasePseudonymiser(new KeyRing(TestKeys.K1));
        var under3 = new CasePseudonymiser(new KeyRing(TestKeys.K1, TestKeys.K2, K3));
        var placeholders = 0;
        foreach (var generated in dataset.Cases)
        {
            var before = under1.Pseudonymise(generated.Case, Today);
            var after = under3.Pseudonymise(generated.Case, Today);
            var stored = Encoding.UTF8.GetString(CaseJson.Serialize(before.Record));

            var moved = StoredTokens.RekeyRecord(stored, "k1", StoredTokens.KeysAfter(new KeyRing(TestKeys.K1, TestKeys.K2, K3), "k1"));

            Assert.Equal(Encoding.UTF8.GetString(CaseJson.Serialize(after.Record)), moved);
            Assert.Equal(after.Tokens, before.Tokens.Select(t => StoredTokens.Rekey(t, [TestKeys.K2, K3])));
            placeholders += before.Record.Summary?.Split("[").Length - 1 ?? 0;
        }
        // The records really carried tokens in their narratives, not only in their structured parts.
        Assert.True(placeholders > 300, $"{placeholders} placeholders");
    }

    [Fact]
    public void RekeyRecord_IsNotFooledByTokenLikeText_AndNeedsTheRecordsKey()
    {
        var keys = new[] { TestKeys.K2 };
        var token = "phone:" + new string('a', 26);
        var record = $$"""{"keyId":"k1","caseReferenceToken":"{{token}}","summary":"called [{{token}}]; phone:{{new string('b', 26)}} and [phone:{{new string('c', 25)}}]"}""";

        var moved = StoredTokens.RekeyRecord(record, "k1", keys);

        var rekeyed = Tokeniser.Rekey(token, TestKeys.K2);
        Assert.Equal($$"""{"keyId":"k2","caseReferenceToken":"{{rekeyed}}","summary":"called [{{rekeyed}}]; phone:{{new string('b', 26)}} and [phone:{{new string('c', 25)}}]"}""", moved);
        Assert.Throws<FormatException>(() => StoredTokens.RekeyRecord(record, "k0", keys));
        Assert.Same(record, StoredTokens.RekeyRecord(record, "k1", []));
    }

    [Fact]
    public void KeysAfter_NamesTheKeysStillToGo_AndRefusesAnUnknownKey()
    {
        var ring = new KeyRing(TestKeys.K1, TestKeys.K2, K3);
        Assert.Equal(["k2", "k3"], StoredTokens.KeysAfter(ring, "k1").Select(k => k.Id));
        Assert.Empty(StoredTokens.KeysAfter(ring, "k3"));
        Assert.Throws<KeyNotFoundException>(() => StoredTokens.KeysAfter(ring, "k9"));
    }

    [Fact]
    public void CaseReferenceGenerations_AreTheReferenceTokenUnderEachPrefixOfTheRing()
    {
        var generations = TestKeys.Tokeniser(TestKeys.K1, TestKeys.K2, K3).CaseReferenceGenerations(" ro-2025/17 ", "RO-DIICOT");

        Assert.Equal(3, generations.Count);
        Assert.Equal(TestKeys.Tokeniser(TestKeys.K1).TokenForCaseReference("RO-2025/17", "RO-DIICOT"), generations[0]);
        Assert.Equal(TestKeys.Tokeniser(TestKeys.K1, TestKeys.K2).TokenForCaseReference("RO-2025/17", "RO-DIICOT"), generations[1]);
        Assert.Equal(TestKeys.Tokeniser(TestKeys.K1, TestKeys.K2, K3).TokenForCaseReference("RO-2025/17", "RO-DIICOT"), generations[2]);
        Assert.Empty(TestKeys.Tokeniser().CaseReferenceGenerations("  ", "RO-DIICOT"));
    }

    [Fact]
    public void Generations_AreTheTokenUnderEachPrefixOfTheRing_AndOneWithOneKey()
    {
        var generations = TestKeys.Tokeniser(TestKeys.K1, TestKeys.K2).Generations("idempotency", "batch-2025-11-25");

        Assert.Equal([TestKeys.Tokeniser(TestKeys.K1).Token("idempotency", "batch-2025-11-25"),
            TestKeys.Tokeniser(TestKeys.K1, TestKeys.K2).Token("idempotency", "batch-2025-11-25")], generations);
        Assert.NotEqual(generations[0], generations[1]);
        Assert.Equal([TestKeys.Tokeniser(TestKeys.K1).Token("idempotency", "x")], TestKeys.Tokeniser(TestKeys.K1).Generations("idempotency", "x"));
    }
}
