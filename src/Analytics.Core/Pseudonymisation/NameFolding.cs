using System.Globalization;
using System.Text;

namespace Analytics.Core.Pseudonymisation;

// Folds a name so that spelling variants a prosecutor would consider the same person compare equal:
// case, diacritics, punctuation and word order are all irrelevant.
internal static class NameFolding
{
    // Folds one word (no separators expected) to lower-case ASCII-ish letters; returns "" when no letters remain.
    public static string FoldWord(ReadOnlySpan<char> word)
    {
        var sb = new StringBuilder(word.Length + 2);
        AppendFolded(word, sb);
        return sb.ToString();
    }

    // Splits into folded words, in original order.
    public static List<string> FoldWords(string value)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        // Decompose first so that a letter followed by a combining mark stays one word.
        var decomposed = value.Normalize(NormalizationForm.FormD);
        foreach (var ch in decomposed)
        {
            if (char.IsLetter(ch))
            {
                AppendFoldedChar(ch, sb);
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark)
            {
                // Diacritic: dropped without breaking the word.
            }
            else if (sb.Length > 0)
            {
                words.Add(sb.ToString());
                sb.Clear();
            }
        }
        if (sb.Length > 0) words.Add(sb.ToString());
        return words;
    }

    private static void AppendFolded(ReadOnlySpan<char> word, StringBuilder sb)
    {
        foreach (var ch in word.ToString().Normalize(NormalizationForm.FormD))
        {
            if (char.IsLetter(ch)) AppendFoldedChar(ch, sb);
        }
    }

    private static void AppendFoldedChar(char ch, StringBuilder sb)
    {
        var lower = char.ToLowerInvariant(ch);
        // Letters that FormD does not decompose into base + mark, folded by hand.
        switch (lower)
        {
            case 'ß': sb.Append("ss"); break;
            case 'ł': sb.Append('l'); break;
            case 'đ': sb.Append('d'); break;
            case 'ø': sb.Append('o'); break;
            case 'æ': sb.Append("ae"); break;
            case 'œ': sb.Append("oe"); break;
            case 'ı': sb.Append('i'); break;
            case 'þ': sb.Append("th"); break;
            case 'ð': sb.Append('d'); break;
            case 'ħ': sb.Append('h'); break;
            default: sb.Append(lower); break;
        }
    }
}
