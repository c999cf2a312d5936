namespace Analytics.Core.Pseudonymisation;

/// <summary>
/// Validators of national personal numbers, so that the scrubber can take a bare number in a narrative for one without a
/// context word before it: each checks the length, the birth date the number holds (a real calendar date: no month 13,
/// no 31 February) and its check digit, so a digit run that merely has the right length is seldom accepted. Each takes
/// the number without its separators, letters in upper case, and checks every character itself.
/// </summary>
/// <remarks>
/// Not covered: the Moldovan IDNP (its check rule is not published in a form that could be verified; the 7-3-1 weights
/// are those of the company number IDNO), the Czech and Slovak nine-digit birth numbers of people born before 1954 (no
/// check digit) and Belgian numbers of an unknown birth date (month or day 00).
/// </remarks>
internal static class NationalNumbers
{
    /// <summary>
    /// Romanian CNP: 13 digits S YY MM DD JJ NNN C. S (1–9) tells sex and century: 1/2 born 1900–1999, 3/4 1800–1899,
    /// 5/6 2000–2099; 7/8 (residents) and 9 (foreigners) leave the century open. C = (Σ digit × 2,7,9,1,4,6,3,5,8,2,7,9)
    /// mod 11, a remainder of 10 written as 1.
    /// </summary>
    public static bool IsRomanianCnp(ReadOnlySpan<char> n)
    {
        if (n.Length != 13 || !AllDigits(n) || n[0] == '0') return false;
        int yy = Two(n, 1), month = Two(n, 3), day = Two(n, 5);
        var date = n[0] switch
        {
            '1' or '2' => IsDate(1900 + yy, month, day),
            '3' or '4' => IsDate(1800 + yy, month, day),
            '5' or '6' => IsDate(2000 + yy, month, day),
            _ => IsDateInEitherCentury(yy, month, day),
        };
        if (!date) return false;
        var remainder = WeightedSum(n, [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9]) % 11;
        return (remainder == 10 ? 1 : remainder) == n[12] - '0';
    }

    /// <summary>
    /// Polish PESEL: 11 digits YY MM DD ZZZZ C. The month carries the century: 81–92 born 1800–1899, 01–12 1900–1999,
    /// 21–32 2000–2099, 41–52 2100–2199, 61–72 2200–2299. C = (10 − (Σ digit × 1,3,7,9,1,3,7,9,1,3) mod 10) mod 10.
    /// </summary>
    public static bool IsPolishPesel(ReadOnlySpan<char> n)
    {
        if (n.Length != 11 || !AllDigits(n)) return false;
        var coded = Two(n, 2);
        var century = (coded / 20) switch { 0 => 1900, 1 => 2000, 2 => 2100, 3 => 2200, _ => 1800 };
        if (!IsDate(century + Two(n, 0), coded % 20, Two(n, 4))) return false;
        return (10 - WeightedSum(n, [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]) % 10) % 10 == n[10] - '0';
    }

    /// <summary>
    /// Bulgarian EGN: 10 digits YY MM DD SSS C. The month carries the century: 01–12 born 1900–1999, 21–32 1800–1899,
    /// 41–52 2000–2099. C = (Σ digit × 2,4,8,5,10,9,7,3,6) mod 11, a remainder of 10 written as 0.
    /// </summary>
    public static bool IsBulgarianEgn(ReadOnlySpan<char> n)
    {
        if (n.Length != 10 || !AllDigits(n)) return false;
        var coded = Two(n, 2);
        var century = (coded / 20) switch { 0 => 1900, 1 => 1800, 2 => 2000, _ => 0 };
        if (century == 0 || !IsDate(century + Two(n, 0), coded % 20, Two(n, 4))) return false;
        var remainder = WeightedSum(n, [2, 4, 8, 5, 10, 9, 7, 3, 6]) % 11;
        return (remainder == 10 ? 0 : remainder) == n[9] - '0';
    }

