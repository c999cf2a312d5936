using System.Globalization;
using Analytics.Core.Pseudonymisation;
using Xunit.Abstractions;

namespace Analytics.Core.Tests.Pseudonymisation;

/// <summary>
/// National personal numbers written bare in a narrative, with no context word before them. Every number here is made
/// up by the test: a date and serial chosen for the test, and the check digit computed by the makers below, written
/// again from each scheme's published rule rather than taken from the scrubber's code.
/// </summary>
public class NationalNumberTests(ITestOutputHelper output)
{
    private readonly Tokeniser _tokeniser = TestKeys.Tokeniser();

    private TextScrubber Scrubber => new(_tokeniser);

    private string T(string normalised) => "[" + _tokeniser.Token("document", normalised) + "]";

    // ---- makers: each builds a number from its parts with the scheme's own check ----

    private static int Weighted(string digits, params int[] weights) => weights.Select((w, i) => w * (digits[i] - '0')).Sum();

    private static string D(int value, int width) => value.ToString(new string('0', width), CultureInfo.InvariantCulture);

    private static string Cnp(int sex, int yy, int mm, int dd, int county, int serial)
    {
        var body = $"{sex}{D(yy, 2)}{D(mm, 2)}{D(dd, 2)}{D(county, 2)}{D(serial, 3)}";
        var r = Weighted(body, 2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9) % 11;
        return body + (r == 10 ? 1 : r);
    }

    private static string Pesel(int yy, int codedMonth, int dd, int serial)
    {
        var body = $"{D(yy, 2)}{D(codedMonth, 2)}{D(dd, 2)}{D(serial, 4)}";
        return body + (10 - Weighted(body, 1, 3, 7, 9, 1, 3, 7, 9, 1, 3) % 10) % 10;
    }

    private static string Egn(int yy, int codedMonth, int dd, int serial)
    {
        var body = $"{D(yy, 2)}{D(codedMonth, 2)}{D(dd, 2)}{D(serial, 3)}";
        var r = Weighted(body, 2, 4, 8, 5, 10, 9, 7, 3, 6) % 11;
        return body + (r == 10 ? 0 : r);
    }

    // The serial is moved on until the number can be made divisible by 11 with one check digit.
    private static string BirthNumber(int yy, int codedMonth, int dd, int serial)
    {
        while (true)
        {
            var body = $"{D(yy, 2)}{D(codedMonth, 2)}{D(dd, 2)}{D(serial, 3)}";
            var check = (11 - long.Parse(body, CultureInfo.InvariantCulture) * 10 % 11) % 11;
            if (check < 10) return body + check;
            serial++;
        }
    }

    private static string Jmbg(int dd, int mm, int yyy, int region, int serial)
    {
        var body = $"{D(dd, 2)}{D(mm, 2)}{D(yyy, 3)}{D(region, 2)}{D(serial, 3)}";
        var m = 11 - Weighted(body, 7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2) % 11;
        return body + (m > 9 ? 0 : m);
    }

    private static char DniLetter(long number) => "TRWAGMYFPDXBNJZSQVHLCKE"[(int)(number % 23)];

    private static string CodiceFiscale(string body15)
    {
        // The law's table for the odd positions (1st, 3rd …), digits 0–9 valued as the letters A–J.
        int[] odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
        var sum = 0;
        for (var i = 0; i < 15; i++)
        {
            var c = body15[i];
            var index = char.IsDigit(c) ? c - '0' : c - 'A';
            sum += i % 2 == 0 ? odd[index] : index;
        }
        return body15 + (char)('A' + sum % 26);
    }

