namespace Analytics.Core.Pseudonymisation;

/// <summary>
/// Why a structured identifier failed its type's check, in words a submitter can act on. The identifier is still
/// accepted (evidence can hold a malformed number) and tokenised from its trimmed text as written, so it links only to
/// the same text. A reason names the check, never the value.
/// </summary>
public static class IdentifierWarnings
{
    /// <summary>What every reason ends with: what became of the identifier.</summary>
    public const string Consequence = "tokenised as written, so it links only to the same text";

    /// <summary>
    /// The reason <paramref name="value"/> is not a valid identifier of <paramref name="type"/> (call it when
    /// <see cref="Normalisers.Normalise"/> gave null). <paramref name="region"/> is the country a phone was read in.
    /// </summary>
    public static string Reason(string type, string value, string? region)
    {
        var folded = IdentifierFolding.Fold(value).Trim();
        var what = type switch
        {
            IdentifierTypes.Name => "not a name (it has no letters)",
            IdentifierTypes.Phone => Phone(folded, region),
            IdentifierTypes.Email => "not a valid e-mail address (expected local-part@domain.tld)",
            IdentifierTypes.Iban => Iban(folded),
            IdentifierTypes.Card => Card(folded),
            IdentifierTypes.Wallet => "not a valid wallet address (neither a Bitcoin address with a valid checksum nor an Ethereum address of 0x and 40 hexadecimal digits)",
            IdentifierTypes.Handle => "not a valid handle (empty, or it has a space, '/' or '@' inside)",
            IdentifierTypes.Document => "not a valid document number (it has no letters or digits)",
            IdentifierTypes.Plate => "not a valid plate number (it has no letters or digits)",
            _ => "not an identifier of a known type",
        };
        return what + "; " + Consequence;
    }

    private static string Phone(string value, string? region)
    {
        if (value.Any(char.IsLetter)) return "not a valid phone number (it has letters)";
        var plus = value.StartsWith('+') || value.StartsWith("00", StringComparison.Ordinal);
        if (plus) return "not a valid phone number (not a number of the country its international prefix names)";
        return string.IsNullOrWhiteSpace(region)
            ? "not a valid phone number (a national number needs a country; give it with its international prefix)"
            : $"not a valid phone number (not a number of {region.Trim().ToUpperInvariant()}, the country it was read in; a foreign number needs its international prefix or country)";
    }

    private static string Iban(string value)
    {
        var compact = new System.Text.StringBuilder(value.Length);
        foreach (var ch in value)
        {
            if (char.IsAsciiLetterOrDigit(ch)) compact.Append(char.ToUpperInvariant(ch));
            else if (ch is not (' ' or '-' or '\t')) return "not a valid IBAN (it has characters other than letters, digits, spaces and hyphens)";
        }
        var iban = compact.ToString();
        var length = iban.Length >= 2 ? IbanCheck.LengthFor(iban.AsSpan(0, 2)) : null;
        if (length is null) return "not a valid IBAN (it does not start with the code of a country that uses IBANs)";
        if (length != iban.Length) return $"not a valid IBAN (an IBAN of its country has {length} characters)";
        if (!char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3])) return "not a valid IBAN (its check digits, the third and fourth characters, are not digits)";
        return "not a valid IBAN (mod-97 check failed)";
    }

    private static string Card(string value)
    {
        var digits = 0;
        foreach (var ch in value)
        {
            if (char.IsAsciiDigit(ch)) digits++;
            else if (ch is not (' ' or '-')) return "not a valid card number (it has characters other than digits, spaces and hyphens)";
        }
        return digits is < 13 or > 19
            ? "not a valid card number (a card number has 13 to 19 digits)"
            : "not a valid card number (Luhn check failed)";
    }
}