    /// <summary>
    /// Czech and Slovak birth number (rodné číslo), ten-digit form (issued from 1954): YY MM DD SSS C, born 1954–1999 for
    /// YY 54–99 and 2000–2053 for 00–53. Women have 50 added to the month; from 2004, 20 more may be added when a day's
    /// serials run out (21–32, 71–82). The whole number is divisible by 11; before 1986 a number whose first nine digits
    /// leave 10 mod 11 was also given, with check digit 0.
    /// </summary>
    public static bool IsCzechSlovakBirthNumber(ReadOnlySpan<char> n)
    {
        if (n.Length != 10 || !AllDigits(n)) return false;
        var yy = Two(n, 0);
        var year = yy >= 54 ? 1900 + yy : 2000 + yy;
        var coded = Two(n, 2);
        var month = coded switch
        {
            >= 1 and <= 12 => coded,
            >= 51 and <= 62 => coded - 50,
            >= 21 and <= 32 when year >= 2004 => coded - 20,
            >= 71 and <= 82 when year >= 2004 => coded - 70,
            _ => 0,
        };
        if (!IsDate(year, month, Two(n, 4))) return false;
        var firstNine = Remainder(n[..9], 11);
        var check = n[9] - '0';
        return (firstNine * 10 + check) % 11 == 0 || (year < 1986 && firstNine == 10 && check == 0);
    }

