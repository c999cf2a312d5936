using System.Text;

namespace Analytics.Core.Pseudonymisation;

/// <summary>
/// The Latin spellings a name written in Cyrillic is usually given in, so that the scrubber finds "Іван Петренко" in a
/// narrative whose structured part gives "Ivan Petrenko", and the other way round. Names are transliterated differently
/// by each country and era, so one word has several spellings: Ukrainian passports (the 2010 national table:
/// Mykhailo, Oleksandr, Yevhenii), Russian passports since 2013 (ICAO 9303: Tatiana, Iurii) and before (Tatyana, Yuri),
/// Bulgarian (the 2009 law: Hristo, Shtilianov → Shtilyanov), and Serbian and Macedonian Latin with its marks folded
/// (Đorđević → Dordevic). Every spelling is folded as names are (<see cref="NameFolding"/>).
/// Used for matching only: a name's token is always made from the spelling the submission gives.
/// </summary>
internal static class CyrillicSpellings
{
    private static readonly Dictionary<char, string> Common = new()
    {
        ['а'] = "a", ['б'] = "b", ['в'] = "v", ['г'] = "g", ['д'] = "d", ['е'] = "e", ['ж'] = "zh", ['з'] = "z",
        ['и'] = "i", ['й'] = "y", ['к'] = "k", ['л'] = "l", ['м'] = "m", ['н'] = "n", ['о'] = "o", ['п'] = "p",
        ['р'] = "r", ['с'] = "s", ['т'] = "t", ['у'] = "u", ['ф'] = "f", ['х'] = "kh", ['ц'] = "ts", ['ч'] = "ch",
        ['ш'] = "sh", ['щ'] = "shch", ['ъ'] = "", ['ы'] = "y", ['ь'] = "", ['э'] = "e", ['ю'] = "yu", ['я'] = "ya",
        ['ѐ'] = "e", ['ё'] = "e", ['ђ'] = "d", ['ѓ'] = "g", ['є'] = "ye", ['ѕ'] = "dz", ['і'] = "i", ['ї'] = "yi",
        ['ј'] = "j", ['љ'] = "lj", ['њ'] = "nj", ['ћ'] = "c", ['ќ'] = "k", ['ѝ'] = "i", ['ў'] = "u", ['џ'] = "dz",
        ['ґ'] = "g",
    };

    private sealed record Scheme(Dictionary<char, string> Letters, Dictionary<char, string> AtStart);

    private static Scheme Make(Dictionary<char, string> changes, Dictionary<char, string>? atStart = null)
    {
        var letters = new Dictionary<char, string>(Common);
        foreach (var (c, latin) in changes) letters[c] = latin;
        return new Scheme(letters, atStart ?? []);
    }

    private static readonly Scheme[] Schemes =
    [
        // Russian before 2013, and most press and older documents.
        Make([]),
        // Russian passports since 2013 (ICAO 9303).
        Make(new() { ['й'] = "i", ['ю'] = "iu", ['я'] = "ia", ['ъ'] = "ie" }),
        // Ukrainian passports (2010 national table), with its forms at the start of a word.
        Make(new() { ['г'] = "h", ['и'] = "y", ['є'] = "ie", ['ї'] = "i", ['й'] = "i", ['ю'] = "iu", ['я'] = "ia" },
            new() { ['є'] = "ye", ['ї'] = "yi", ['й'] = "y", ['ю'] = "yu", ['я'] = "ya" }),
        // Bulgarian (2009 transliteration law).
        Make(new() { ['х'] = "h", ['щ'] = "sht", ['ъ'] = "a", ['ь'] = "y" }),
        // Serbian and Macedonian Latin, marks folded (ž, č, š, ć, đ, dž).
        Make(new() { ['ж'] = "z", ['ч'] = "c", ['ш'] = "s", ['ц'] = "c", ['х'] = "h", ['й'] = "j" }),
    ];

    /// <summary>Whether the word holds a Cyrillic letter.</summary>
    public static bool Contains(ReadOnlySpan<char> word)
    {
        foreach (var c in word)
            if (c is >= '\u0400' and <= '\u04FF') return true;
        return false;
    }

    /// <summary>
    /// The folded Latin spellings of one word holding Cyrillic letters (other letters are kept and folded), distinct;
    /// empty when the word holds none. Read from the word as written: folding first would merge й into и and ї into і.
    /// </summary>
    public static IReadOnlyList<string> Of(ReadOnlySpan<char> word)
    {
        if (!Contains(word)) return [];
        var spellings = new List<string>(Schemes.Length);
        var sb = new StringBuilder(word.Length * 2);
        foreach (var scheme in Schemes)
        {
            sb.Clear();
            for (var i = 0; i < word.Length; i++)
            {
                var c = char.ToLowerInvariant(word[i]);
                if (i == 0 && scheme.AtStart.TryGetValue(c, out var first)) sb.Append(first);
                else if (scheme.Letters.TryGetValue(c, out var latin)) sb.Append(latin);
                else sb.Append(c);
            }
            var folded = NameFolding.FoldWord(sb.ToString());
            if (folded.Length > 0 && !spellings.Contains(folded)) spellings.Add(folded);
        }
        return spellings;
    }
}
