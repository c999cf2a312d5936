using System.Text;
using PhoneNumbers;

namespace Analytics.Core.Pseudonymisation;

/// <summary>
/// Brings each identifier type to one canonical form, so that the same identifier written differently
/// gives the same token. Every method returns null when the value is not a valid identifier of its type. Each reads the
/// value through <see cref="IdentifierFolding"/> first: full-width forms, digits of other scripts, dash and slash variants
/// and invisible characters (zero-width spaces, bidi controls, soft hyphens) do not make another identifier.
/// </summary>
public static class Normalisers
{
    private static readonly PhoneNumberUtil _phoneUtil = PhoneNumberUtil.GetInstance();

    /// <summary>Normalises by type; <paramref name="defaultRegion"/> applies to phones without a <paramref name="country"/>.</summary>
    public static string? Normalise(string type, string value, string? country, string? platform, string? defaultRegion) => type switch
    {
        IdentifierTypes.Name => Name(value),
        IdentifierTypes.Phone => Phone(value, string.IsNullOrWhiteSpace(country) ? defaultRegion : country),
        IdentifierTypes.Email => Email(value),
        IdentifierTypes.Iban => Iban(value),
        IdentifierTypes.Card => Card(value),
        IdentifierTypes.Wallet => Wallet(value),
        IdentifierTypes.Handle => Handle(value, platform),
        IdentifierTypes.Document => Document(value, country),
        IdentifierTypes.Plate => Plate(value, country),
        _ => null,
    };

