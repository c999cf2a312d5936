using Analytics.Core.Pseudonymisation;

namespace Analytics.Core.Tests.Pseudonymisation;

public class TokeniserTests
{
    [Fact]
    public void Token_HasTypePrefixAnd26LowerBase32Chars()
    {
        var token = TestKeys.Tokeniser().Token(IdentifierTypes.Phone, "+40721234567");

        Assert.StartsWith("phone:", token);
        var body = token["phone:".Length..];
        Assert.Equal(26, body.Length);
        Assert.Matches("^[a-z2-7]{26}$", body);
    }

    [Fact]
    public void TokenFor_SameToken_ForEquivalentPhoneFormats()
    {
        var tokeniser = TestKeys.Tokeniser();

        var a = tokeniser.TokenFor("phone", "+40 721 234 567", null, null, "RO", out var validA);
        var b = tokeniser.TokenFor("phone", "0040721234567", null, null, "RO", out var validB);
        var c = tokeniser.TokenFor("phone", "0721 234 567", "RO", null, "DE", out _);

        Assert.True(validA && validB);
        Assert.Equal(a, b);
        Assert.Equal(a, c);
    }

    [Fact]
    public void Token_Differs_UnderDifferentKey()
    {
        var a = TestKeys.Tokeniser(TestKeys.K1).Token("phone", "+40721234567");
        var b = TestKeys.Tokeniser(TestKeys.K2).Token("phone", "+40721234567");

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Token_Differs_ForSameKeyIdWithDifferentSecret()
    {
        var a = TestKeys.Tokeniser(TestKeys.Key("same", 0x01)).Token("email", "a@b.com");
        var b = TestKeys.Tokeniser(TestKeys.Key("same", 0x02)).Token("email", "a@b.com");

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Token_Differs_ByTypeForSameValue()
    {
        var tokeniser = TestKeys.Tokeniser();

        var doc = tokeniser.Token("document", "AB123456")["document:".Length..];
        var plate = tokeniser.Token("plate", "AB123456")["plate:".Length..];

        Assert.NotEqual(doc, plate);
    }

    [Fact]
    public void Token_IsNotPlainHash_OfNormalisedValue()
    {
        var token = TestKeys.Tokeniser().Token("email", "a@b.com")["email:".Length..];
        var plain = System.Security.Cryptography.SHA256.HashData("email\na@b.com"u8.ToArray());

        Assert.NotEqual(token, Base32(plain.AsSpan(0, 16)));
    }

    [Fact]
    public void Rekey_EqualsTokenUnderExtendedChain()
    {
        var old = TestKeys.Tokeniser(TestKeys.K1).Token("iban", "GB82WEST12345698765432");

        var moved = Tokeniser.Rekey(old, TestKeys.K2);
        var fresh = TestKeys.Tokeniser(TestKeys.K1, TestKeys.K2).Token("iban", "GB82WEST12345698765432");

        Assert.Equal(fresh, moved);
        Assert.NotEqual(old, moved);
        Assert.StartsWith("iban:", moved);
    }

    [Fact]
    public void Rekey_ChainsOverSeveralRotations()
    {
        var k3 = TestKeys.Key("k3", 0x33);
        var old = TestKeys.Tokeniser(TestKeys.K1).Token("name", "ion popescu");

        var moved = Tokeniser.Rekey(Tokeniser.Rekey(old, TestKeys.K2), k3);

        Assert.Equal(TestKeys.Tokeniser(TestKeys.K1, TestKeys.K2, k3).Token("name", "ion popescu"), moved);
    }

    [Theory]
    [InlineData("phone")]
    [InlineData("phone:short")]
    [InlineData("phone:ABCDEFGHIJKLMNOPQRSTUVWXYZ")]
    public void Rekey_Throws_WhenNotAToken(string token)
    {
        Assert.Throws<FormatException>(() => Tokeniser.Rekey(token, TestKeys.K2));
    }

    [Fact]
    public void KeyId_IsActiveKeyId()
    {
        Assert.Equal("k2", TestKeys.Tokeniser(TestKeys.K1, TestKeys.K2).KeyId);
    }

    [Fact]
    public void PseudonymisationKey_Throws_WhenSecretShorterThan32Bytes()
    {
        Assert.Throws<ArgumentException>(() => new PseudonymisationKey("short", new byte[31]));
    }

    [Fact]
    public void PseudonymisationKey_CopiesSecret_SoLaterChangesDoNotAffectTokens()
    {
        var secret = Enumerable.Repeat((byte)7, 32).ToArray();
        var key = new PseudonymisationKey("k", secret);
        var before = new Tokeniser(new KeyRing(key)).Token("email", "a@b.com");

        secret[0] = 8;

        Assert.Equal(before, new Tokeniser(new KeyRing(key)).Token("email", "a@b.com"));
        Assert.DoesNotContain("7", key.ToString().Replace("k", ""));
    }

    [Fact]
    public void KeyRing_Throws_WhenEmptyOrDuplicateIds()
    {
        Assert.Throws<ArgumentException>(() => new KeyRing(Array.Empty<PseudonymisationKey>()));
        Assert.Throws<ArgumentException>(() => new KeyRing(TestKeys.K1, TestKeys.Key("k1", 0x99)));
    }

    [Fact]
    public void Token_IsStable_AcrossThreads()
    {
        var tokeniser = TestKeys.Tokeniser(TestKeys.K1, TestKeys.K2);
        var expected = tokeniser.Token("phone", "+40721234567");

        var results = new string[64];
        Parallel.For(0, results.Length, i => results[i] = tokeniser.Token("phone", "+40721234567"));

        Assert.All(results, r => Assert.Equal(expected, r));
    }

    private static string Base32(ReadOnlySpan<byte> data)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var bits = string.Concat(data.ToArray().Select(b => Convert.ToString(b, 2).PadLeft(8, '0')));
        bits = bits.PadRight((bits.Length + 4) / 5 * 5, '0');
        return string.Concat(Enumerable.Range(0, bits.Length / 5).Select(i => alphabet[Convert.ToInt32(bits.Substring(i * 5, 5), 2)]));
    }

    [Fact]
    public void Token_Base32MatchesIndependentEncoding()
    {
        // Recomputes the HMAC independently: guards the encoding and the truncation to 16 bytes.
        var secret = Enumerable.Repeat((byte)0x11, 32).ToArray();
        var mac = System.Security.Cryptography.HMACSHA256.HashData(secret, "email\na@b.com"u8.ToArray());

        Assert.Equal("email:" + Base32(mac.AsSpan(0, 16)), TestKeys.Tokeniser(TestKeys.K1).Token("email", "a@b.com"));
    }
}