    // Written "S YY MM DD CCC OOO KK"; a Corsican département computes its key as 19 (2A) or 18 (2B).
    private static string Nir(int sex, int yy, int mm, string dept, int commune, int order)
    {
        var counted = dept switch { "2A" => "19", "2B" => "18", _ => dept };
        var key = 97 - (int)(long.Parse($"{sex}{D(yy, 2)}{D(mm, 2)}{counted}{D(commune, 3)}{D(order, 3)}", CultureInfo.InvariantCulture) % 97);
        return $"{sex} {D(yy, 2)} {D(mm, 2)} {dept} {D(commune, 3)} {D(order, 3)} {D(key, 2)}";
    }

    // Written "YY.MM.DD-SSS.CC"; born from 2000, a 2 is put before the nine digits for the check.
    private static string Belgian(int year, int mm, int dd, int serial)
    {
        var nine = $"{D(year % 100, 2)}{D(mm, 2)}{D(dd, 2)}{D(serial, 3)}";
        var check = 97 - (int)(long.Parse((year >= 2000 ? "2" : "") + nine, CultureInfo.InvariantCulture) % 97);
        return $"{nine[..2]}.{nine[2..4]}.{nine[4..6]}-{nine[6..]}.{D(check, 2)}";
    }

    private static int LuhnDigit(string body)
    {
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            // From the right, the digit next to the check digit is doubled first.
            var d = body[body.Length - 1 - i] - '0';
            if (i % 2 == 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            sum += d;
        }
        return (10 - sum % 10) % 10;
    }

    private static string Personnummer(int yy, int mm, int dd, int serial)
    {
        var body = $"{D(yy, 2)}{D(mm, 2)}{D(dd, 2)}{D(serial, 3)}";
        return body[..6] + "-" + body[6..] + LuhnDigit(body);
    }

    private static string Isikukood(int g, int yy, int mm, int dd, int serial)
    {
        var body = $"{g}{D(yy, 2)}{D(mm, 2)}{D(dd, 2)}{D(serial, 3)}";
        var r = Weighted(body, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1) % 11;
        if (r == 10) r = Weighted(body, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3) % 11;
        return body + (r == 10 ? 0 : r);
    }

    private static string Amka(int dd, int mm, int yy, int serial)
    {
        var body = $"{D(dd, 2)}{D(mm, 2)}{D(yy, 2)}{D(serial, 4)}";
        return body + LuhnDigit(body);
    }

    // The check digit moved on by one: the same number with one digit changed.
    private static string ChangeLast(string number)
    {
        var last = number[^1];
        var changed = char.IsDigit(last) ? (char)('0' + (last - '0' + 1) % 10) : (char)('A' + (last - 'A' + 1) % 26);
        return number[..^1] + changed;
    }

    private static readonly Dictionary<string, string> Regions = new()
    {
        ["RO"] = "RO", ["PL"] = "PL", ["BG"] = "BG", ["CZ"] = "CZ", ["JM"] = "RS", ["ES"] = "ES", ["IT"] = "IT", ["FR"] = "FR",
        ["BE"] = "BE", ["SE"] = "SE", ["EE"] = "EE", ["LT"] = "LT", ["GR"] = "GR",
    };

    // ---- the numbers: written as they usually are, one digit changed, and an impossible date with a right check ----

