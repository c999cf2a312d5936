namespace Analytics.Core.Pseudonymisation;

// National personal numbers written bare in a narrative ("her number 2950615123456 was on the form", "(850615/1234)"):
// found without a context word, because each candidate must pass its scheme's checks (NationalNumbers: a real birth date
// and a check digit), which amounts, years, case numbers and phone numbers seldom do.
public sealed partial class TextScrubber
{
    // Longest number read, without separators: a codice fiscale.
    private const int LongestNationalNumber = 16;

    // Compact-form positions before which a written number may hold one separator (bit i: before its character i).
    private const int NirBreaks = 1 << 1 | 1 << 3 | 1 << 5 | 1 << 7 | 1 << 8 | 1 << 10 | 1 << 13; // "1 85 05 78 006 084 36", "… 971 23 …"
    private const int BelgianBreaks = 1 << 2 | 1 << 4 | 1 << 6 | 1 << 9;                      // "85.06.15-123.45"
    private const int InsuranceBreaks = 1 << 2 | 1 << 4 | 1 << 6 | 1 << 8;                    // "AB 12 34 56 C"

    /// <summary>
    /// One pass over the text's digits. At each word that holds a digit, the letters before the digit tell which
    /// schemes can start there (none: the digit-led ones; one: a NIE; two: a National Insurance number; six: a codice
    /// fiscale) and the length of the digit run which of those to read; the rest of the word is then skipped. Each scheme
    /// is read with its own usual separators only; the longest number that passes its checks is kept.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private void FindNationalNumbers(string text, ScrubContext context, List<Hit> hits)
    {
        Span<char> core = stackalloc char[LongestNationalNumber];
        Span<char> best = stackalloc char[LongestNationalNumber];
        var position = 0;
        while (position < text.Length)
        {
            var found = text.AsSpan(position).IndexOfAnyInRange('0', '9');
            if (found < 0) return;
            var digit = position + found;
            var start = digit;
            while (start > 0 && digit - start < 7 && char.IsAsciiLetter(text[start - 1])) start--;
            var number = default(Found);
            if (StartsNumber(text, start))
            {
                switch (digit - start)
                {
                    case 0:
                        var schemes = DigitLedSchemes(text, digit, DigitRun(text, digit));
                        for (var scheme = 0; schemes != 0; scheme++, schemes >>= 1)
                        {
                            if ((schemes & 1) != 0) TryScheme(text, digit, (Scheme)scheme, core, best, ref number);
                        }
                        break;
                    case 1:
                        TryScheme(text, start, Scheme.SpanishNie, core, best, ref number);
                        break;
                    case 2:
                        TryScheme(text, start, Scheme.BritishInsurance, core, best, ref number);
                        break;
                    case 6:
                        TryScheme(text, start, Scheme.ItalianFiscal, core, best, ref number);
                        break;
                }
            }
            // A National Insurance number with a space after its letters ("AB 12 34 56 C"), a NIE with a hyphen or space
            // after its letter ("X-1234567-L").
            if (start == digit && digit >= 2 && text[digit - 1] is ' ' or '-')
            {
                if (digit >= 3 && text[digit - 1] == ' ' && char.IsAsciiLetterUpper(text[digit - 2]) && char.IsAsciiLetterUpper(text[digit - 3])
                    && StartsNumber(text, digit - 3))
                    TryScheme(text, digit - 3, Scheme.BritishInsurance, core, best, ref number);
                if (text[digit - 2] is 'X' or 'Y' or 'Z' or 'x' or 'y' or 'z' && StartsNumber(text, digit - 2))
                    TryScheme(text, digit - 2, Scheme.SpanishNie, core, best, ref number);
            }
            if (number.End > 0 && TakeOverPhone(text, hits, number.Start, number.End, best[..number.Length], context.DefaultRegion))
            {
                var value = new string(best[..number.Length]);
                hits.Add(new Hit(number.Start, number.End - number.Start, IdentifierTypes.Document, DocumentToken(context, value), ContextPriority));
            }
            position = Math.Max(number.End, WordEnd(text, digit));
        }
    }

    // The longest number found at a word so far: where it starts and ends in the text, and its length without separators.
    private record struct Found(int Start, int End, int Length);

    // Reads one scheme's number at `at`; when it passes and is longer than the one found so far, it becomes the one found
    // (its characters copied to `best`).
    private static void TryScheme(string text, int at, Scheme scheme, Span<char> core, Span<char> best, ref Found found)
    {
        var end = ReadScheme(text, at, scheme, core, out var length);
        if (end < 0 || end - at <= found.End - found.Start) return;
        core[..length].CopyTo(best);
        found = new Found(at, end, length);
    }

    private enum Scheme
    {
        Thirteen, Eleven, Ten, SpanishDni, SwedishLong, SwedishShort, CzechSlovakSlash, Belgian, FrenchNir,
        SpanishNie, BritishInsurance, ItalianFiscal,
    }

