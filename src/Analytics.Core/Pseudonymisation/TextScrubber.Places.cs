using System.Text.RegularExpressions;

namespace Analytics.Core.Pseudonymisation;

// Places: cities and towns of the gazetteer become "[place:<country>]", street addresses "[address]".
public sealed partial class TextScrubber
{
    // Words after which a name that is also an ordinary word or a given name ("Nice", "Split", "Sofia") is a place.
    private static readonly HashSet<string> _placeContextWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "in", "to", "from", "at", "near", "into", "towards", "toward", "outside", "around", "via", "through", "of",
        "between", "reached", "left", "visited",
    };

    private const int MaxPlaceGap = 3;

    // ---- Cities and towns: one dictionary lookup per capitalised word, no pattern per city ----

    private static void FindPlaces(string text, in WordPass pass, List<Hit> hits)
    {
        var gazetteer = Gazetteer.Default;
        var next = 0;
        foreach (var word in pass.Words)
        {
            // Words inside a place already found are skipped.
            if (word.Start < next) continue;
            var start = word.Start;
            var i = word.End;
            // A place name starts with a capital, after something that is not a letter or digit.
            if (!char.IsUpper(text[start]) || (start > 0 && char.IsLetterOrDigit(text[start - 1]))) continue;
            ReadOnlySpan<char> key;
            if (!word.NonAscii)
            {
                // Longer ASCII words are not looked up (no place's first word is that long).
                if (word.Length > MaxAsciiPlaceWord) continue;
                key = pass.Lower(start, i);
            }
            else
            {
                key = NameFolding.FoldWord(text.AsSpan(start, i - start));
                if (key.Length == 0) continue;
            }
            if (!gazetteer.TryGet(key, out var places)) continue;
            foreach (var place in places)
            {
                if (!MatchPlace(text, start, i, place, out var end)) continue;
                if (!IsPlaceCase(text, start, end)) continue;
                if (place.ContextOnly && !HasPlaceContext(text, start)) continue;
                hits.Add(new Hit(start, end - start, PlaceType, null, PatternPriority, PlaceType + ":" + place.Country));
                next = end;
                break;
            }
        }
    }

    private const int MaxAsciiPlaceWord = 48;

    // Matches the place's further words after the first one (which ends at firstEnd), across short gaps of spaces,
    // hyphens, apostrophes, periods or a line break ("Cluj-Napoca", "Reggio\nEmilia", "St. Pölten").
    private static bool MatchPlace(string text, int start, int firstEnd, GazetteerPlace place, out int end)
    {
        end = firstEnd;
        for (var w = 1; w < place.Words.Length; w++)
        {
            var next = end;
            while (next < text.Length && next - end <= MaxPlaceGap && text[next] is ' ' or '-' or '\'' or '’' or '.' or '\u00A0' or '\n' or '\r') next++;
            if (next == end || next - end > MaxPlaceGap || next >= text.Length || !Gazetteer.IsWordChar(text[next])) return false;
            var wordEnd = next;
            while (wordEnd < text.Length && Gazetteer.IsWordChar(text[wordEnd])) wordEnd++;
            var word = text.AsSpan(next, wordEnd - next);
            // Inner words are capitalised, or short particles ("am", "de", "upon", "nad").
            if (!char.IsUpper(word[0]) && word.Length > 4) return false;
            if (!NameFolding.FoldWord(word).Equals(place.Words[w], StringComparison.Ordinal)) return false;
            end = wordEnd;
        }
        // Whole words only: "Milano" is not in "Milanese", nor "Bari" in "Bari2".
        return end >= text.Length || !char.IsLetterOrDigit(text[end]);
    }

    // Title case or capitals; short all-capital words are acronyms ("BAR", "NIS", "JOS"), not places.
    private static bool IsPlaceCase(string text, int start, int end)
    {
        var letters = 0;
        var allUpper = true;
        for (var k = start; k < end; k++)
        {
            if (!char.IsLetter(text[k])) continue;
            letters++;
            if (char.IsLower(text[k])) allUpper = false;
        }
        return !allUpper || letters >= 4;
    }

    // "in Nice", "to Split", "from Sofia", or next to a postcode ("21000 Split").
    private static bool HasPlaceContext(string text, int start)
    {
        var k = start - 1;
        while (k >= 0 && text[k] is ' ' or '\u00A0' or '\n' or '\r' or '\t') k--;
        if (k < 0 || k == start - 1) return false;
        if (char.IsAsciiDigit(text[k])) return true;
        var wordEnd = k + 1;
        while (k >= 0 && char.IsLetter(text[k])) k--;
        var word = text.AsSpan(k + 1, wordEnd - k - 1);
        return word.Length > 0 && _placeContextWords.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);
    }

    // ---- Street addresses: street word + name + number, number + name + street word, German/Dutch compounds ----

    // A capitalised word, maybe abbreviated or hyphenated ("Libertății", "Gh.", "Ion-Creangă").
    private const string AddressWord = @"\p{Lu}[\p{L}\p{M}'’]*(?:-\p{L}[\p{L}\p{M}'’]*)*\.?";
    private const string Particle = @"(?:de|del|della|delle|dei|degli|di|da|dos|das|do|du|des|la|le|les|el|los|las|y|i|e|am|an|der|den|dem|van|von|al|și|si|lui|cel|nad|pod|na|l'|d'|l’|d’)";
    // Optionally led by a day ("3 Maja", "1 Decembrie") and ended by a year ("1 Decembrie 1918"), as streets named after dates are.
    private const string StreetName = @"(?:\d{1,2}[ \t\u00A0]{1,2})?(?:" + Particle + @"[ \t\u00A0]{0,2})*" + AddressWord
        + @"(?:[ \t\u00A0\r\n]{1,2}(?:" + Particle + @"[ \t\u00A0]{0,2})*" + AddressWord + @"){0,4}(?:[ \t\u00A0](?:19|20)\d\d)?";

    // A house number ("12", "12A", "12/3", "12-14") that is not a year nor a quantity ("3 days", "500 euros").
    private const string HouseNumber = @"(?!(?:19|20)\d\d(?!\d))\d{1,4}[A-Za-z]?(?:[ ]?[/-][ ]?\d{1,4}[A-Za-z]?)?(?![\p{L}\d])"
        + @"(?![ \t]*(?:days?|weeks?|months?|years?|hours?|minutes?|times|km|kilomet(?:re|er)s?|euros?|EUR|lei|people|persons|victims|children|girls|boys|women|men|workers|others|more|%|€))";
    private const string NumberMarker = @"(?:(?i:nr|no|n|nº|n°|num|număr|numero|número|br|broj|č)\.?[ \t\u00A0]{0,2})?";

    // Block, staircase, floor, flat (Romanian, Bulgarian, Spanish): "bl. A3, sc. 2, ap. 14".
    private const string Unit = @"(?:,?[ \t\u00A0]{0,2}(?i:bl|sc|et|ap|apt|etaj|bloc|scara|piso|puerta|esc|vh)\.?[ \t\u00A0]?[A-Z0-9]{1,4}(?![\p{L}\d]))*";

    // A postcode next to the address: 5-6 digits, "00-950" (PL), "110 00" or "1012 AB" (CZ, NL), 4 digits before a town, UK.
    private const string Postcode = @"(?:,?[ \t\u00A0\r\n]{1,3}(?:[A-Z]{1,2}-)?(?:\d{2}-\d{3}|\d{3}[ ]\d{2}(?=[ \t\r\n]+\p{Lu})|\d{4}[ ]?[A-Z]{2}(?![\p{L}\d])|\d{5,6}|\d{4}(?=[ \t\r\n]+\p{Lu})|[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2})(?![\p{L}\d]))?";

    private const string StreetPrefix =
        @"(?:Str\.|str\.|Strada|strada|Bulevardul|Bulevard|Bd\.|bd\.|B-dul|Bdul\.?|Calea|Șoseaua|Şoseaua|Soseaua|Șos\.|Sos\.|Aleea|Piața|Piaţa|Piata|Splaiul|Intrarea"
        + @"|Via|via|Viale|viale|V\.le|Piazza|piazza|P\.za|Piazzale|Corso|corso|C\.so|Largo|Vicolo|Contrada|Lungomare"
        + @"|Calle|calle|C/|Avenida|avenida|Avda\.|Av\.|Plaza|Paseo|Carrer|Camino|Carretera|Ronda|Rua|rua|Travessa|Praça|Estrada"
        + @"|rue|Rue|avenue|Avenue|boulevard|Boulevard|Bd|place|Place|chemin|Chemin|allée|Allée|impasse|Impasse|quai|Quai|Cours|route|Route"
        + @"|ul\.|ulica|Ulica|al\.|Al\.|aleja|Aleja|pl\.|plac|Plac|os\.|osiedle|ulitsa|Ulitsa|bul\.|Bul\.|blvd\.|Blvd\.|Bulevar|bulevar|bulevard|bulevardul|Trg|trg|Odos|Odós|Leoforos|Leof\.|Plateia)";

    private const string StreetSuffixWord =
        @"(?:Straße|Strasse|Str\.|Allee|Platz|Weg|Gasse|Ring|Damm|Ufer|utca|út|tér|körút|Caddesi|Cad\.|Sokak|Sokağı|Sk\.|Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Drive|Close|Way|Square|Straat|Laan|Plein|Gracht)";

    private const string CompoundSuffix =
        @"(?:straße|strasse|str\.|gasse|weg|platz|allee|ring|damm|ufer|chaussee|steig|straat|laan|plein|gracht|dijk|kade|singel|steeg|markt|vej|gade|gatan|vägen|gata|veien|katu|utca)";

    private const string EnglishStreetWord =
        @"(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Close|Way|Place|Crescent|Gardens|Terrace|Court|Square|Row|Mews|Grove|Park|Walk|Parade)";

    private const string FrenchStreetWord = @"(?:rue|avenue|boulevard|bd|place|chemin|allée|impasse|quai|cours|route|Rue|Avenue|Boulevard|Place|Chemin|Allée|Impasse|Quai|Cours|Route)";

    // "Str. Libertății nr. 12", "Via Padova 12", "Calle Mayor, 5", "ul. Długa 15/4", "bul. Vitosha 20", "rue de la Paix 3".
    // Not right after a dot or @: the "pl." of "anna@wp.pl." ends a domain, it does not open a Polish square.
    [GeneratedRegex(@"\G(?<![\p{L}\d.@_])" + StreetPrefix + @"(?:(?<=[./])[ \t\u00A0]{0,2}|[ \t\u00A0\r\n]{1,2})" + StreetName
        + @",?[ \t\u00A0\r\n]{1,3}" + NumberMarker + HouseNumber + Unit + Postcode)]
    private static partial Regex PrefixAddressRegex();

    // "Hauptstraße 7", "Bahnhofstr. 12", "Keizersgracht 123".
    [GeneratedRegex(@"\G(?<![\p{L}\d])\p{Lu}[\p{L}\p{M}]*" + CompoundSuffix + @",?[ \t\u00A0\r\n]{1,3}" + NumberMarker + HouseNumber + Unit + Postcode)]
    private static partial Regex CompoundAddressRegex();

    // "Berliner Straße 5", "Váci utca 12", "Baker Street 221".
    [GeneratedRegex(@"\G(?<![\p{L}\d])(?:" + AddressWord + @"[ \t\u00A0]{1,2}){1,3}" + StreetSuffixWord + @",?[ \t\u00A0\r\n]{1,3}" + NumberMarker + HouseNumber + Unit + Postcode)]
    private static partial Regex SuffixAddressRegex();

    // "12 Baker Street", "Flat 3, 45 Queen's Road, E1 6AN", "3 rue de la Paix", "221B Baker Street".
    [GeneratedRegex(@"\G(?<![\p{L}\d.,:/])(?:(?i:flat|apartment|apt\.?|unit)[ \t]{1,2}\d{1,4}[A-Za-z]?,?[ \t]{1,2})?(?!(?:19|20)\d\d(?!\d))\d{1,4}[A-Za-z]?(?:[ ]?(?:bis|ter))?,?[ \t\u00A0]{1,2}"
        + @"(?:(?:" + AddressWord + @"[ \t\u00A0\r\n]{1,2}){1,3}" + EnglishStreetWord + @"(?![\p{L}])|" + FrenchStreetWord + @"[ \t\u00A0]{1,2}" + StreetName + ")" + Postcode)]
    private static partial Regex NumberFirstAddressRegex();

    // A British postcode on its own ("E1 6AN", "SW1A 2AA"): distinctive enough without a street next to it.
    [GeneratedRegex(@"(?<![\p{L}\d])[A-Z]{1,2}\d[A-Z\d]?[ ]\d[A-Z]{2}(?![\p{L}\d])")]
    private static partial Regex UkPostcodeRegex();


    // Each address pattern below is anchored (\G) and started only where a match can begin, found by one walk over
    // the text's words and digits, instead of being tried at every character. Every candidate list is a superset of
    // the places a match can start, and candidates are tried in text order, resuming after each match as a scan of
    // the whole text does, so the matches are exactly those of a full scan.

    // The street words that open an address ("Strada", "Via", "ul.", "B-dul"); a match starts at a word whose letters
    // are one of these words' leading letters ("Str" for "Str.", "B" for "B-dul", "C" for "C/").
    private static readonly string[] _streetPrefixWords =
        ["Str.", "str.", "Strada", "strada", "Bulevardul", "Bulevard", "Bd.", "bd.", "B-dul", "Bdul", "Bdul.", "Calea", "Șoseaua", "Şoseaua", "Soseaua", "Șos.", "Sos.", "Aleea", "Piața", "Piaţa", "Piata", "Splaiul", "Intrarea", "Via", "via", "Viale", "viale", "V.le", "Piazza", "piazza", "P.za", "Piazzale", "Corso", "corso", "C.so", "Largo", "Vicolo", "Contrada", "Lungomare", "Calle", "calle", "C/", "Avenida", "avenida", "Avda.", "Av.", "Plaza", "Paseo", "Carrer", "Camino", "Carretera", "Ronda", "Rua", "rua", "Travessa", "Praça", "Estrada", "rue", "Rue", "avenue", "Avenue", "boulevard", "Boulevard", "Bd", "place", "Place", "chemin", "Chemin", "allée", "Allée", "impasse", "Impasse", "quai", "Quai", "Cours", "route", "Route", "ul.", "ulica", "Ulica", "al.", "Al.", "aleja", "Aleja", "pl.", "plac", "Plac", "os.", "osiedle", "ulitsa", "Ulitsa", "bul.", "Bul.", "blvd.", "Blvd.", "Bulevar", "bulevar", "bulevard", "bulevardul", "Trg", "trg", "Odos", "Odós", "Leoforos", "Leof.", "Plateia"];

    // The words that close a "Berliner Straße 5" address (StreetSuffixWord), by their letters.
    private static readonly string[] _streetSuffixWords =
        ["Straße", "Strasse", "Str", "Allee", "Platz", "Weg", "Gasse", "Ring", "Damm", "Ufer", "utca", "út", "tér", "körút", "Caddesi", "Cad", "Sokak", "Sokağı", "Sk", "Street", "St", "Road", "Rd", "Avenue", "Ave", "Lane", "Drive", "Close", "Way", "Square", "Straat", "Laan", "Plein", "Gracht"];

    // The endings of a compound street name ("Hauptstraße", "Bahnhofstr.") (CompoundSuffix), by their letters.
    private static readonly string[] _compoundSuffixes =
        ["straße", "strasse", "str", "gasse", "weg", "platz", "allee", "ring", "damm", "ufer", "chaussee", "steig", "straat", "laan", "plein", "gracht", "dijk", "kade", "singel", "steeg", "markt", "vej", "gade", "gatan", "vägen", "gata", "veien", "katu", "utca"];

    private static readonly HashSet<string> _streetPrefixHeads = new(_streetPrefixWords.Select(LeadingLetters), StringComparer.Ordinal);
    private static readonly HashSet<string> _streetSuffixHeads = new(_streetSuffixWords, StringComparer.Ordinal);

    private static string LeadingLetters(string word)
    {
        var n = 0;
        while (n < word.Length && char.IsLetter(word[n])) n++;
        return word[..n];
    }

    private static readonly HashSet<string> _compoundSuffixSet = new(_compoundSuffixes, StringComparer.Ordinal);
    private static readonly System.Buffers.SearchValues<char> _compoundSuffixLastLetters =
        System.Buffers.SearchValues.Create(string.Concat(_compoundSuffixes.Select(e => e[^1]).Distinct()));
    private static readonly int[] _compoundSuffixLengths = _compoundSuffixes.Select(e => e.Length).Distinct().Order().ToArray();

    // True when the word is longer than, and ends with, one of the compound endings: one set lookup per ending length.
    private static bool EndsWithCompoundSuffix(ReadOnlySpan<char> run)
    {
        // Most words end with none of the endings' last letters.
        if (run.Length == 0 || !_compoundSuffixLastLetters.Contains(run[^1])) return false;
        var endings = _compoundSuffixSet.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var length in _compoundSuffixLengths)
        {
            if (run.Length <= length) return false;
            if (endings.Contains(run[^length..])) return true;
        }
        return false;
    }

    private static bool IsLetterOrMark(char c) => char.IsLetter(c) || char.GetUnicodeCategory(c) is
        System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark
        or System.Globalization.UnicodeCategory.EnclosingMark;

    private static void FindAddresses(string text, in WordPass pass, List<Hit> hits)
    {
        AddAddresses(text, UkPostcodeRegex(), hits);
        // Reused per thread: the lists hold positions only.
        var candidates = _addressCandidates ??= new AddressCandidates();
        candidates.Clear();
        // The shared words, and the characters between them (where house numbers are); a word with a non-spacing
        // mark is read as its runs of letters, as a walk over letters alone would.
        var gapFrom = 0;
        foreach (var word in pass.Words)
        {
            AddNumberStarts(text, gapFrom, word.Start, candidates);
            if (!word.HasMark)
            {
                AddWordCandidates(text, word.Start, word.End, candidates);
            }
            else
            {
                var j = word.Start;
                while (j < word.End)
                {
                    if (!char.IsLetter(text[j]))
                    {
                        j++;
                        continue;
                    }
                    var start = j;
                    while (j < word.End && char.IsLetter(text[j])) j++;
                    AddWordCandidates(text, start, j, candidates);
                }
            }
            gapFrom = word.End;
        }
        AddNumberStarts(text, gapFrom, text.Length, candidates);
        AddAnchored(text, PrefixAddressRegex(), candidates.Prefix, hits);
        AddAnchored(text, CompoundAddressRegex(), candidates.Compound, hits);
        candidates.Suffix.Sort();
        AddAnchored(text, SuffixAddressRegex(), candidates.Suffix, hits);
        AddAnchored(text, NumberFirstAddressRegex(), candidates.NumberFirst, hits);
    }

    // Where each address pattern may start, in text order.
    private sealed class AddressCandidates
    {
        public List<int> Prefix { get; } = [];
        public List<int> Compound { get; } = [];
        public List<int> Suffix { get; } = [];
        public List<int> NumberFirst { get; } = [];

        public void Clear()
        {
            Prefix.Clear();
            Compound.Clear();
            Suffix.Clear();
            NumberFirst.Clear();
        }
    }

    [ThreadStatic] private static AddressCandidates? _addressCandidates;

    // A number-first address opens with a house number or with "flat", "apartment", "apt", "unit".
    private static void AddNumberStarts(string text, int from, int to, AddressCandidates candidates)
    {
        for (var i = from; i < to; i++)
        {
            if (char.IsDigit(text[i]) && (i == 0 || !(char.IsLetterOrDigit(text[i - 1]) || text[i - 1] is '.' or ',' or ':' or '/')))
                candidates.NumberFirst.Add(i);
        }
    }

    // The candidates a run of letters [start, end) opens.
    private static void AddWordCandidates(string text, int start, int end, AddressCandidates candidates)
    {
        var letters = text.AsSpan(start, end - start);
        var boundary = start == 0 || !char.IsLetterOrDigit(text[start - 1]);
        // Only those four words can open it (then a space or "."): not every "and", "at", "from" or "used".
        if (boundary && IsUnitWord(letters) && !(start > 0 && text[start - 1] is '.' or ',' or ':' or '/'))
            candidates.NumberFirst.Add(start);
        if (boundary && _streetPrefixFirstLetters.Contains(letters[0]) && _streetPrefixHeadsLookup.Contains(letters)) candidates.Prefix.Add(start);
        if (boundary && char.IsUpper(text[start]))
        {
            // "[\p{L}\p{M}]*" runs on over combining marks; the compound ending closes that run.
            var runEnd = end;
            while (runEnd < text.Length && IsLetterOrMark(text[runEnd])) runEnd++;
            if (EndsWithCompoundSuffix(text.AsSpan(start, runEnd - start))) candidates.Compound.Add(start);
        }
        // A street word after a space closes up to three capitalised words before it: every word start back
        // to the third is a candidate.
        if (start > 0 && text[start - 1] is ' ' or '\t' or '\u00A0' && _streetSuffixFirstLetters.Contains(letters[0]) && _streetSuffixHeadsLookup.Contains(letters))
            AddSuffixCandidates(text, start, candidates.Suffix);
    }

    // First letters of the street words: most words start with none of them and need no set lookup.
    private static readonly System.Buffers.SearchValues<char> _streetPrefixFirstLetters =
        System.Buffers.SearchValues.Create(string.Concat(_streetPrefixHeads.Where(h => h.Length > 0).Select(h => h[0]).Distinct()));
    private static readonly System.Buffers.SearchValues<char> _streetSuffixFirstLetters =
        System.Buffers.SearchValues.Create(string.Concat(_streetSuffixHeads.Select(h => h[0]).Distinct()));

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _streetPrefixHeadsLookup = _streetPrefixHeads.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _streetSuffixHeadsLookup = _streetSuffixHeads.GetAlternateLookup<ReadOnlySpan<char>>();

    // "flat", "apartment", "apt", "unit" in any case: the only words a number-first address can start with.
    private static bool IsUnitWord(ReadOnlySpan<char> letters) => letters.Length switch
    {
        3 => letters.Equals("apt", StringComparison.OrdinalIgnoreCase),
        4 => letters.Equals("flat", StringComparison.OrdinalIgnoreCase) || letters.Equals("unit", StringComparison.OrdinalIgnoreCase),
        9 => letters.Equals("apartment", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static void AddSuffixCandidates(string text, int streetWord, List<int> candidates)
    {
        var lo = streetWord;
        for (var word = 0; word < 3; word++)
        {
            var k = lo;
            while (k > 0 && text[k - 1] is ' ' or '\t' or '\u00A0') k--;
            if (k == lo) break;
            while (k > 0 && (IsLetterOrMark(text[k - 1]) || text[k - 1] is '\'' or '’' or '-' or '.')) k--;
            lo = k;
        }
        for (var p = lo; p < streetWord; p++)
        {
            if (char.IsUpper(text[p]) && (p == 0 || !char.IsLetterOrDigit(text[p - 1]))) candidates.Add(p);
        }
    }

    // Tries an anchored pattern at each candidate in text order, resuming after each match.
    private static void AddAnchored(string text, Regex anchored, List<int> candidates, List<Hit> hits)
    {
        var position = 0;
        var tried = -1;
        foreach (var at in candidates)
        {
            if (at < position || at == tried) continue;
            tried = at;
            var m = anchored.Match(text, at);
            if (!m.Success) continue;
            AddAddress(text, m.Index, m.Length, hits);
            position = m.Index + m.Length;
        }
    }

    private static void AddAddresses(string text, Regex regex, List<Hit> hits)
    {
        foreach (var m in regex.EnumerateMatches(text)) AddAddress(text, m.Index, m.Length, hits);
    }

    private static void AddAddress(string text, int index, int length, List<Hit> hits)
    {
        while (length > 0 && text[index + length - 1] is ',' or ' ' or '\n' or '\r') length--;
        hits.Add(new Hit(index, length, AddressType, null, ContextPriority));
    }
}