    /// <summary>
    /// JMBG, the personal number of the former Yugoslavia (Serbia, Bosnia and Herzegovina, Montenegro, North Macedonia,
    /// Slovenia, Croatia before the OIB): 13 digits DD MM YYY RR BBB K, YYY the year without its millennium (9xx born
    /// 1900–1999, 8xx 1800–1899, 0xx 2000–2099). m = 11 − (Σ digit × 7,6,5,4,3,2,7,6,5,4,3,2) mod 11; K = m, or 0 when
    /// m is 10 or 11.
    /// </summary>
    public static bool IsYugoslavJmbg(ReadOnlySpan<char> n)
    {
        if (n.Length != 13 || !AllDigits(n)) return false;
        var yyy = Two(n, 4) * 10 + (n[6] - '0');
        var year = yyy >= 800 ? 1000 + yyy : yyy < 100 ? 2000 + yyy : 0;
        if (year == 0 || !IsDate(year, Two(n, 2), Two(n, 0))) return false;
        var m = 11 - WeightedSum(n, [7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11;
        return (m > 9 ? 0 : m) == n[12] - '0';
    }

    private const string SpanishLetters = "TRWAGMYFPDXBNJZSQVHLCKE";

    /// <summary>Spanish DNI: 8 digits and a letter, "TRWAGMYFPDXBNJZSQVHLCKE"[number mod 23]. No date.</summary>
    public static bool IsSpanishDni(ReadOnlySpan<char> n) =>
        n.Length == 9 && AllDigits(n[..8]) && SpanishLetters[Remainder(n[..8], 23)] == n[8];

    /// <summary>
    /// Spanish NIE (foreigners): X, Y or Z, 7 digits and a letter; the letter is the DNI's for the eight-digit number
    /// with X read as 0, Y as 1, Z as 2. No date.
    /// </summary>
    public static bool IsSpanishNie(ReadOnlySpan<char> n)
    {
        if (n.Length != 9 || n[0] is not ('X' or 'Y' or 'Z') || !AllDigits(n[1..8])) return false;
        var remainder = (Remainder(n[1..8], 23) + (n[0] - 'X') * 10_000_000) % 23;
        return SpanishLetters[remainder] == n[8];
    }

    // The letters that stand for the digits 0–9 in an Italian fiscal code made unique by "omocodia".
    private const string OmocodeLetters = "LMNPQRSTUV";
    private const string ItalianMonths = "ABCDEHLMPRST";

    // Values of a fiscal code's characters in odd positions (first, third …): digit d counts as the d-th letter.
    private static ReadOnlySpan<byte> ItalianOddValues =>
        [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

    /// <summary>
    /// Italian codice fiscale of a person: 16 characters, surname (3 letters), name (3), year (2 digits), month (a letter of
    /// ABCDEHLMPRST), day (2 digits, +40 for women: 01–31 or 41–71), place code (letter and 3 digits), check letter. Any
    /// digit may be replaced by L, M, N, P, Q, R, S, T, U, V (0–9) to tell apart two people with the same code. The check
    /// letter is A + (Σ of the odd-position values and the even-position values) mod 26, where a digit in an even position
    /// counts its value and a letter its place in the alphabet (A = 0), and the odd positions use the table of the law.
    /// </summary>
    public static bool IsItalianCodiceFiscale(ReadOnlySpan<char> n)
    {
        if (n.Length != 16) return false;
        foreach (var i in (ReadOnlySpan<int>)[0, 1, 2, 3, 4, 5, 11, 15])
            if (!char.IsAsciiLetterUpper(n[i])) return false;
        var digits = 0;
        foreach (var i in (ReadOnlySpan<int>)[6, 7, 9, 10, 12, 13, 14])
        {
            var d = OmocodeDigit(n[i]);
            if (d < 0) return false;
            if (i is 6 or 7 or 9 or 10) digits = digits * 10 + d;
        }
        var month = ItalianMonths.IndexOf(n[8]) + 1;
        var day = digits % 100;
        if (day > 40) day -= 40;
        if (month == 0 || !IsDateInEitherCentury(digits / 100, month, day)) return false;
        var sum = 0;
        for (var i = 0; i < 15; i++)
        {
            var value = char.IsAsciiDigit(n[i]) ? n[i] - '0' : n[i] - 'A';
            sum += i % 2 == 0 ? ItalianOddValues[value] : value;
        }
        return n[15] == 'A' + sum % 26;
    }

    private static int OmocodeDigit(char c) => char.IsAsciiDigit(c) ? c - '0' : OmocodeLetters.IndexOf(c);

    /// <summary>
    /// French NIR (social security number): 15 characters, sex (1, 2; 3, 4, 7, 8 for numbers given before the birth is
    /// registered), YY, MM (01–12; 20–42 and 50–99 stand for a month the civil record does not give), département (2 digits,
    /// 2A or 2B for Corsica), commune (3), order (3) and a two-digit key = 97 − (first 13 digits mod 97). For Corsica the
    /// key is computed with 2A read as 19 and 2B as 18 (the official rule: A and B read as 0, then 1,000,000 or 2,000,000
    /// subtracted).
    /// </summary>
    public static bool IsFrenchNir(ReadOnlySpan<char> n)
    {
        if (n.Length != 15 || n[0] is not ('1' or '2' or '3' or '4' or '7' or '8') || !AllDigits(n[..5]) || !AllDigits(n[7..])) return false;
        var month = Two(n, 3);
        if (month is 0 or (> 12 and < 20) or (> 42 and < 50)) return false;
        var corsica = n[5] == '2' && n[6] is 'A' or 'B';
        if (!corsica && !AllDigits(n.Slice(5, 2))) return false;
        var remainder = 0;
        for (var i = 0; i < 13; i++)
        {
            var d = i switch
            {
                5 when corsica => 1,
                6 when corsica => n[6] == 'A' ? 9 : 8,
                _ => n[i] - '0',
            };
            remainder = (remainder * 10 + d) % 97;
        }
        return 97 - remainder == Two(n, 13);
    }

    // The 2 put before a Belgian number of a birth from 2000 on, as it counts in the remainder: 2,000,000,000 mod 97.
    private const int TwoBillionMod97 = (int)(2_000_000_000L % 97);

    /// <summary>
    /// Belgian national number (rijksregisternummer / numéro de registre national): 11 digits YY MM DD SSS CC; CC =
    /// 97 − (first 9 digits mod 97) for a birth before 2000, and 97 − ((2 followed by the first 9 digits) mod 97) from 2000,
    /// so the check also tells the century. A BIS number (people not in the register) adds 20 or 40 to the month.
    /// </summary>
    public static bool IsBelgianNationalNumber(ReadOnlySpan<char> n)
    {
        if (n.Length != 11 || !AllDigits(n)) return false;
        int yy = Two(n, 0), coded = Two(n, 2), day = Two(n, 4), check = Two(n, 9);
        var month = coded is > 20 and <= 32 or > 40 and <= 52 ? coded % 20 : coded;
        var firstNine = Remainder(n[..9], 97);
        if (97 - firstNine == check && IsDate(1900 + yy, month, day)) return true;
        return 97 - (TwoBillionMod97 + firstNine) % 97 == check && IsDate(2000 + yy, month, day);
    }

    /// <summary>
    /// Swedish personnummer, 10 digits YY MM DD NNN C or 12 with the century (YYYY MM DD NNN C); a coordination number
    /// (samordningsnummer) adds 60 to the day. C makes the ten-digit form pass Luhn.
    /// </summary>
    public static bool IsSwedishPersonnummer(ReadOnlySpan<char> n)
    {
        if (n.Length is not (10 or 12) || !AllDigits(n)) return false;
        var ten = n[^10..];
        int month = Two(ten, 2), day = Two(ten, 4);
        if (day > 60) day -= 60;
        var date = n.Length == 12 ? IsDate(Two(n, 0) * 100 + Two(ten, 0), month, day) : IsDateInEitherCentury(Two(ten, 0), month, day);
        return date && Luhn.IsValid(ten);
    }

    /// <summary>
    /// Estonian isikukood and Lithuanian asmens kodas: 11 digits G YY MM DD SSS C. G tells sex and century: 1/2 born
    /// 1800–1899, 3/4 1900–1999, 5/6 2000–2099. C = (Σ digit × 1,2,3,4,5,6,7,8,9,1) mod 11; when that is 10, the sum is
    /// taken again with the weights 3,4,5,6,7,8,9,1,2,3, and a second 10 gives 0.
    /// </summary>
    public static bool IsEstonianLithuanianPersonalCode(ReadOnlySpan<char> n)
    {
        if (n.Length != 11 || !AllDigits(n) || n[0] is < '1' or > '6') return false;
        var century = 1800 + (n[0] - '1') / 2 * 100;
        if (!IsDate(century + Two(n, 1), Two(n, 3), Two(n, 5))) return false;
        var remainder = WeightedSum(n, [1, 2, 3, 4, 5, 6, 7, 8, 9, 1]) % 11;
        if (remainder == 10) remainder = WeightedSum(n, [3, 4, 5, 6, 7, 8, 9, 1, 2, 3]) % 11;
        return (remainder == 10 ? 0 : remainder) == n[10] - '0';
    }

    /// <summary>Greek AMKA (social security number): 11 digits DD MM YY NNNN C, the whole passing Luhn.</summary>
    public static bool IsGreekAmka(ReadOnlySpan<char> n) =>
        n.Length == 11 && AllDigits(n) && IsDateInEitherCentury(Two(n, 4), Two(n, 2), Two(n, 0)) && Luhn.IsValid(n);

    /// <summary>
    /// British National Insurance number: two letters, six digits and A, B, C or D, in capitals. Neither letter of the
    /// prefix is D, F, I, Q, U or V, the second is not O, and BG, GB, NK, KN, TN, NT and ZZ are never given. No date and no
    /// check digit: only its shape tells it.
    /// </summary>
    public static bool IsBritishNationalInsuranceNumber(ReadOnlySpan<char> n)
    {
        if (n.Length != 9 || !char.IsAsciiLetterUpper(n[0]) || !char.IsAsciiLetterUpper(n[1]) || !AllDigits(n[2..8]) || n[8] is < 'A' or > 'D')
            return false;
        if (n[0] is 'D' or 'F' or 'I' or 'Q' or 'U' or 'V' || n[1] is 'D' or 'F' or 'I' or 'O' or 'Q' or 'U' or 'V') return false;
        return n[..2] is not ("BG" or "GB" or "NK" or "KN" or "TN" or "NT" or "ZZ");
    }

    private static bool AllDigits(ReadOnlySpan<char> s) => !s.ContainsAnyExceptInRange('0', '9');

    private static int Two(ReadOnlySpan<char> s, int at) => (s[at] - '0') * 10 + (s[at + 1] - '0');

    private static int WeightedSum(ReadOnlySpan<char> digits, ReadOnlySpan<byte> weights)
    {
        var sum = 0;
        for (var i = 0; i < weights.Length; i++) sum += (digits[i] - '0') * weights[i];
        return sum;
    }

    // The digits read as a number, mod m, without overflow however long they are.
    private static int Remainder(ReadOnlySpan<char> digits, int m)
    {
        var r = 0;
        foreach (var c in digits) r = (r * 10 + (c - '0')) % m;
        return r;
    }

    private static bool IsDate(int year, int month, int day) =>
        month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);

    // A two-digit year whose century the number does not tell: only 29 February depends on it, and it is accepted when
    // either century makes it a date.
    private static bool IsDateInEitherCentury(int yy, int month, int day) =>
        IsDate(1900 + yy, month, day) || IsDate(2000 + yy, month, day);
}
