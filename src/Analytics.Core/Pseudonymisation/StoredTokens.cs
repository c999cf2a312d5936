using System.Text.RegularExpressions;

namespace Analytics.Core.Pseudonymisation;

/// <summary>
/// Moves what is stored of a case from one key of the ring to a later one, without any raw identifier: every token is
/// taken one key forward per key added since (<see cref="Tokeniser.Rekey"/>), in its token list, its case reference and
/// its canonical record, where tokens stand as whole JSON strings (<c>"phone:…"</c>) and as narrative placeholders
/// (<c>[phone:…]</c>). Tokens keep their length, so the record keeps its shape, and the result is byte for byte the record
/// the case would have had if it had been submitted under the longer ring.
/// </summary>
public static partial class StoredTokens
{
    // A token is "<type>:" and 26 base32 characters, standing alone as a JSON string or inside a placeholder's brackets.
    [GeneratedRegex("""(?<=["\[])(?:name|phone|email|iban|card|wallet|handle|document|plate|caseref):[a-z2-7]{26}(?=["\]])""", RegexOptions.CultureInvariant)]
    private static partial Regex TokenInText();

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
        if (keys.Count == 0) return record;
        var moved = TokenInText().Replace(record, m => Rekey(m.Value, keys));
        var from = $"\"keyId\":\"{fromKeyId}\"";
        var at = moved.IndexOf(from, StringComparison.Ordinal);
        if (at < 0) throw new FormatException("The stored record does not name the key it was made under.");
        return string.Concat(moved.AsSpan(0, at), $"\"keyId\":\"{keys[^1].Id}\"", moved.AsSpan(at + from.Length));
    }
}
