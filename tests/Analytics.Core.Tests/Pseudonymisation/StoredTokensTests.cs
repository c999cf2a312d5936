using System.Text;
using System.Text.RegularExpressions;
using Analytics.Core.Cases;
using Analytics.Core.Pseudonymisation;
using Analytics.Core.Synthetic;

namespace Analytics.Core.Tests.Pseudonymisation;

public partial class StoredTokensTests
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

    // The scan RekeyRecord made before it walked the record itself: every token a regular expression finds, re-keyed.
    [GeneratedRegex("""(?<=["\[])(?:name|phone|email|iban|card|wallet|handle|document|plate|caseref):[a-z2-7]{26}(?=["\]])""", RegexOptions.CultureInvariant)]
    private static partial Regex TokenInText();

    private static string RegexRekeyRecord(string record, string fromKeyId, IReadOnlyList<PseudonymisationKey> keys)
    {
        var moved = TokenInText().Replace(record, m => StoredTokens.Rekey(m.Value, keys));
        var from = $"\"keyId\":\"{fromKeyId}\"";
        var at = moved.IndexOf(from, StringComparison.Ordinal);
        if (at < 0) throw new FormatException("The stored record does not name the key it was made under.");
        return string.Concat(moved.AsSpan(0, at), $"\"keyId\":\"{keys[^1].Id}\"", moved.AsSpan(at + from.Length));
    }

    [Fact]
    public void RekeyRecord_FindsTheTokensARegularExpressionFinds_InGeneratedAndAwkwardRecords()
    {
        var keys = new[] { TestKeys.K2, K3 };
        var under1 = new CasePseudonymiser(new KeyRing(TestKeys.K1));
        foreach (var generated in new CaseGenerator(new GeneratorOptions { Seed = 12, Count = 200 }).Run().Cases)
        {
            var stored = Encoding.UTF8.GetString(CaseJson.Serialize(under1.Pseudonymise(generated.Case, Today).Record));
            Assert.Equal(RegexRekeyRecord(stored, "k1", keys), StoredTokens.RekeyRecord(stored, "k1", keys));
        }

        // Pieces that are tokens, nearly tokens, or the marks around them, put together at random.
        var tokeniser = TestKeys.Tokeniser(TestKeys.K1);
        var valid = new[] { tokeniser.Token("phone", "+40712345678"), tokeniser.Token("name", "ana pop"), tokeniser.Token("caseref", "ro-1"), tokeniser.Token("document", "x1") };
        var code = valid[0][6..];
        string[] pieces =
        [
            "\"", "[", "]", "\"\"", "[[", "]]", "\\\"", " ", "x", ":", "\"keyId\":\"k1\"", "\"keyId\":\"k2\"",
            .. valid, "phone:" + code[..25], "phone:" + code + "a", "phone:" + code.ToUpperInvariant(), "place:" + code, "phone" + code,
            "phone:" + code[..20] + "189ab0", "name:", "caseref:", "cardx:" + code, "card:" + code, "wallet:" + code, "iban:" + code,
            "handle:" + code, "email:" + code, "plate:" + code,
        ];
        var random = new Random(7);
        var (compared, throwing) = (0, 0);
        for (var n = 0; n < 5000; n++)
        {
            var record = new StringBuilder();
            for (var i = random.Next(1, 40); i > 0; i--) record.Append(pieces[random.Next(pieces.Length)]);
            if (random.Next(4) > 0) record.Insert(random.Next(record.Length + 1), "\"keyId\":\"k1\"");
            var text = record.ToString();
            string? expected;
            try
            {
                expected = RegexRekeyRecord(text, "k1", keys);
            }
            catch (FormatException)
            {
                expected = null;
            }
            if (expected is null)
            {
                Assert.Throws<FormatException>(() => StoredTokens.RekeyRecord(text, "k1", keys));
                throwing++;
            }
            else
            {
                Assert.Equal(expected, StoredTokens.RekeyRecord(text, "k1", keys));
                compared++;
            }
        }
        Assert.True(compared > 1000 && throwing > 100, $"{compared} compared, {throwing} refused");
    }

    [Fact]
    public void TokenMover_MovesEachTokenAsRekeyDoes_AndRefusesWhatIsNotAToken()
    {
        var keys = new[] { TestKeys.K2, K3 };
        var mover = new TokenMover(keys);
        var tokeniser = TestKeys.Tokeniser(TestKeys.K1);
        var tokens = Enumerable.Range(0, 20).Select(i => tokeniser.Token(i % 2 == 0 ? "phone" : "email", $"value {i % 7}")).ToList();

        foreach (var token in tokens)
        {
            Assert.Equal(StoredTokens.Rekey(token, keys), mover.Rekey(token));
            Assert.Equal(StoredTokens.Rekey(token, keys), mover.Rekey($"[{token}]".AsSpan(1, token.Length)));
        }
        Assert.Throws<FormatException>(() => mover.Rekey("not a token"));
        Assert.Equal(tokens[0], new TokenMover([]).Rekey(tokens[0]));
    }
}
