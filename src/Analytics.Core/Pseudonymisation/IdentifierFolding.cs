using System.Globalization;
using System.Text;

namespace Analytics.Core.Pseudonymisation;

/// <summary>
/// What the identifier normalisers read first, so that an identifier written with other forms of the same characters is
/// the same identifier: Unicode NFKC (full-width and other compatibility forms become their plain forms, and NFD and NFC
/// give the same text), then the folding the scrubber's recognisers read (<see cref="TextFolding"/>: digits of any
/// script, such as Arabic-Indic ones, which NFKC leaves as they are, become 0–9; every dash becomes '-' and every space
/// separator ' '; invisible format characters such as zero-width spaces, bidi controls and soft hyphens are dropped),
/// and slash-like characters (∕ ⁄ ⧸) become '/'. ASCII is returned as it is: a plain identifier keeps its token.
/// </summary>
internal static class IdentifierFolding
{
    public static string Fold(string value)
    {
        if (Ascii.IsValid(value)) return value;
        var folded = TextFolding.Fold(Nfkc(value), out _);
        var sb = new StringBuilder(folded.Length);
        foreach (var rune in folded.EnumerateRunes())
        {
            // TextFolding drops format characters of the basic plane; those beyond it (tag characters) go here.
            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format) continue;
            if (rune.Value is 0x2215 or 0x2044 or 0x29F8) sb.Append('/');
            else sb.Append(rune);
        }
        // A dropped character may have stood between a letter and its mark: composed again.
        return Nfkc(sb.ToString());
    }

    // A string with a lone surrogate cannot be normalised; it is read as it is.
    private static string Nfkc(string value)
    {
        try
        {
            return value.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            return value;
        }
    }
}