    // The digit-led schemes a number starting with a run of `run` digits can belong to, one bit per Scheme.
    private static int DigitLedSchemes(string text, int at, int run)
    {
        var next = at + run < text.Length ? text[at + run] : '\0';
        var schemes = run switch
        {
            13 => Bit(Scheme.Thirteen),
            11 => Bit(Scheme.Eleven),
            10 => Bit(Scheme.Ten),
            8 => (char.IsAsciiLetter(next) || next is '-' or ' ' ? Bit(Scheme.SpanishDni) : 0)
                 | (next is '-' or '+' ? Bit(Scheme.SwedishLong) : 0),
            6 => (next == '/' ? Bit(Scheme.CzechSlovakSlash) : 0) | (next is '-' or '+' ? Bit(Scheme.SwedishShort) : 0)
                 | (next is '-' or '.' or ' ' ? Bit(Scheme.Belgian) : 0),
            2 => next is '.' or '-' or ' ' ? Bit(Scheme.Belgian) : 0,
            _ => 0,
        };
        // The NIR's groups end after its 1st, 3rd, 5th, 7th, 10th and 13th character, where a space or dot may follow; a
        // Corsican one has a letter after its 6th.
        if (text[at] is '1' or '2' or '3' or '4' or '7' or '8'
            && (run == 15 || (run == 6 ? next is 'A' or 'B' or 'a' or 'b' : run is 1 or 3 or 5 or 7 or 10 or 13 && next is ' ' or '.')))
            schemes |= Bit(Scheme.FrenchNir);
        return schemes;
    }

    private static int Bit(Scheme scheme) => 1 << (int)scheme;

    // Reads one scheme's number at `at` into `core`: its end in the text when it is well written, stands alone and
    // passes its checks, otherwise -1.
    private static int ReadScheme(string text, int at, Scheme scheme, Span<char> core, out int length)
    {
        // Where a separator may stand (breaks) and a letter (letters), one bit per character of the number.
        (length, var breaks, var letters, var separators) = scheme switch
        {
            Scheme.Thirteen => (13, 0, 0, ""),
            Scheme.Eleven => (11, 0, 0, ""),
            Scheme.Ten => (10, 0, 0, ""),
            Scheme.SpanishDni => (9, 1 << 8, 1 << 8, "- "),
            Scheme.SpanishNie => (9, 1 << 1 | 1 << 8, 1 << 0 | 1 << 8, "- "),
            Scheme.SwedishLong => (12, 1 << 8, 0, "-+"),
            Scheme.SwedishShort => (10, 1 << 6, 0, "-+"),
            Scheme.CzechSlovakSlash => (10, 1 << 6, 0, "/"),
            Scheme.Belgian => (11, BelgianBreaks, 0, ".- "),
            Scheme.FrenchNir => (15, NirBreaks, 1 << 6, " ."),
            Scheme.BritishInsurance => (9, InsuranceBreaks, 1 << 0 | 1 << 1 | 1 << 8, " "),
            // Omocodia may put a letter in place of any digit.
            _ => (16, 0, 0xFFFF, ""),
        };
        var end = ReadNumber(text, at, length, breaks, letters, separators, core);
        if (end < 0 || !EndsNumber(text, end)) return -1;
        var number = core[..length];
        var valid = scheme switch
        {
            Scheme.Thirteen => NationalNumbers.IsRomanianCnp(number) || NationalNumbers.IsYugoslavJmbg(number),
            Scheme.Eleven => NationalNumbers.IsPolishPesel(number) || NationalNumbers.IsEstonianLithuanianPersonalCode(number)
                || NationalNumbers.IsGreekAmka(number) || NationalNumbers.IsBelgianNationalNumber(number),
            Scheme.Ten => NationalNumbers.IsBulgarianEgn(number) || NationalNumbers.IsCzechSlovakBirthNumber(number),
            // After a space only a capital: "a", "e" and "y" are words.
            Scheme.SpanishDni => !(text[end - 2] == ' ' && char.IsAsciiLetterLower(text[end - 1])) && NationalNumbers.IsSpanishDni(number),
            Scheme.SpanishNie => !(text[end - 2] == ' ' && char.IsAsciiLetterLower(text[end - 1])) && NationalNumbers.IsSpanishNie(number),
            Scheme.SwedishLong or Scheme.SwedishShort => NationalNumbers.IsSwedishPersonnummer(number),
            Scheme.CzechSlovakSlash => NationalNumbers.IsCzechSlovakBirthNumber(number),
            Scheme.Belgian => NationalNumbers.IsBelgianNationalNumber(number),
            Scheme.FrenchNir => NationalNumbers.IsFrenchNir(number),
            // Written in capitals only: in lower case it is more likely a code of some other kind.
            Scheme.BritishInsurance => char.IsAsciiLetterUpper(text[at]) && char.IsAsciiLetterUpper(text[at + 1])
                && char.IsAsciiLetterUpper(text[end - 1]) && NationalNumbers.IsBritishNationalInsuranceNumber(number),
            _ => NationalNumbers.IsItalianCodiceFiscale(number),
        };
        return valid ? end : -1;
    }

