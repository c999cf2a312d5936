using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Analytics.Core.Pseudonymisation;

/// <summary>
/// HMAC-SHA256 (RFC 2104, FIPS 180-4) under one key, for the short messages tokens are made of. The SHA-256 states
/// after the key's inner and outer pad blocks are computed once, so a MAC of a message up to 55 bytes costs two
/// compressions and no call into the platform's crypto library (whose fixed cost per call, error-queue clearing and
/// context handling, was most of a token's cost). Immutable and thread-safe; the result equals
/// <see cref="System.Security.Cryptography.HMACSHA256"/>'s (a test compares them over many keys and lengths).
/// </summary>
internal sealed class HmacSha256
{
    public const int HashBytes = 32;
    private const int BlockBytes = 64;

    private readonly uint[] _inner = new uint[8];
    private readonly uint[] _outer = new uint[8];

    public HmacSha256(ReadOnlySpan<byte> key)
    {
        // Keys longer than a block are hashed first (RFC 2104); shorter ones are zero-padded.
        Span<byte> block = stackalloc byte[BlockBytes];
        block.Clear();
        if (key.Length > BlockBytes) Hash(key, block[..HashBytes]);
        else key.CopyTo(block);
        Span<byte> pad = stackalloc byte[BlockBytes];
        for (var i = 0; i < BlockBytes; i++) pad[i] = (byte)(block[i] ^ 0x36);
        Initial.CopyTo(_inner);
        Compress(_inner, pad);
        for (var i = 0; i < BlockBytes; i++) pad[i] = (byte)(block[i] ^ 0x5c);
        Initial.CopyTo(_outer);
        Compress(_outer, pad);
        block.Clear();
        pad.Clear();
    }

    /// <summary>Writes HMAC(key, <paramref name="data"/>) into the first 32 bytes of <paramref name="destination"/>.</summary>
    public void Compute(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < HashBytes) throw new ArgumentException("The destination is shorter than a SHA-256 hash.", nameof(destination));
        Span<uint> state = stackalloc uint[8];
        _inner.CopyTo(state);
        Span<byte> innerHash = stackalloc byte[HashBytes];
        Finish(state, data, BlockBytes, innerHash);
        _outer.CopyTo(state);
        Finish(state, innerHash, BlockBytes, destination);
    }

    // SHA-256 of data alone (for keys longer than a block).
    private static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<uint> state = stackalloc uint[8];
        Initial.CopyTo(state);
        Finish(state, data, 0, destination);
    }

    // Hashes data on from state (after `before` bytes already compressed), pads, and writes the digest.
    private static void Finish(Span<uint> state, ReadOnlySpan<byte> data, long before, Span<byte> destination)
    {
        // The padding ends with the length in bits of everything hashed, the key's pad block included.
        var bits = (ulong)(before + data.Length) * 8;
        while (data.Length >= BlockBytes)
        {
            Compress(state, data[..BlockBytes]);
            data = data[BlockBytes..];
        }
        Span<byte> last = stackalloc byte[2 * BlockBytes];
        last.Clear();
        data.CopyTo(last);
        last[data.Length] = 0x80;
        var tail = data.Length + 9 <= BlockBytes ? BlockBytes : 2 * BlockBytes;
        BinaryPrimitives.WriteUInt64BigEndian(last.Slice(tail - 8, 8), bits);
        Compress(state, last[..BlockBytes]);
        if (tail > BlockBytes) Compress(state, last.Slice(BlockBytes, BlockBytes));
        for (var i = 0; i < 8; i++) BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4 * i, 4), state[i]);
        last.Clear();
    }

    private static ReadOnlySpan<uint> Initial =>
    [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ];

    private static ReadOnlySpan<uint> K =>
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    [SkipLocalsInit]
    private static void Compress(Span<uint> state, ReadOnlySpan<byte> block)
    {
        // Every word of the schedule is written (the first 16 from the block, the rest from earlier words) before it is read.
        Span<uint> w = stackalloc uint[64];
        for (var i = 0; i < 16; i++) w[i] = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(4 * i, 4));
        for (var i = 16; i < 64; i++)
        {
            var w15 = w[i - 15];
            var w2 = w[i - 2];
            var s0 = BitOperations.RotateRight(w15, 7) ^ BitOperations.RotateRight(w15, 18) ^ (w15 >> 3);
            var s1 = BitOperations.RotateRight(w2, 17) ^ BitOperations.RotateRight(w2, 19) ^ (w2 >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
        var k = K;
        for (var i = 0; i < 64; i++)
        {
            var s1 = BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25);
            var ch = (e & f) ^ (~e & g);
            var t1 = h + s1 + ch + k[i] + w[i];
            var s0 = BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22);
            var maj = (a & b) ^ (a & c) ^ (b & c);
            var t2 = s0 + maj;
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}
