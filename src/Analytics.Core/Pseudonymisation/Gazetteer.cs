using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Analytics.Core.Pseudonymisation;

/// <summary>A city or town of the gazetteer: its words (folded: lower-case, no diacritics) and its country.</summary>
internal sealed record GazetteerPlace(string Name, string[] Words, string Country, bool ContextOnly);

/// <summary>
/// The cities and towns of <c>data-schemas/gazetteer/places.json</c>, indexed by their first folded word so that the
/// scrubber looks each capitalised word of a text up once instead of running a pattern per city.
/// </summary>
internal sealed class Gazetteer
{
    private static readonly Lazy<Gazetteer> _default = new(() =>
    {
        using var stream = typeof(Gazetteer).Assembly.GetManifestResourceStream("gazetteer/places.json")
            ?? throw new InvalidOperationException("The embedded gazetteer (gazetteer/places.json) is missing.");
        return Parse(stream);
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Dictionary<string, GazetteerPlace[]> _byFirstWord;
    private readonly Dictionary<string, GazetteerPlace[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    private Gazetteer(Dictionary<string, GazetteerPlace[]> byFirstWord, int count)
    {
        _byFirstWord = byFirstWord;
        _lookup = byFirstWord.GetAlternateLookup<ReadOnlySpan<char>>();
        Count = count;
    }

    /// <summary>The gazetteer embedded in this assembly.</summary>
    public static Gazetteer Default => _default.Value;

    /// <summary>Distinct spellings indexed (written and derived forms).</summary>
    public int Count { get; }

    /// <summary>Every indexed spelling, for tests and reports.</summary>
    public IEnumerable<GazetteerPlace> Places => _byFirstWord.Values.SelectMany(p => p);

    /// <summary>Places whose first folded word is <paramref name="foldedWord"/>, longest first.</summary>
    public bool TryGet(ReadOnlySpan<char> foldedWord, out GazetteerPlace[] places) => _lookup.TryGetValue(foldedWord, out places!);

    public static Gazetteer Parse(Stream json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var contextOnly = root.GetProperty("contextOnly").EnumerateArray().Select(e => Key(e.GetString()!)).ToHashSet(StringComparer.Ordinal);
        var countries = root.GetProperty("countryNames").EnumerateArray().Select(e => Key(e.GetString()!)).ToHashSet(StringComparer.Ordinal);
        var byKey = new Dictionary<string, GazetteerPlace>(StringComparer.Ordinal);
        foreach (var country in root.GetProperty("countries").EnumerateObject())
        {
            foreach (var entry in country.Value.EnumerateArray())
            {
                foreach (var written in entry.GetString()!.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    foreach (var form in Forms(written))
                    {
                        var words = Words(form);
                        var key = string.Join(' ', words);
                        // A country name stays in the text: the country is what the record keeps anyway.
                        if (words.Length == 0 || countries.Contains(key)) continue;
                        // The first country listing a spelling keeps it (e.g. "Lagos" for Nigeria).
                        byKey.TryAdd(key, new GazetteerPlace(written, words, country.Name, contextOnly.Contains(Key(written))));
                    }
                }
            }
        }
        var index = byKey.Values
            .GroupBy(p => p.Words[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Words.Length).ToArray(), StringComparer.Ordinal);
        return new Gazetteer(index, byKey.Count);
    }

    private static string Key(string name) => string.Join(' ', Words(name));

    // Folded words of a name; hyphens, apostrophes, periods and spaces all separate words ("Cluj-Napoca", "L'Aquila", "St. Pölten").
    internal static string[] Words(string name)
    {
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= name.Length; i++)
        {
            var inWord = i < name.Length && IsWordChar(name[i]);
            if (inWord && start < 0) start = i;
            else if (!inWord && start >= 0)
            {
                var folded = NameFolding.FoldWord(name.AsSpan(start, i - start));
                if (folded.Length > 0) words.Add(folded);
                start = -1;
            }
        }
        return [.. words];
    }

    internal static bool IsWordChar(char c) => char.IsLetter(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark;

    // The written form, and its German transliteration when it has umlauts ("München" → "Muenchen"); the
    // diacritics-free form ("Munchen", "Iasi", "Lodz") needs no entry of its own because lookup folds the text.
    private static IEnumerable<string> Forms(string written)
    {
        yield return written;
        if (written.AsSpan().IndexOfAny("äöüÄÖÜ") < 0) yield break;
        var sb = new StringBuilder(written.Length + 4);
        foreach (var c in written)
        {
            sb.Append(c switch
            {
                'ä' => "ae", 'ö' => "oe", 'ü' => "ue", 'Ä' => "Ae", 'Ö' => "Oe", 'Ü' => "Ue",
                _ => c.ToString(),
            });
        }
        yield return sb.ToString();
    }
}
