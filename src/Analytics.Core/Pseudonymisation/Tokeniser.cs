using System.Security.Cryptography;
using System.Text;

namespace Analytics.Core.Pseudonymisation;

/// <summary>
/// Turns normalised identifiers into typed, keyed tokens "&lt;type&gt;:&lt;26 base32 chars&gt;".
/// t1 = HMAC(k1, type + "\n" + normalised)[..16]; t(i+1) = HMAC(k(i+1), t(i))[..16]; the token encodes the last.
/// Because each step only needs the previous token, a rotation job can move stored tokens forward with
/// <see cref="Rekey"/> without ever seeing a raw identifier. Thread-safe.
/// </summary>
public sealed class Tokeniser
{
    /// <summary>Bytes of the HMAC kept in a token.</summary>
    public const int TokenBytes = 16;

    /// <summary>Length of the base32 part of a token.</summary>
    public const int EncodedLength = 26;

    private const int MaxCachedHashesPerThread = 64;

    // HMAC instances are not thread-safe, and keying one costs two SHA-256 blocks; one instance per key
    // per thread keeps the hot path allocation-light without locks. Keyed by reference so two key objects
    // with the same id but different secrets never share a MAC.
    [ThreadStatic] private static Dictionary<PseudonymisationKey, IncrementalHash>? _hashes;

    // The known types as an array: walked without an enumerator.
    private static readonly string[] _types = [.. IdentifierTypes.All];

    private readonly KeyRing _keys;

    /// <summary>Creates a tokeniser that chains through every key of <paramref name="keys"/>.</summary>
    public Tokeniser(KeyRing keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;
    }

    /// <summary>Id of the active key, recorded with every token.</summary>
    public string KeyId => _keys.Active.Id;

    /// <summary>Token for an already normalised value of the given type.</summary>
    // Every stack buffer below is written before it is read (the MAC input up to its length, the MAC, the token):
    // no need to zero them first.
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public string Token(string type, string normalised)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(normalised);
        // The MAC input is UTF-8 of type + "\n" + normalised, written straight into one buffer.
        var maxBytes = Encoding.UTF8.GetMaxByteCount(type.Length + 1 + normalised.Length);
        Span<byte> buffer = maxBytes <= 512 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var written = Encoding.UTF8.GetBytes(type, buffer);
        buffer[written++] = (byte)'\n';
        written += Encoding.UTF8.GetBytes(normalised, buffer[written..]);

        Span<byte> mac = stackalloc byte[32];
        Mac(_keys.Keys[0], buffer[..written], mac);
        for (var i = 1; i < _keys.Keys.Count; i++)
        {
            Mac(_keys.Keys[i], mac[..TokenBytes], mac);
        }
        var tokenLength = type.Length + 1 + EncodedLength;
        Span<char> token = tokenLength <= 256 ? stackalloc char[tokenLength] : new char[tokenLength];
        type.CopyTo(token);
        token[type.Length] = ':';
        Base32.Encode(mac[..TokenBytes], token[(type.Length + 1)..]);
        return new string(token);
    }

    /// <summary>
    /// Token for a raw identifier: normalised by type when it is valid; otherwise (or for an unknown type, filed as
    /// "document") tokenised from its trimmed raw form so that it is never kept raw. <paramref name="validated"/>
    /// tells which happened.
    /// </summary>
    public string TokenFor(string type, string value, string? country, string? platform, string? defaultRegion, out bool validated)
    {
        var token = TokenAndNormalise(type, value, country, platform, defaultRegion, out var normalised);
        validated = normalised is not null;
        return token;
    }

    // Same, also handing back the normalised form (null when the value failed its normaliser).
    internal string TokenAndNormalise(string type, string value, string? country, string? platform, string? defaultRegion, out string? normalised)
    {
        var t = type.Trim().ToLowerInvariant();
        normalised = Normalisers.Normalise(t, value, country, platform, defaultRegion);
        if (!IdentifierTypes.IsKnown(t) || t == IdentifierTypes.CaseReference) t = IdentifierTypes.Document;
        return Token(t, normalised ?? value.Trim());
    }

    /// <summary>Token for an authority's own case reference (type "caseref"); null when the reference is blank.</summary>
    public string? TokenForCaseReference(string reference, string authority)
    {
        var normalised = Normalisers.CaseReference(reference, authority);
        return normalised is null ? null : Token(IdentifierTypes.CaseReference, normalised);
    }

    /// <summary>
    /// The case reference's token under each prefix of the ring, oldest first, the active key's last (so the last equals
    /// <see cref="TokenForCaseReference"/>); empty when the reference is blank. While stored tokens are being moved to a
    /// new key, a case stored under an earlier key is found by the token of its generation.
    /// </summary>
    public IReadOnlyList<string> CaseReferenceGenerations(string reference, string authority)
    {
        var normalised = Normalisers.CaseReference(reference, authority);
        return normalised is null ? [] : Generations(IdentifierTypes.CaseReference, normalised);
    }

    /// <summary>
    /// The token of an already normalised value under each prefix of the ring, oldest first: the last equals
    /// <see cref="Token"/>. A token stored before a rotation and not moved since is one of the earlier ones.
    /// </summary>
    public IReadOnlyList<string> Generations(string type, string normalised)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(normalised);
        var input = Encoding.UTF8.GetBytes(type + "\n" + normalised);
        Span<byte> mac = stackalloc byte[32];
        var generations = new string[_keys.Keys.Count];
        for (var i = 0; i < generations.Length; i++)
        {
            if (i == 0) Mac(_keys.Keys[0], input, mac);
            else Mac(_keys.Keys[i], mac[..TokenBytes], mac);
            generations[i] = string.Concat(type, ":", Base32.Encode(mac[..TokenBytes]));
        }
        return generations;
    }

    /// <summary>
    /// Moves a token one key forward: the result equals the token the value would get under the old chain plus
    /// <paramref name="newKey"/>. Throws <see cref="FormatException"/> for a string that is not a token.
    /// </summary>
    public static string Rekey(string token, PseudonymisationKey newKey)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(newKey);
        var colon = token.IndexOf(':');
        Span<byte> previous = stackalloc byte[TokenBytes];
        if (colon <= 0 || !Base32.TryDecode(token.AsSpan(colon + 1), previous))
            throw new FormatException("Not a pseudonymisation token.");
        Span<byte> mac = stackalloc byte[32];
        Mac(newKey, previous, mac);
        return string.Concat(token.AsSpan(0, colon + 1), Base32.Encode(mac[..TokenBytes]));
    }

    /// <summary>The type prefix of a token ("phone" for "phone:…"), or null if it has none.</summary>
    public static string? TypeOf(string token)
    {
        var colon = token.IndexOf(':');
        if (colon <= 0) return null;
        // A known type is handed back as its constant: no new string per token.
        var prefix = token.AsSpan(0, colon);
        foreach (var type in _types)
        {
            if (prefix.SequenceEqual(type)) return type;
        }
        return token[..colon];
    }

    private static void Mac(PseudonymisationKey key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var hashes = _hashes ??= new Dictionary<PseudonymisationKey, IncrementalHash>(ReferenceEqualityComparer.Instance);
        if (!hashes.TryGetValue(key, out var hmac))
        {
            // Bounded so that short-lived keys (tests, one-off rekey jobs) cannot grow the cache forever.
            if (hashes.Count >= MaxCachedHashesPerThread)
            {
                foreach (var h in hashes.Values) h.Dispose();
                hashes.Clear();
            }
            hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.Secret);
            hashes[key] = hmac;
        }
        hmac.AppendData(data);
        hmac.GetHashAndReset(destination);
    }
}
