using System.Security.Cryptography;
using System.Text;
using Analytics.Core.Pseudonymisation;

namespace Analytics.Core.Tests.Pseudonymisation;

public class HmacSha256Tests
{
    // Every message length across the one- and two-block padding boundaries (55/56, 119/120 bytes) and beyond,
    // under keys shorter than, equal to and longer than a block (hashed first).
    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(131)]
    public void Compute_EqualsThePlatformHmac_ForEveryLengthUpTo300(int keyLength)
    {
        var random = new Random(keyLength);
        var key = new byte[keyLength];
        random.NextBytes(key);
        var hmac = new HmacSha256(key);
        Span<byte> mine = stackalloc byte[32];
        for (var length = 0; length <= 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            hmac.Compute(data, mine);
            Assert.Equal(HMACSHA256.HashData(key, data), mine.ToArray());
        }
    }

    // RFC 4231, test case 2: a key shorter than the hash.
    [Fact]
    public void Compute_GivesTheRfc4231Vector()
    {
        var mac = new byte[32];
        new HmacSha256("Jefe"u8).Compute("what do ya want for nothing?"u8, mac);
        Assert.Equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", Convert.ToHexStringLower(mac));
    }

    [Fact]
    public void Token_EqualsTheTruncatedPlatformHmacChain()
    {
        var first = new PseudonymisationKey("k1", Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var second = new PseudonymisationKey("k2", Enumerable.Range(100, 40).Select(i => (byte)i).ToArray());
        var token = new Tokeniser(new KeyRing([first, second])).Token(IdentifierTypes.Phone, "+40721234567");

        var t1 = HMACSHA256.HashData(first.Secret, Encoding.UTF8.GetBytes("phone\n+40721234567"))[..16];
        var t2 = HMACSHA256.HashData(second.Secret, t1)[..16];
        Assert.Equal("phone:" + Base32.Encode(t2), token);
    }
}