    /// <summary>E.164 (e.g. "+40721234567"), parsing national formats in <paramref name="defaultRegion"/>.</summary>
    public static string? Phone(string value, string? defaultRegion)
    {
        var trimmed = IdentifierFolding.Fold(value).Trim();
        // libphonenumber accepts vanity letters ("1-800-FLOWERS"); an identifier with letters is not a number here.
        if (trimmed.Length == 0 || HasLetter(trimmed)) return null;
        var region = string.IsNullOrWhiteSpace(defaultRegion) ? "ZZ" : defaultRegion.Trim().ToUpperInvariant();
        if (region == "ZZ" && trimmed.StartsWith("00", StringComparison.Ordinal)) trimmed = "+" + trimmed[2..];
        try
        {
            var number = _phoneUtil.Parse(trimmed, region);
            return _phoneUtil.IsValidNumber(number) ? _phoneUtil.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    private static bool HasLetter(string value)
    {
        foreach (var c in value)
        {
            if (char.IsLetter(c)) return true;
        }
        return false;
    }

    /// <summary>Trimmed and lower-cased; null unless it looks like local@domain.tld.</summary>
    public static string? Email(string value)
    {
        var email = IdentifierFolding.Fold(value).Trim().ToLowerInvariant();
        var at = email.IndexOf('@');
        if (at <= 0 || at != email.LastIndexOf('@') || email.Any(char.IsWhiteSpace)) return null;
        var domain = email.AsSpan(at + 1);
        var dot = domain.LastIndexOf('.');
        if (dot <= 0 || dot >= domain.Length - 2 || domain.StartsWith(".") || domain.Contains("..", StringComparison.Ordinal)) return null;
        return email;
    }

    /// <summary>Upper-case without spaces; null unless the country length and mod-97 check hold.</summary>
    public static string? Iban(string value)
    {
        value = IdentifierFolding.Fold(value);
        var sb = new StringBuilder(value.Length);
        foreach (var ch in value)
        {
            if (char.IsAsciiLetterOrDigit(ch)) sb.Append(char.ToUpperInvariant(ch));
            else if (ch is not (' ' or '-' or '\t')) return null;
        }
        var iban = sb.ToString();
        return IbanCheck.IsValid(iban) ? iban : null;
    }

    /// <summary>Digits only; null unless 13–19 digits with a valid Luhn check.</summary>
    public static string? Card(string value)
    {
        var sb = new StringBuilder(19);
        foreach (var ch in IdentifierFolding.Fold(value))
        {
            if (char.IsAsciiDigit(ch)) sb.Append(ch);
            else if (ch is not (' ' or '-')) return null;
        }
        var digits = sb.ToString();
        return digits.Length is >= 13 and <= 19 && Luhn.IsValid(digits) ? digits : null;
    }

    /// <summary>
    /// Bitcoin (base58check P2PKH/P2SH as is; bech32 "bc1…" lower-cased) or Ethereum ("0x" + 40 hex, lower-cased).
    /// </summary>
    public static string? Wallet(string value)
    {
        var w = IdentifierFolding.Fold(value).Trim();
        if (w.Length == 42 && (w.StartsWith("0x", StringComparison.Ordinal) || w.StartsWith("0X", StringComparison.Ordinal))
            && w.AsSpan(2).ContainsAnyExcept(HexChars) == false)
        {
            return "0x" + w[2..].ToLowerInvariant();
        }
        if (w.StartsWith("bc1", StringComparison.OrdinalIgnoreCase))
        {
            // Bech32 forbids mixed case; either all-lower or all-upper is the same address.
            if (w.Any(char.IsAsciiLetterLower) && w.Any(char.IsAsciiLetterUpper)) return null;
            var lower = w.ToLowerInvariant();
            return Bech32.IsValidBitcoinAddress(lower) ? lower : null;
        }
        return w.Length > 0 && w[0] is '1' or '3' && Base58Check.IsValidBitcoinAddress(w) ? w : null;
    }

    private static readonly System.Buffers.SearchValues<char> HexChars =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>"platform/handle": leading @ stripped, lower-cased; a missing platform becomes "other".</summary>
    public static string? Handle(string value, string? platform)
    {
        var h = IdentifierFolding.Fold(value).Trim().TrimStart('@').ToLowerInvariant();
        if (h.Length == 0 || h.Any(ch => char.IsWhiteSpace(ch) || ch is '/' or '@')) return null;
        var p = string.IsNullOrWhiteSpace(platform) ? "other" : platform.Trim().ToLowerInvariant();
        return p + "/" + h;
    }

    /// <summary>Case, diacritics, punctuation and word order folded: "POPESCU, Ión" → "ion popescu".</summary>
    public static string? Name(string value)
    {
        var words = NameFolding.FoldWords(IdentifierFolding.Fold(value));
        if (words.Count == 0) return null;
        words.Sort(StringComparer.Ordinal);
        return string.Join(' ', words);
    }

    /// <summary>Upper-case alphanumerics, prefixed "CC/" when a country is given.</summary>
    public static string? Document(string value, string? country) => Alphanumeric(value, country);

    /// <summary>Upper-case alphanumerics, prefixed "CC/" when a country is given.</summary>
    public static string? Plate(string value, string? country) => Alphanumeric(value, country);

    /// <summary>
    /// Folded (<see cref="IdentifierFolding"/>: NFKC, digits of any script as 0–9, dash and slash variants as '-' and
    /// '/', invisible characters dropped), trimmed, upper-case, whitespace collapsed, prefixed with the (equally folded)
    /// authority. "ＤＩＩＣＯＴ∕2024∕٠٠٠١٧" reads as "DIICOT/2024/00017"; an ASCII reference reads as it always did.
    /// </summary>
    public static string? CaseReference(string value, string authority)
    {
        var reference = CollapseUpper(IdentifierFolding.Fold(value));
        return reference.Length == 0 ? null : CollapseUpper(IdentifierFolding.Fold(authority)) + "/" + reference;
    }

    // Alphanumerics of the value only, without a prefix; also what the scrubber compares in free text.
    internal static string AlphanumericCore(ReadOnlySpan<char> value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var ch in value)
        {
            if (char.IsLetterOrDigit(ch)) sb.Append(char.ToUpperInvariant(ch));
        }
        return sb.ToString();
    }

    private static string? Alphanumeric(string value, string? country)
    {
        var core = AlphanumericCore(IdentifierFolding.Fold(value));
        if (core.Length == 0) return null;
        return string.IsNullOrWhiteSpace(country) ? core : country.Trim().ToUpperInvariant() + "/" + core;
    }

    private static string CollapseUpper(string value) =>
        string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();
}