    // Reads `length` characters from `at`, upper-cased into `core`: digits, and letters where `letters` has their bit,
    // with one of `separators` allowed right before each character whose bit is set in `breaks`. The end in the text,
    // or -1 when anything else stands in the way.
    private static int ReadNumber(string text, int at, int length, int breaks, int letters, ReadOnlySpan<char> separators, Span<char> core)
    {
        var i = at;
        for (var k = 0; k < length; k++)
        {
            if (i >= text.Length) return -1;
            if ((breaks >> k & 1) != 0 && separators.Contains(text[i]) && ++i >= text.Length) return -1;
            var c = text[i++];
            if (char.IsAsciiDigit(c)) core[k] = c;
            else if ((letters >> k & 1) != 0 && char.IsAsciiLetter(c)) core[k] = char.ToUpperInvariant(c);
            else return -1;
        }
        return i;
    }

    private static int DigitRun(string text, int at)
    {
        var end = at;
        while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
        return end - at;
    }

    private static int WordEnd(string text, int at)
    {
        while (at < text.Length && char.IsLetterOrDigit(text[at])) at++;
        return at;
    }

    // A number starts a word and is no part of a longer one: no letter or digit right before it, no digit group joined to
    // it by a hyphen, slash or dot ("2023-…", "12/…"), and no '+' (a phone's country code).
    private static bool StartsNumber(string text, int start) =>
        start == 0 || (!char.IsLetterOrDigit(text[start - 1]) && text[start - 1] != '+'
                       && !(text[start - 1] is '-' or '/' or '.' && start >= 2 && char.IsAsciiDigit(text[start - 2])));

    private static bool EndsNumber(string text, int end) =>
        end == text.Length || (!char.IsLetterOrDigit(text[end])
                               && !(text[end] is '-' or '/' or '.' && end + 1 < text.Length && char.IsAsciiDigit(text[end + 1])));

    // A number that the phone recogniser took whole (with a bracket before it, which the phone pattern takes along), in a
    // national or international format that libphonenumber accepts for the case's country, stays a phone unless it is
    // that country's own personal number, which then replaces the phone: a Romanian mobile written "0721234567" can pass
    // the checks of a Czech birth number, and a Serbian JMBG of someone born on the 1st to 9th of a month can read as a
    // Belgrade number. A phone given in the structured part or after a context word ("tel.") always stays a phone. False
    // when the number is to be left to the phone.
    private static bool TakeOverPhone(string text, List<Hit> hits, int start, int end, ReadOnlySpan<char> number, string? region)
    {
        var own = (bool?)null;
        foreach (var hit in hits)
        {
            if (!IsSamePhone(text, hit, start, end)) continue;
            if (hit.Priority != PatternPriority || !(own ??= IsOwnCountryNumber(number, region))) return false;
        }
        if (own is null) return true;
        for (var i = hits.Count - 1; i >= 0; i--)
        {
            if (IsSamePhone(text, hits[i], start, end)) hits.RemoveAt(i);
        }
        return true;
    }

    private static bool IsSamePhone(string text, Hit hit, int start, int end) =>
        hit.Type == IdentifierTypes.Phone && hit.End == end && (hit.Start == start || (hit.Start == start - 1 && text[hit.Start] == '('));

    private static bool IsOwnCountryNumber(ReadOnlySpan<char> number, string? region) => region switch
    {
        "RO" => NationalNumbers.IsRomanianCnp(number),
        "PL" => NationalNumbers.IsPolishPesel(number),
        "BG" => NationalNumbers.IsBulgarianEgn(number),
        "CZ" or "SK" => NationalNumbers.IsCzechSlovakBirthNumber(number),
        "RS" or "BA" or "ME" or "MK" or "SI" or "HR" or "XK" => NationalNumbers.IsYugoslavJmbg(number),
        "FR" => NationalNumbers.IsFrenchNir(number),
        "BE" => NationalNumbers.IsBelgianNationalNumber(number),
        "SE" => NationalNumbers.IsSwedishPersonnummer(number),
        "EE" or "LT" => NationalNumbers.IsEstonianLithuanianPersonalCode(number),
        "GR" => NationalNumbers.IsGreekAmka(number),
        _ => false,
    };

    // The token a context word's document hit gets for the same number (AddAlphanumericHit): the one given in the
    // structured part, whatever its country, or the token of the bare number.
    private string DocumentToken(ScrubContext context, string number) =>
        context.KnownByCore.TryGetValue(IdentifierTypes.Document + "\n" + number, out var known) ? known : _tokeniser.Token(IdentifierTypes.Document, number);
}