    // Scheme, the country of the case (the region its phone numbers are read in), the number as written, its letters and
    // digits upper-case, with one digit changed, with an impossible date (or null).
    public static TheoryData<string, string, string, string, string, string?> Numbers()
    {
        var data = new TheoryData<string, string, string, string, string, string?>();
        void Add(string scheme, string written, string? impossible)
        {
            var compact = new string(written.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
            data.Add(scheme, Regions[scheme[..2]], written, compact, ChangeLast(written), impossible);
        }
        Add("RO CNP", Cnp(2, 95, 6, 15, 12, 345), Cnp(2, 95, 2, 30, 12, 345));
        Add("RO CNP, born 2008", Cnp(6, 8, 3, 12, 40, 17), Cnp(6, 8, 13, 12, 40, 17));
        Add("PL PESEL", Pesel(85, 6, 15, 1234), Pesel(85, 6, 31, 1234));
        Add("PL PESEL, born 2005", Pesel(5, 23, 14, 4321), Pesel(5, 33, 14, 4321));
        Add("BG EGN", Egn(85, 6, 15, 123), Egn(85, 6, 31, 123));
        Add("BG EGN, born 2007", Egn(7, 51, 25, 246), Egn(7, 53, 25, 246));
        var czech = BirthNumber(85, 56, 15, 123);
        var czechBadDate = BirthNumber(85, 56, 32, 123);
        Add("CZ/SK birth number", czech[..6] + "/" + czech[6..], czechBadDate[..6] + "/" + czechBadDate[6..]);
        Add("CZ/SK birth number, unseparated", BirthNumber(8, 27, 9, 456), BirthNumber(3, 27, 9, 456));
        Add("JMBG", Jmbg(15, 6, 985, 71, 12), Jmbg(29, 2, 985, 71, 12));
        Add("JMBG, born 2006", Jmbg(1, 12, 6, 17, 523), Jmbg(1, 13, 6, 17, 523));
        Add("ES DNI", "47382915" + DniLetter(47382915), null);
        Add("ES DNI, hyphen", "47382916-" + DniLetter(47382916), null);
        Add("ES NIE", "Y" + "6381204" + DniLetter(16381204), null);
        Add("IT codice fiscale", CodiceFiscale("RSSMRA85T10A562"), CodiceFiscale("RSSMRA85B30A562"));
        Add("IT codice fiscale, omocodia", CodiceFiscale("BNCGLI92M51F20N"), CodiceFiscale("BNCGLI92M72F20N"));
        Add("FR NIR", Nir(1, 85, 5, "78", 6, 84), Nir(1, 85, 13, "78", 6, 84));
        Add("FR NIR, Corse-du-Sud", Nir(2, 93, 11, "2A", 4, 117), Nir(2, 93, 17, "2A", 4, 117));
        Add("FR NIR, Haute-Corse", Nir(2, 93, 11, "2B", 4, 117), Nir(2, 93, 45, "2B", 4, 117));
        Add("BE national number", Belgian(1985, 6, 15, 123), Belgian(1985, 2, 29, 123));
        Add("BE national number, born 2005", Belgian(2005, 3, 14, 72), Belgian(2005, 4, 31, 72));
        Add("SE personnummer", Personnummer(85, 6, 15, 123), Personnummer(85, 2, 30, 123));
        Add("SE personnummer, centenarian", Personnummer(19, 4, 2, 781).Replace('-', '+'), Personnummer(19, 4, 31, 781).Replace('-', '+'));
        Add("EE isikukood", Isikukood(4, 85, 6, 15, 123), Isikukood(4, 85, 6, 31, 123));
        Add("LT asmens kodas, born 2004", Isikukood(5, 4, 9, 30, 17), Isikukood(5, 4, 9, 31, 17));
        Add("GR AMKA", Amka(15, 6, 85, 1234), Amka(30, 2, 85, 1234));
        return data;
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public void A_valid_number_is_scrubbed_without_a_context_word(string scheme, string region, string written, string compact, string changed, string? impossible)
    {
        _ = (changed, impossible);
        foreach (var text in new[] { $"…her number {written} was on the form…", $"It was on the form ({written}).", $"{written}, then nothing." })
        {
            var result = Scrubber.Scrub(text, region);

            Assert.True(result.Text.Contains(T(compact), StringComparison.Ordinal), $"{scheme}: {result.Text}");
            Assert.DoesNotContain(written, result.Text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(compact, result.Text, StringComparison.OrdinalIgnoreCase);
            Assert.StartsWith("document:", result.Tokens.Single(), StringComparison.Ordinal);
            Assert.Equal(1, result.Counts["document"]);
        }
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public void A_number_with_one_digit_changed_or_an_impossible_date_stays(string scheme, string region, string written, string compact, string changed, string? impossible)
    {
        _ = (written, compact);
        foreach (var number in impossible is null ? [changed] : new[] { changed, impossible })
        {
            var result = Scrubber.Scrub($"…her number {number} was on the form…", region);

            // Other recognisers may still read part of it (a phone in the case's country): it is no document.
            Assert.False(result.Counts.ContainsKey("document"), $"{scheme}: {number} was taken: {result.Text}");
        }
    }

    [Fact]
    public void A_british_national_insurance_number_is_scrubbed_in_capitals_with_or_without_spaces()
    {
        foreach (var written in new[] { "AB 12 34 56 C", "AB123456C", "AB 654321 D" })
        {
            var result = Scrubber.Scrub($"Her NI card said {written} in pen.", "GB");

            var compact = written.Replace(" ", "", StringComparison.Ordinal);
            Assert.Equal($"Her NI card said {T(compact)} in pen.", result.Text);
        }
    }

    // It has no date and no check digit: only the letters it never uses tell a wrong one.
    [Theory]
    [InlineData("QQ 12 34 56 C")] // Q is never used: this is the specimen of the official guidance
    [InlineData("DA 12 34 56 C")]
    [InlineData("AO 12 34 56 C")]
    [InlineData("GB 12 34 56 A")]
    [InlineData("NK 12 34 56 A")]
    [InlineData("AB 12 34 56 E")]
    [InlineData("ab 12 34 56 c")]
    [InlineData("AB 12 34 567 C")]
    public void A_british_national_insurance_number_that_cannot_be_one_stays(string written)
    {
        var text = $"Her NI card said {written} in pen.";

        Assert.Equal(text, Scrubber.Scrub(text, "GB").Text);
    }

    [Theory]
    [InlineData("Y6381204{0}", "Y6381204{0}")] // NIE as written
    [InlineData("y-6381204-{1}", "Y6381204{0}")]
    [InlineData("Y 6381204 {0}", "Y6381204{0}")]
    [InlineData("47382915 {0}", "47382915{0}", 47382915)]
    public void A_spanish_number_is_read_with_its_usual_separators_and_in_either_case(string pattern, string normalisedPattern, long dni = 16381204)
    {
        var letter = DniLetter(dni);
        var written = string.Format(CultureInfo.InvariantCulture, pattern, letter, char.ToLowerInvariant(letter));
        var normalised = string.Format(CultureInfo.InvariantCulture, normalisedPattern, letter);

        var result = Scrubber.Scrub($"Her papers ({written}) were kept.", "ES");

        Assert.Equal($"Her papers ({T(normalised)}) were kept.", result.Text);
    }

    // A lower-case letter after a space is a word ("a", "e", "y"), not a DNI's letter.
    [Fact]
    public void An_eight_digit_number_before_a_one_letter_word_stays()
    {
        var number = Enumerable.Range(10_000_000, 1000).First(n => DniLetter(n) == 'Y');
        var text = $"Paid {number} y más.";

        Assert.Equal(text, Scrubber.Scrub(text, "ES").Text);
        Assert.Contains(T(number + "Y"), Scrubber.Scrub($"Paid {number}y más.", "ES").Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_writings_of_the_same_numbers_are_read_too()
    {
        var czech = BirthNumber(85, 56, 15, 123);
        var belgian = Belgian(1985, 6, 15, 123).Replace(".", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        var nir = Nir(1, 85, 5, "78", 6, 84).Replace(" ", "", StringComparison.Ordinal);
        var corsican = Nir(2, 93, 11, "2A", 4, 117).Replace(" ", "", StringComparison.Ordinal);
        var swedish = Personnummer(85, 6, 15, 123);
        var writings = new (string Written, string Normalised)[]
        {
            (czech, czech),
            (belgian, belgian),
            (belgian[..6] + "-" + belgian[6..9] + "-" + belgian[9..], belgian),
            (belgian[..6] + " " + belgian[6..9] + " " + belgian[9..], belgian),
            (nir, nir),
            (corsican, corsican),
            (corsican.ToLowerInvariant(), corsican),
            ("19" + swedish, "19" + swedish.Replace("-", "", StringComparison.Ordinal)),
            (CodiceFiscale("RSSMRA85T10A562").ToLowerInvariant(), CodiceFiscale("RSSMRA85T10A562")),
        };
        foreach (var (written, normalised) in writings)
        {
            var result = Scrubber.Scrub($"The form gave {written} as her number.", "RO");

            Assert.Equal($"The form gave {T(normalised)} as her number.", result.Text);
        }
    }

    // Ten digits are too common a run: a Swedish number needs its hyphen or plus.
    [Fact]
    public void A_swedish_number_without_its_separator_stays()
    {
        var bare = Personnummer(85, 6, 15, 123).Replace("-", "", StringComparison.Ordinal);
        Assert.False(NationalNumbers.IsBulgarianEgn(bare) || NationalNumbers.IsCzechSlovakBirthNumber(bare), "pick another serial");
        var text = $"The form gave {bare} as her number.";

        Assert.Equal(text, Scrubber.Scrub(text, "SE").Text);
    }

    [Theory]
    [InlineData("1{0}")] // a longer digit run
    [InlineData("{0}7")]
    [InlineData("x{0}")] // joined to a word
    [InlineData("{0}b")]
    [InlineData("2023-{0}")] // a longer group of digits
    [InlineData("{0}/2023")]
    [InlineData("{0}.5")]
    [InlineData("+{0}")] // a phone's country code
    public void A_valid_number_inside_a_longer_one_stays(string pattern)
    {
        var cnp = Cnp(2, 95, 6, 15, 12, 345);
        var text = "The form gave " + string.Format(CultureInfo.InvariantCulture, pattern, cnp) + " as a reference.";

        var result = Scrubber.Scrub(text, defaultRegion: null);

        Assert.False(result.Counts.ContainsKey("document"), result.Text);
    }

    // With its context word the number is found twice (context pattern and bare): one placeholder, the same token.
    [Fact]
    public void A_number_after_its_context_word_keeps_its_token_and_count()
    {
        var cnp = Cnp(2, 95, 6, 15, 12, 345);

        var result = Scrubber.Scrub($"Her CNP {cnp} was verified; later {cnp} again.", "RO");

        Assert.Equal($"Her CNP {T(cnp)} was verified; later {T(cnp)} again.", result.Text);
        Assert.Equal(2, result.Counts["document"]);
    }

    [Fact]
    public void A_number_given_in_the_structured_part_keeps_its_token_there()
    {
        var cnp = Cnp(2, 95, 6, 15, 12, 345);
        var scrubber = Scrubber;
        var context = scrubber.Prepare("RO", [new KnownIdentifier("document", cnp, "RO")]);

        var result = scrubber.Scrub($"Her number {cnp[..7]} {cnp[7..]} and {cnp}.", context);

        var known = "[" + _tokeniser.Token("document", "RO/" + cnp) + "]";
        Assert.Equal($"Her number {known} and {known}.", result.Text);
    }

    // A mobile number written without spaces can pass a ten-digit scheme's checks; the phone recogniser took it whole
    // first, in its national format, and it stays a phone.
    [Fact]
    public void A_phone_number_that_also_passes_a_scheme_stays_a_phone()
    {
        var phone = Enumerable.Range(0, 1_000_000).Select(i => "0721" + D(i, 6))
            .First(p => NationalNumbers.IsBulgarianEgn(p) || NationalNumbers.IsCzechSlovakBirthNumber(p));

        var result = Scrubber.Scrub($"He called from {phone} twice.", "RO");

        Assert.Equal($"He called from [{_tokeniser.Token("phone", "+4" + phone)}] twice.", result.Text);
    }

    // In the case's own country its personal number is the better reading of a run that is also a phone number there;
    // after a phone's context word it stays a phone.
    [Fact]
    public void A_number_of_the_cases_own_country_replaces_a_phone_reading_unless_a_context_word_says_phone()
    {
        var jmbg = Jmbg(1, 12, 6, 17, 523);
        var scrubber = Scrubber;

        var bare = scrubber.Scrub($"Her number {jmbg} was on the form.", "RS");
        var afterContextWord = scrubber.Scrub($"Her tel. {jmbg} was on the form.", "RS");

        Assert.Equal($"Her number {T(jmbg)} was on the form.", bare.Text);
        Assert.False(afterContextWord.Counts.ContainsKey("document"), afterContextWord.Text);
        Assert.Equal(1, afterContextWord.Counts["phone"]);
    }

    // A longer hit around a number wins, as the longest span does: here an e-mail address.
    [Fact]
    public void A_longer_identifier_around_a_number_wins()
    {
        var cnp = Cnp(2, 95, 6, 15, 12, 345);

        var result = Scrubber.Scrub($"She wrote from ana.{cnp}@example.com later.", "RO");

        Assert.Equal($"She wrote from [{_tokeniser.Token("email", $"ana.{cnp}@example.com")}] later.", result.Text);
    }

    // ---- how often a random run is taken for a number ----

    // Uniform random digit runs of each scheme length: a run is taken when it has a real date where a scheme of that length
    // keeps one and its check digit happens to match (1 in 10 or 11 for a check digit, 1 in 97 for a two-digit key).
    // The shares are printed; the bounds are about twice the measured shares of these seeded runs.
    [Theory]
    [InlineData(10, 0.04)] // EGN ~1 %, birth number ~1.2 %
    [InlineData(11, 0.06)] // PESEL ~1.8 %, AMKA ~0.4 %, isikukood ~0.2 %, Belgian ~0.1 %
    [InlineData(13, 0.02)] // CNP ~0.35 %, JMBG ~0.1 %
    [InlineData(15, 0.01)] // NIR: 1 % for the key, times the sex digits (6 in 10) and months
    public void Random_digit_runs_are_seldom_taken(int length, double bound)
    {
        var rng = new Random(20240601 + length);
        const int Runs = 2000;
        var taken = 0;
        for (var i = 0; i < Runs; i++)
        {
            var run = string.Concat(Enumerable.Range(0, length).Select(_ => (char)('0' + rng.Next(10))));
            if (Scrubber.Scrub($"Reference {run} noted.", defaultRegion: null).Counts.ContainsKey("document")) taken++;
        }
        var share = (double)taken / Runs;
        output.WriteLine($"{length} digits: {taken} of {Runs} taken ({share:P1})");

        Assert.InRange(share, 0, bound);
    }

    // Runs whose date is real and whose serial and check are random: the scheme's own check then decides, so about one in
    // ten pass a check digit, one in eleven a birth number, one in 23 to 26 a check letter and about two in a hundred a
    // Belgian key (it is tried for both centuries) or one in a hundred a NIR key. Through the scrubber a run may also pass
    // another scheme of its length (a ten-digit run with a date of the 1900s is both an EGN and a birth number
    // candidate), so the share scrubbed is up to about twice the scheme's own (at most a fifth); both are printed.
    [Theory]
    [InlineData("RO CNP", 0.07, 0.13)]
    [InlineData("PL PESEL", 0.07, 0.13)]
    [InlineData("BG EGN", 0.07, 0.13)]
    [InlineData("CZ/SK birth number", 0.06, 0.12)]
    [InlineData("JMBG", 0.07, 0.13)]
    [InlineData("EE isikukood", 0.07, 0.13)]
    [InlineData("GR AMKA", 0.07, 0.13)]
    [InlineData("SE personnummer", 0.07, 0.13)]
    [InlineData("ES DNI", 0.02, 0.07)]
    [InlineData("IT codice fiscale", 0.02, 0.07)]
    [InlineData("FR NIR", 0.0, 0.03)]
    [InlineData("BE national number", 0.005, 0.04)]
    public void Runs_with_a_real_date_pass_about_as_often_as_their_check_allows(string scheme, double low, double high)
    {
        var rng = new Random(scheme.Length * 7919);
        const int Runs = 1000;
        int own = 0, scrubbed = 0;
        for (var i = 0; i < Runs; i++)
        {
            var birth = new DateOnly(1960, 1, 1).AddDays(rng.Next(365 * 50));
            string Digits(int n) => string.Concat(Enumerable.Range(0, n).Select(_ => (char)('0' + rng.Next(10))));
            string Letters(int n) => string.Concat(Enumerable.Range(0, n).Select(_ => (char)('A' + rng.Next(26))));
            string Date(string format) => birth.ToString(format, CultureInfo.InvariantCulture);
            var (run, valid) = scheme switch
            {
                "RO CNP" => ($"{(birth.Year >= 2000 ? 5 : 1) + rng.Next(2)}{Date("yyMMdd")}{Digits(6)}", (Func<string, bool>)(n => NationalNumbers.IsRomanianCnp(n))),
                "PL PESEL" => ($"{Date("yy")}{D(birth.Month + (birth.Year >= 2000 ? 20 : 0), 2)}{Date("dd")}{Digits(5)}", n => NationalNumbers.IsPolishPesel(n)),
                "BG EGN" => ($"{Date("yy")}{D(birth.Month + (birth.Year >= 2000 ? 40 : 0), 2)}{Date("dd")}{Digits(4)}", n => NationalNumbers.IsBulgarianEgn(n)),
                "CZ/SK birth number" => ($"{Date("yy")}{D(birth.Month + 50 * rng.Next(2), 2)}{Date("dd")}{Digits(4)}", n => NationalNumbers.IsCzechSlovakBirthNumber(n)),
                "JMBG" => ($"{Date("ddMM")}{D(birth.Year % 1000, 3)}{Digits(6)}", n => NationalNumbers.IsYugoslavJmbg(n)),
                "EE isikukood" => ($"{(birth.Year >= 2000 ? 5 : 3) + rng.Next(2)}{Date("yyMMdd")}{Digits(4)}", n => NationalNumbers.IsEstonianLithuanianPersonalCode(n)),
                "GR AMKA" => ($"{Date("ddMMyy")}{Digits(5)}", n => NationalNumbers.IsGreekAmka(n)),
                "SE personnummer" => ($"{Date("yyMMdd")}-{Digits(4)}", n => NationalNumbers.IsSwedishPersonnummer(n.Replace("-", "", StringComparison.Ordinal))),
                "ES DNI" => ($"{Digits(8)}{Letters(1)}", n => NationalNumbers.IsSpanishDni(n)),
                "IT codice fiscale" => ($"{Letters(6)}{Date("yy")}{"ABCDEHLMPRST"[birth.Month - 1]}{D(birth.Day + 40 * rng.Next(2), 2)}{Letters(1)}{Digits(3)}{Letters(1)}",
                    n => NationalNumbers.IsItalianCodiceFiscale(n)),
                "FR NIR" => ($"{1 + rng.Next(2)}{Date("yyMM")}{Digits(10)}", n => NationalNumbers.IsFrenchNir(n)),
                _ => ($"{Date("yyMMdd")}{Digits(5)}", n => NationalNumbers.IsBelgianNationalNumber(n)),
            };
            if (valid(run)) own++;
            if (Scrubber.Scrub($"Reference {run} noted.", defaultRegion: null).Counts.ContainsKey("document")) scrubbed++;
        }
        output.WriteLine($"{scheme}: {own} of {Runs} pass the scheme's check ({(double)own / Runs:P1}), {scrubbed} scrubbed ({(double)scrubbed / Runs:P1})");

        Assert.InRange((double)own / Runs, low, high);
        Assert.InRange(scrubbed, own, Runs / 5);
    }
}
