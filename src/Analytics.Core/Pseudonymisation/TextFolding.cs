using System.Globalization;
using System.Text;

namespace Analytics.Core.Pseudonymisation;

/// <summary>
/// The form of a text that the scrubber's recognisers read: what is written differently but reads the same is made the
/// same. Digits of any script (Arabic-Indic, full-width) become 0–9, full-width Latin forms become ASCII (＠ is @), every
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
            var folded = Fold(c);
            if (folded == c) continue;
            if (first < 0) first = i;
            if (folded == '\0') dropped++;
        }
        if (first < 0) return text;

        if (dropped == 0)
        {
            return string.Create(text.Length, text, static (span, source) =>
            {
                for (var i = 0; i < source.Length; i++) span[i] = source[i] < 0x80 ? source[i] : Fold(source[i]);
            });
        }

        var chars = new char[text.Length - dropped];
        var positions = new int[chars.Length + 1];
        var at = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i] < 0x80 ? text[i] : Fold(text[i]);
            if (c == '\0') continue;
            positions[at] = i;
            chars[at++] = c;
        }
        positions[at] = text.Length;
        map = positions;
        return new string(chars);
    }

    /// <summary>The folded character, or '\0' for one that is dropped.</summary>
    private static char Fold(char c)
    {
        if (c is >= '\uFF01' and <= '\uFF5E') return (char)(c - 0xFEE0);
        if (c == '\u2212') return '-';
        switch (CharUnicodeInfo.GetUnicodeCategory(c))
        {
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
