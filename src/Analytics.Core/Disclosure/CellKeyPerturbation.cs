using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Analytics.Core.Disclosure;

/// <summary>
/// Cell-key perturbation: a released count is moved by a small amount that is fixed by the set of cases it counts. Each
/// case has a record key, a secret-keyed hash of its id spread evenly over 0 … 2³² − 1; a cell's key is the sum of its
/// cases' record keys modulo 2³², so the same set of cases gets the same key (and the same noise) whichever query counts
/// it, and a different set an unrelated one. Two released counts narrowed in different ways then differ by their true
/// difference plus two independent noises, so subtracting them no longer gives a small count exactly, and asking again
/// gives the same answer, so averaging repeated answers gains nothing.
/// The noise is an integer from −range to +range, with weights falling off linearly from 0 (for range 2: 1, 2, 3, 2, 1
/// out of 9), so it is 0 on average. A zero stays zero (no case is invented), and a released count is never moved below
/// the threshold k (it would look like a suppressed one). Pure; thread-safe.
/// </summary>
public static class CellKeyPerturbation
{
    /// <summary>Default largest noise: a released count is within ±2 of the true one.</summary>
    public const int DefaultRange = 2;

    /// <summary>Largest range accepted (the noise table is tiny; larger ranges make counts useless).</summary>
    public const int MaxRange = 10;

    private const string Purpose = "analytics/cell-key/v1";

    /// <summary>
    /// The secret record keys are made with, derived from a pseudonymisation secret that never changes (the oldest key of
    /// the ring): record keys, and with them every released count, stay the same across key rotations.
    /// </summary>
    public static byte[] DeriveSecret(ReadOnlySpan<byte> rootSecret) =>
        HMACSHA256.HashData(rootSecret, Encoding.UTF8.GetBytes(Purpose));

    /// <summary>The record key of one case: 32 bits of HMAC-SHA256(secret, case id).</summary>
    public static uint RecordKey(ReadOnlySpan<byte> secret, string caseId)
    {
        ArgumentNullException.ThrowIfNull(caseId);
        Span<byte> mac = stackalloc byte[32];
        var length = Encoding.UTF8.GetMaxByteCount(caseId.Length);
        Span<byte> input = length <= 256 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(caseId, input);
        HMACSHA256.HashData(secret, input[..written], mac);
        return BinaryPrimitives.ReadUInt32LittleEndian(mac);
    }

    /// <summary>The record keys of many cases, in their order: the same as <see cref="RecordKey"/> on each, with the HMAC keyed once.</summary>
    public static uint[] RecordKeys(byte[] secret, IReadOnlyList<string> caseIds)
    {
        ArgumentNullException.ThrowIfNull(caseIds);
        var keys = new uint[caseIds.Count];
        using var keyer = new RecordKeyer(secret);
        for (var i = 0; i < keys.Length; i++)
            keys[i] = keyer.Of(caseIds[i] ?? throw new ArgumentException("A case id is null.", nameof(caseIds)));
        return keys;
    }

    /// <summary>
    /// Record keys one case at a time, the same as <see cref="RecordKey"/>, with the HMAC keyed once: for a reader that
    /// streams cases and keeps no list of their ids. Not thread-safe.
    /// </summary>
    public sealed class RecordKeyer(byte[] secret) : IDisposable
    {
        private readonly IncrementalHash _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        private byte[] _input = new byte[256];

        public uint Of(string caseId)
        {
            ArgumentNullException.ThrowIfNull(caseId);
            var length = Encoding.UTF8.GetMaxByteCount(caseId.Length);
            if (length > _input.Length) _input = new byte[length];
            _hmac.AppendData(_input, 0, Encoding.UTF8.GetBytes(caseId, _input));
            Span<byte> mac = stackalloc byte[32];
            _hmac.GetHashAndReset(mac);
            return BinaryPrimitives.ReadUInt32LittleEndian(mac);
        }

        public void Dispose() => _hmac.Dispose();
    }

    /// <summary>The key of a cell from the sum of its cases' record keys, as a database sums them (any non-negative sum).</summary>
    public static uint CellKey(long sumOfRecordKeys) => unchecked((uint)sumOfRecordKeys);

    /// <summary>The noise for a cell key: from −<paramref name="range"/> to +<paramref name="range"/>, 0 for range 0.</summary>
    public static int Noise(uint cellKey, int range)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(range);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(range, MaxRange);
        if (range == 0) return 0;
        // Weights range + 1 − |d| for d = −range … range; they add up to (range + 1)². The cell key, read as a fraction of
        // 2³², picks the noise whose share of the cumulative weights holds it.
        var total = (long)(range + 1) * (range + 1);
        var position = (long)cellKey * total >> 32;
        var cumulative = 0L;
        for (var d = -range; d < range; d++)
        {
            cumulative += range + 1 - Math.Abs(d);
            if (position < cumulative) return d;
        }
        return range;
    }

    /// <summary>
    /// The count to release for a true count that disclosure control lets out (0, or at least <paramref name="k"/>): 0 stays
    /// 0; any other is moved by its cell's noise but not below <paramref name="k"/>.
    /// </summary>
    public static int Apply(int count, uint cellKey, int k, int range)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (count == 0) return 0;
        if (count < k) throw new ArgumentOutOfRangeException(nameof(count), count, "A count below the threshold is suppressed, never released.");
        return Math.Max(k, count + Noise(cellKey, range));
    }
}
