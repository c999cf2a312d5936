namespace Analytics.Core.Pseudonymisation;

/// <summary>Identifier types; each is also the prefix of the tokens made from it (see codes.md).</summary>
public static class IdentifierTypes
{
    public const string Name = "name";
    public const string Phone = "phone";
    public const string Email = "email";
    public const string Iban = "iban";
    public const string Card = "card";
    public const string Wallet = "wallet";
    public const string Handle = "handle";
    public const string Document = "document";
    public const string Plate = "plate";
    public const string CaseReference = "caseref";

    /// <summary>Every type, in code-list order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Name, Phone, Email, Iban, Card, Wallet, Handle, Document, Plate, CaseReference];

    /// <summary>True when <paramref name="type"/> is one of <see cref="All"/> (exact, lower-case).</summary>
    public static bool IsKnown(string? type) => type is not null && All.Contains(type, StringComparer.Ordinal);
}
