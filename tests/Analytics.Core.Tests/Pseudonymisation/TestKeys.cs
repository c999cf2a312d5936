using Analytics.Core.Pseudonymisation;

namespace Analytics.Core.Tests.Pseudonymisation;

internal static class TestKeys
{
    public static PseudonymisationKey Key(string id, byte fill) => new(id, Enumerable.Repeat(fill, 32).ToArray());

    public static readonly PseudonymisationKey K1 = Key("k1", 0x11);
    public static readonly PseudonymisationKey K2 = Key("k2", 0x22);

    public static Tokeniser Tokeniser(params PseudonymisationKey[] keys) => new(new KeyRing(keys.Length == 0 ? [K1] : keys));
}
