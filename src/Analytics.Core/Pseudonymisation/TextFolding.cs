using System.Globalization;
using System.Text;

namespace Analytics.Core.Pseudonymisation;

/// <summary>
/// The form of a text that the scrubber's recognisers read: what is written differently but reads the same is made the
/// same. Digits of any script (Arabic-Indic, full-width, circled, mathematical, keycaps) become 0–9, full-width Latin forms become ASCII (＠ is @), every
/// dash (en, em, non-breaking hyphen, minus) becomes '-', every space separator (narrow, thin, no-break) becomes ' ', and
/// invisible format characters (zero-width spaces and joiners, soft hyphens, word joiners) are dropped, so that
/// "0721–234–567", "٠٧٢١٢٣٤٥٦٧" and "Po\u00ADpescu" are found like "0721-234-567", "0721234567" and "Popescu".
/// </summary>
internal static class TextFolding
{
    /// <summary>
    /// The folded text. <paramref name="map"/> is null when every character kept its place (the folded text has the
    /// original's length, so a span of one is the same span of the other); otherwise map[i] is the original index of the
    /// folded text's character i, and map[folded.Length] the original's length.
    /// </summary>
    public static string Fold(string text, out int[]? map)
    {
        map = null;
        // Most texts are ASCII: nothing to fold, nothing allocated.
        if (Ascii.IsValid(text)) return text;
        var first = -1;
        var dropped = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x80) continue;
            var folded = Fold(text, i);
            if (folded == c) continue;
            if (first < 0) first = i;
            if (folded == '\0') dropped++;
        }
        if (first < 0) return text;

        if (dropped == 0)
        {
            return string.Create(text.Length, text, static (span, source) =>
            {
                for (var i = 0; i < source.Length; i++) span[i] = source[i] < 0x80 ? source[i] : Fold(source, i);
            });
        }

        var chars = new char[text.Length - dropped];
        var positions = new int[chars.Length + 1];
        var at = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i] < 0x80 ? text[i] : Fold(text, i);
            if (c == '\0') continue;
            positions[at] = i;
            chars[at++] = c;
        }
        positions[at] = text.Length;
        map = positions;
        return new string(chars);
    }

    /// <summary>The folded character at <paramref name="i"/>, or '\0' for one that is dropped.</summary>
    private static char Fold(string text, int i)
    {
        var c = text[i];
        if (c is >= '\uFF01' and <= '\uFF5E') return (char)(c - 0xFEE0);
        switch (c)
        {
            case '\u2212': return '-';
            // Middle dots written between digit groups or in a domain ("0721·234·567", "gmail․com").
            case '\u00B7' or '\u2024' or '\u2027' or '\u30FB': return '.';
            // A keycap digit is the digit, a variation selector and U+20E3 ("0️⃣"); a grapheme joiner is invisible.
            case '\uFE0E' or '\uFE0F' or '\u20E3' or '\u034F': return '\0';
        }
        // Mathematical digits (bold, double-struck, sans-serif, monospace: U+1D7CE–U+1D7FF) are two UTF-16 units:
        // the first is dropped and the second becomes the digit.
        if (c == '\uD835' && i + 1 < text.Length && text[i + 1] is >= '\uDFCE' and <= '\uDFFF') return '\0';
        if (c is >= '\uDFCE' and <= '\uDFFF' && i > 0 && text[i - 1] == '\uD835') return (char)('0' + (c - '\uDFCE') % 10);
        switch (CharUnicodeInfo.GetUnicodeCategory(c))
        {
            // Circled and parenthesised digits (①, ⓪, ❶): digits when their value is one.
            case UnicodeCategory.OtherNumber when CharUnicodeInfo.GetNumericValue(c) is var n && n >= 0 && n <= 9 && n == Math.Floor(n)
                && c is >= '\u2460' and <= '\u24FF' or >= '\u2776' and <= '\u2793':
                return (char)('0' + (int)CharUnicodeInfo.GetNumericValue(c));
            case UnicodeCategory.DecimalDigitNumber:
                var value = CharUnicodeInfo.GetDecimalDigitValue(c);
                return value is >= 0 and <= 9 ? (char)('0' + value) : c;
            case UnicodeCategory.DashPunctuation:
                return '-';
            case UnicodeCategory.SpaceSeparator:
                return ' ';
            case UnicodeCategory.Format:
                return '\0';
            default:
                return c;
        }
    }
}
