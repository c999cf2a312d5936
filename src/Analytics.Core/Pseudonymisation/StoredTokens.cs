using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Analytics.Core.Pseudonymisation;

/// <summary>
/// Moves what is stored of a case from one key of the ring to a later one, without any raw identifier: every token is
/// taken one key forward per key added since (<see cref="Tokeniser.Rekey"/>), in its token list, its case reference and
/// its canonical record, where tokens stand as whole JSON strings (<c>"phone:…"</c>) and as narrative placeholders
/// (<c>[phone:…]</c>). Tokens keep their length, so the record keeps its shape, and the result is byte for byte the record
/// the case would have had if it had been submitted under the longer ring.
/// </summary>
public static class StoredTokens
{
    // A token is "<type>:" and 26 base32 characters, standing alone as a JSON string or inside a placeholder's brackets:
    // it follows a quote or an opening bracket and is followed by a quote or a closing bracket.
    private static readonly string[] TokenTypes = ["name", "phone", "email", "iban", "card", "wallet", "handle", "document", "plate", "caseref"];
    private static readonly SearchValues<char> TokenOpeners = SearchValues.Create("\"[");
    private static readonly SearchValues<char> Base32Characters = SearchValues.Create("abcdefghijklmnopqrstuvwxyz234567");

    /// <summary>The keys a case stored under <paramref name="keyId"/> still has to be moved through, oldest first; empty when it is under the active key.</summary>
    /// <exception cref="KeyNotFoundException">The ring does not hold <paramref name="keyId"/>.</exception>
    public static IReadOnlyList<PseudonymisationKey> KeysAfter(KeyRing ring, string keyId)
    {
        ArgumentNullException.ThrowIfNull(ring);
        for (var i = 0; i < ring.Keys.Count; i++)
        {
            if (ring.Keys[i].Id == keyId) return [.. ring.Keys.Skip(i + 1)];
        }
        throw new KeyNotFoundException($"The key ring has no key '{keyId}'.");
    }

    /// <summary>The token moved forward through every key of <paramref name="keys"/>, in order.</summary>
    public static string Rekey(string token, IReadOnlyList<PseudonymisationKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys) token = Tokeniser.Rekey(token, key);
        return token;
    }

    /// <summary>
    /// A stored canonical record moved forward through <paramref name="keys"/>: each of its tokens re-keyed and its
    /// <c>keyId</c> set to the last key's id.
    /// </summary>
    public static string RekeyRecord(string record, string fromKeyId, IReadOnlyList<PseudonymisationKey> keys)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(keys);
        return keys.Count == 0 ? record : RekeyRecord(record, fromKeyId, new TokenMover(keys));
    }

    /// <summary>
    /// A stored canonical record moved forward through the keys of <paramref name="mover"/>, as
    /// <see cref="RekeyRecord(string, string, IReadOnlyList{PseudonymisationKey})"/> moves it; the mover keeps each token
    /// it moved, for the case's other tokens.
    /// </summary>
    /// <remarks>
    /// One pass over the record: the record is copied into a pooled buffer, each token is written over there re-keyed (it
    /// keeps its length), and the result is made as one string once the <c>keyId</c> is set.
    /// </remarks>
    public static string RekeyRecord(string record, string fromKeyId, TokenMover mover)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(mover);
        if (mover.Keys.Count == 0) return record;
        var buffer = ArrayPool<char>.Shared.Rent(Math.Max(record.Length, 1));
        try
        {
            var moved = buffer.AsSpan(0, record.Length);
            record.CopyTo(moved);
            var text = record.AsSpan();
            var from = 0;
            while (from < text.Length)
            {
                var opener = text[from..].IndexOfAny(TokenOpeners);
                if (opener < 0) break;
                var start = from + opener + 1;
                var length = TokenLengthAt(text, start);
                if (length == 0)
                {
                    // The next opener may be the very next character.
                    from = start;
                    continue;
                }
                mover.Rekey(text.Slice(start, length)).CopyTo(moved[start..]);
                from = start + length;
            }
            var fromKey = $"\"keyId\":\"{fromKeyId}\"";
            var at = moved.IndexOf(fromKey, StringComparison.Ordinal);
            if (at < 0) throw new FormatException("The stored record does not name the key it was made under.");
            return string.Concat(moved[..at], $"\"keyId\":\"{mover.Keys[^1].Id}\"", moved[(at + fromKey.Length)..]);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    // The length of the token that starts at start (after an opener), or 0 when none does: "<type>:", 26 base32
    // characters, then a quote or a closing bracket.
    private static int TokenLengthAt(ReadOnlySpan<char> text, int start)
    {
        var rest = text[start..];
        foreach (var type in TokenTypes)
        {
            var length = type.Length + 1 + Tokeniser.EncodedLength;
            if (rest.Length <= length || !rest.StartsWith(type, StringComparison.Ordinal) || rest[type.Length] != ':') continue;
            if (rest.Slice(type.Length + 1, Tokeniser.EncodedLength).ContainsAnyExcept(Base32Characters)) return 0;
            return rest[length] is '"' or ']' ? length : 0;
        }
        return 0;
    }

    /// <summary>The record's hash as stored with its case: SHA-256 of its UTF-8, in lower-case hex.</summary>
    public static string RecordHash(string record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(record.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(record, buffer);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, length), hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>
/// The tokens of one case moved forward through <see cref="Keys"/> (<see cref="StoredTokens.Rekey"/>), each distinct token
/// once: a token stands in a case's record several times (its structured field, its narrative placeholders) and again in
/// the case's token list. Not thread-safe: one per case.
/// </summary>
public sealed class TokenMover
{
    private readonly Dictionary<string, string> _moved = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _byText;

    public TokenMover(IReadOnlyList<PseudonymisationKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Keys = keys;
        _byText = _moved.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The keys a token is moved through, in order.</summary>
    public IReadOnlyList<PseudonymisationKey> Keys { get; }

    /// <summary>The token moved forward through every key of <see cref="Keys"/>.</summary>
    public string Rekey(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!_moved.TryGetValue(token, out var moved)) _moved[token] = moved = StoredTokens.Rekey(token, Keys);
        return moved;
    }

    /// <summary>The token written in <paramref name="token"/> moved forward through every key of <see cref="Keys"/>.</summary>
    public string Rekey(ReadOnlySpan<char> token)
    {
        if (_byText.TryGetValue(token, out var moved)) return moved;
        var text = token.ToString();
        return _moved[text] = StoredTokens.Rekey(text, Keys);
    }
}
