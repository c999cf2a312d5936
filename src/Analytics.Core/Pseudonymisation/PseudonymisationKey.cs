namespace Analytics.Core.Pseudonymisation;

/// <summary>A named HMAC secret. Secrets shorter than 32 bytes are rejected.</summary>
public sealed class PseudonymisationKey
{
    /// <summary>Minimum secret length in bytes (the HMAC-SHA256 output size).</summary>
    public const int MinimumSecretLength = 32;

    /// <summary>Creates a key; the secret is copied so later changes to the caller's array do not affect tokens.</summary>
    public PseudonymisationKey(string id, byte[] secret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length < MinimumSecretLength)
            throw new ArgumentException($"A pseudonymisation secret must be at least {MinimumSecretLength} bytes.", nameof(secret));
        Id = id;
        Secret = (byte[])secret.Clone();
    }

    /// <summary>Identifier recorded with every token made under this key.</summary>
    public string Id { get; }

    /// <summary>The secret bytes.</summary>
    public byte[] Secret { get; }

    // Never print the secret (keys end up in exception messages and debugger views).
    public override string ToString() => $"PseudonymisationKey {Id}";
}

/// <summary>
/// The ordered chain of keys used so far: tokens are chained through every key in turn, the last one is active.
/// </summary>
public sealed class KeyRing
{
    /// <summary>Creates a ring from the oldest key to the active (last) one.</summary>
    public KeyRing(IEnumerable<PseudonymisationKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Keys = keys.ToArray();
        if (Keys.Count == 0) throw new ArgumentException("A key ring needs at least one key.", nameof(keys));
        foreach (var key in Keys)
        {
            // Re-checked here because the ring is the unit configuration hands over.
            if (key is null || key.Secret.Length < PseudonymisationKey.MinimumSecretLength)
                throw new ArgumentException("Every key needs a secret of at least 32 bytes.", nameof(keys));
        }
        if (Keys.Select(k => k.Id).Distinct(StringComparer.Ordinal).Count() != Keys.Count)
            throw new ArgumentException("Key ids in a ring must be unique.", nameof(keys));
    }

    /// <summary>Creates a ring from the oldest key to the active (last) one.</summary>
    public KeyRing(params PseudonymisationKey[] keys) : this((IEnumerable<PseudonymisationKey>)keys)
    {
    }

    /// <summary>Keys from oldest to active.</summary>
    public IReadOnlyList<PseudonymisationKey> Keys { get; }

    /// <summary>The key new tokens end with; its id is stored with each record.</summary>
    public PseudonymisationKey Active => Keys[^1];

    /// <summary>A new ring with <paramref name="next"/> appended as the active key.</summary>
    public KeyRing Append(PseudonymisationKey next) => new(Keys.Append(next));
}
