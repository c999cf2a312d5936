using System.Globalization;
using System.Text;
using Analytics.Core.Pseudonymisation;
using Analytics.Core.Synthetic;

namespace Analytics.Core.Evaluation;

/// <summary>One occurrence of an identifier in a sample's text.</summary>
/// <param name="Start">First character (inclusive).</param>
/// <param name="End">End (exclusive).</param>
/// <param name="Type">An <see cref="IdentifierTypes"/> value, or <see cref="TextScrubber.DateOfBirthType"/>, <see cref="TextScrubber.PlaceType"/>, <see cref="TextScrubber.AddressType"/>.</param>
/// <param name="Value">The identifier in its canonical form (E.164 phone, compact IBAN, full name, ISO date, city as listed, address on one line, …).</param>
/// <param name="Variant">How it is written here ("national", "split-line", "surname", …), for the per-variant breakdown.</param>
/// <param name="Known">True when the identifier was also given in the structured part of the sample.</param>
/// <param name="Country">Country of a phone, document, plate or place.</param>
public sealed record AnnotatedSpan(int Start, int End, string Type, string Value, string Variant, bool Known, string? Country = null);

/// <summary>Text that looks like an identifier but is not one (amounts, years, references, ordinary words that are also names).</summary>
public sealed record NegativeSpan(int Start, int End, string Kind);

/// <summary>A labelled narrative: the text, what the submission gave in its structured part, and every identifier occurrence.</summary>
/// <param name="Countries">The other countries the submission names in its structured part (here the people's citizenships).</param>
public sealed record ScrubbingSample(
    int Id, string Jurisdiction, string Text, IReadOnlyList<KnownIdentifier> Known,
    IReadOnlyList<AnnotatedSpan> Spans, IReadOnlyList<NegativeSpan> Negatives, IReadOnlyList<string>? Countries = null)
{
    /// <summary>The text a span covers.</summary>
    public string TextOf(AnnotatedSpan span) => Text[span.Start..span.End];

    /// <summary>The text a negative span covers.</summary>
    public string TextOf(NegativeSpan span) => Text[span.Start..span.End];
}

/// <summary>
/// Seeded generator of labelled case narratives for measuring <see cref="TextScrubber"/>: identifiers in several
/// national formats and spellings, some given in the structured part and some only in the text, names that are also
/// common words, numbers that are not identifiers, and identifiers broken across lines. One <see cref="Random"/>
/// drives every choice, so a seed always gives the same corpus.
/// </summary>
public static class ScrubbingCorpus
{
    /// <summary>Types annotated in the corpus, in report order.</summary>
    public static IReadOnlyList<string> Types { get; } =
    [
        IdentifierTypes.Name, IdentifierTypes.Phone, IdentifierTypes.Email, IdentifierTypes.Iban, IdentifierTypes.Card,
        IdentifierTypes.Wallet, IdentifierTypes.Handle, IdentifierTypes.Document, IdentifierTypes.Plate, TextScrubber.DateOfBirthType,
        TextScrubber.PlaceType, TextScrubber.AddressType,
    ];

    private static readonly string[] Countries = ["RO", "MD", "IT", "BG", "PL", "DE", "AT", "ES", "GR", "GB", "FR", "NL", "UA", "NG", "AL"];

    // Given names and surnames that are also ordinary English words.
    private static readonly string[] WordFirstNames = ["Hope", "Grace", "Joy", "Faith", "Rose", "Lily", "Dawn", "Precious", "Favour", "Mercy", "Patience", "Gift", "Friday", "Sunday", "Will", "Mark", "Frank", "Grant", "Summer", "Ivy"];
    private static readonly string[] WordSurnames = ["Walker", "Brown", "King", "Young", "White", "Stone", "Price", "Hill", "Wood", "Taylor", "Baker", "Cook", "Mason", "Field", "Long"];

    // The same words used as words, lower-case, inside a sentence.
    private static readonly Dictionary<string, string> WordUses = new(StringComparer.Ordinal)
    {
        ["hope"] = "she said she had lost all hope of going home", ["grace"] = "the debt had no grace period",
        ["joy"] = "there was no joy in the house", ["faith"] = "the family had acted in good faith",
        ["rose"] = "the debt rose every week", ["lily"] = "a lily pattern was painted on the van",
        ["dawn"] = "the workers were collected before dawn", ["precious"] = "her precious documents were taken",
        ["favour"] = "the witness spoke in her favour", ["mercy"] = "she was at the mercy of the group",
        ["patience"] = "the officers showed great patience", ["gift"] = "a phone was given as a gift",
        ["friday"] = "the money was collected every Friday", ["sunday"] = "the only day off was Sunday",
        ["will"] = "she was kept there against her will", ["mark"] = "the beatings left a mark",
        ["frank"] = "the victim gave a frank account", ["grant"] = "he promised to grant her a residence permit",
        ["summer"] = "the recruitment took place in the summer", ["ivy"] = "the house was covered in ivy",
        ["walker"] = "a dog walker alerted the police", ["brown"] = "they travelled in a brown minivan",
        ["king"] = "the room had a single king-size bed", ["young"] = "the young workers slept in a barn",
        ["white"] = "a white van took them to the fields", ["stone"] = "they slept in a stone shed",
        ["price"] = "the price of the journey was inflated", ["hill"] = "the farm stood on a hill",
        ["wood"] = "they were made to cut wood", ["taylor"] = "a taylor-made contract was signed",
        ["baker"] = "she worked for a baker at night", ["cook"] = "she had to cook for the group",
        ["mason"] = "he worked as a mason on the site", ["field"] = "they worked in the field for 14 hours a day",
        ["long"] = "the shifts were long",
    };

    private static readonly string[] Platforms = ["instagram", "tiktok", "snapchat", "telegram", "facebook", "discord", "whatsapp"];

    private static readonly Dictionary<string, string> PlatformNames = new(StringComparer.Ordinal)
    {
        ["instagram"] = "Instagram", ["tiktok"] = "TikTok", ["snapchat"] = "Snapchat", ["telegram"] = "Telegram",
        ["facebook"] = "Facebook", ["discord"] = "Discord", ["whatsapp"] = "WhatsApp",
    };

    // Cities as a narrative writes them: (written, as listed, country, variant). "common-word" ones are also ordinary
    // words or given names and are written after a place word ("to Nice"); "split-line" ones are broken across lines.
    private static readonly (string Written, string Value, string Country, string Variant)[] Cities =
    [
        ("Milan", "Milan", "IT", "english"), ("Munich", "Munich", "DE", "english"), ("Vienna", "Vienna", "AT", "english"),
        ("Athens", "Athens", "GR", "english"), ("London", "London", "GB", "english"), ("Warsaw", "Warsaw", "PL", "english"),
        ("Bucharest", "Bucharest", "RO", "english"), ("Seville", "Seville", "ES", "english"), ("Naples", "Naples", "IT", "english"),
        ("Rotterdam", "Rotterdam", "NL", "english"), ("Paris", "Paris", "FR", "english"), ("Madrid", "Madrid", "ES", "english"),
        ("Milano", "Milano", "IT", "local"), ("München", "München", "DE", "local"), ("Wien", "Wien", "AT", "local"),
        ("București", "București", "RO", "local"), ("Kraków", "Kraków", "PL", "local"), ("Sevilla", "Sevilla", "ES", "local"),
        ("Thessaloniki", "Thessaloniki", "GR", "local"), ("Chișinău", "Chișinău", "MD", "local"), ("Iași", "Iași", "RO", "local"),
        ("Łódź", "Łódź", "PL", "local"), ("Düsseldorf", "Düsseldorf", "DE", "local"), ("Brașov", "Brașov", "RO", "local"),
        ("Iasi", "Iași", "RO", "folded"), ("Chisinau", "Chișinău", "MD", "folded"), ("Lodz", "Łódź", "PL", "folded"),
        ("Muenchen", "München", "DE", "folded"), ("Dusseldorf", "Düsseldorf", "DE", "folded"), ("Timisoara", "Timișoara", "RO", "folded"),
        ("Krakow", "Kraków", "PL", "folded"), ("Constanta", "Constanța", "RO", "folded"),
        ("Reggio Emilia", "Reggio Emilia", "IT", "multi-word"), ("Cluj-Napoca", "Cluj-Napoca", "RO", "multi-word"),
        ("Frankfurt am Main", "Frankfurt am Main", "DE", "multi-word"), ("Benin City", "Benin City", "NG", "multi-word"),
        ("Castel Volturno", "Castel Volturno", "IT", "multi-word"), ("Stoke-on-Trent", "Stoke-on-Trent", "GB", "multi-word"),
        ("Ho Chi Minh City", "Ho Chi Minh City", "VN", "multi-word"), ("Novi Sad", "Novi Sad", "RS", "multi-word"),
        ("Banja Luka", "Banja Luka", "BA", "multi-word"), ("Port Harcourt", "Port Harcourt", "NG", "multi-word"),
        ("Nice", "Nice", "FR", "common-word"), ("Split", "Split", "HR", "common-word"), ("Bath", "Bath", "GB", "common-word"),
        ("Reading", "Reading", "GB", "common-word"), ("Sofia", "Sofia", "BG", "common-word"), ("Florence", "Florence", "IT", "common-word"),
        ("Tours", "Tours", "FR", "common-word"),
        ("Reggio\nEmilia", "Reggio Emilia", "IT", "split-line"), ("Cluj-\nNapoca", "Cluj-Napoca", "RO", "split-line"),
        ("Benin\nCity", "Benin City", "NG", "split-line"),
        ("MILANO", "Milano", "IT", "all-caps"), ("BUCUREȘTI", "București", "RO", "all-caps"), ("TIMIȘOARA", "Timișoara", "RO", "all-caps"),
    ];

    // The same common words used as words, at the start of a sentence where a capital gives no hint.
    private static readonly (string Word, string Sentence)[] CityWordUses =
    [
        ("Nice", "Nice promises were made to the family."), ("Split", "Split into two groups, the victims were moved at night."),
        ("Reading", "Reading the messages, the officers understood the scheme."), ("Bath", "Bath towels and soap were sold to the victims at a mark-up."),
        ("Tours", "Tours of the city were promised to the recruits."), ("Sofia", "Sofia, a social worker, alerted the police."),
        ("Florence", "Florence, an interpreter, assisted at the hearing."),
    ];

    // Countries stay in the record: they must not be scrubbed even where they are also a capital's name.
    private static readonly string[] CountryNames = ["Luxembourg", "Monaco", "Romania", "Moldova", "Italy", "Albania", "Nigeria", "Hungary"];

    /// <summary>Generates <paramref name="count"/> labelled samples from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<ScrubbingSample> Generate(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var rng = new Random(seed);
        var samples = new List<ScrubbingSample>(count);
        for (var i = 0; i < count; i++) samples.Add(new SampleMaker(rng, i).Make());
        return samples;
    }

    private sealed class Person
    {
        public required string First { get; init; }
        public required string Surname { get; init; }
        public required string Country { get; init; }
        public string Full => First + " " + Surname;
    }

    /// <summary>Builds one sample's text while recording the spans it writes.</summary>
    private sealed class Builder
    {
        private readonly StringBuilder _text = new();
        public List<AnnotatedSpan> Spans { get; } = [];
        public List<NegativeSpan> Negatives { get; } = [];
        public int Length => _text.Length;

        public Builder T(string text)
        {
            _text.Append(text);
            return this;
        }

        public Builder Id(string type, string written, string value, string variant, bool known, string? country = null)
        {
            var start = _text.Length;
            _text.Append(written);
            Spans.Add(new AnnotatedSpan(start, _text.Length, type, value, variant, known, country));
            return this;
        }

        public Builder Neg(string kind, string written)
        {
            var start = _text.Length;
            _text.Append(written);
            Negatives.Add(new NegativeSpan(start, _text.Length, kind));
            return this;
        }

        // A sentence containing a common word as a word: the word is the negative span.
        public Builder WordUse(string sentence, string word)
        {
            var at = sentence.IndexOf(word, StringComparison.OrdinalIgnoreCase);
            T(sentence[..at]);
            Neg("common-word", sentence.Substring(at, word.Length));
            return T(sentence[(at + word.Length)..]);
        }

        public override string ToString() => _text.ToString();
    }

    private sealed class SampleMaker(Random rng, int id)
    {
        private readonly Builder _b = new();
        private readonly List<KnownIdentifier> _known = [];
        private readonly HashSet<string> _wordsUsed = new(StringComparer.Ordinal);
        private string _jurisdiction = "";
        private string[] _named = [];

        private bool Chance(double p) => rng.NextDouble() < p;

        private T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];

        public ScrubbingSample Make()
        {
            var jurisdiction = _jurisdiction = Pick(Countries);
            var victim = MakePerson(Chance(0.7) ? jurisdiction : Pick(Countries), Chance(0.5) ? "female" : "male");
            var suspect = MakePerson(Chance(0.6) ? jurisdiction : Pick(Countries), Chance(0.75) ? "male" : "female");
            _named = [victim.Country, suspect.Country];
            _known.Add(new KnownIdentifier(IdentifierTypes.Name, victim.Full));
            _known.Add(new KnownIdentifier(IdentifierTypes.Name, suspect.Full));

            Opening(victim, suspect);
            if (Chance(0.85)) PhoneSentence(suspect);
            if (Chance(0.5)) EmailSentence(suspect);
            if (Chance(0.6)) HandleSentence(victim, suspect);
            if (Chance(0.5)) Negatives();
            MoneySentence();
            if (Chance(0.45)) DocumentSentence(victim, suspect);
            if (Chance(0.35)) PlateSentence(suspect);
            if (Chance(0.5)) LaterMention(victim, suspect);
            if (Chance(0.45)) AddressSentence();
            if (Chance(0.3)) CityWordSentence();
            if (Chance(0.3)) CountrySentence();
            foreach (var word in CommonWordParts(victim).Concat(CommonWordParts(suspect)).Distinct())
            {
                if (!_wordsUsed.Add(word) || !Chance(0.8)) continue;
                var sentence = WordUses[word];
                _b.T(" ").WordUse(char.ToUpperInvariant(sentence[0]) + sentence[1..] + ".", word);
            }
            Closing();
            var finalText = _b.ToString().TrimStart();
            var shift = _b.ToString().Length - finalText.Length;
            return new ScrubbingSample(id, jurisdiction, finalText, _known,
                _b.Spans.Select(s => s with { Start = s.Start - shift, End = s.End - shift }).ToList(),
                _b.Negatives.Select(n => n with { Start = n.Start - shift, End = n.End - shift }).ToList(),
                _named.Where(c => c != jurisdiction).Distinct().ToList());
        }

        private IEnumerable<string> CommonWordParts(Person p) =>
            new[] { p.First, p.Surname }.Select(w => w.ToLowerInvariant()).Where(WordUses.ContainsKey);

        private Person MakePerson(string country, string gender)
        {
            var (first, surname) = SyntheticCatalog.Name(rng, country, gender);
            if (Chance(0.15)) first = Pick(WordFirstNames);
            if (Chance(0.15)) surname = Pick(WordSurnames);
            return new Person { First = first, Surname = surname, Country = country };
        }

        // ---- names ----

        private void Name(Person p, bool full)
        {
            if (!full)
            {
                var v = rng.Next(4);
                if (v == 0) _b.Id(IdentifierTypes.Name, p.First, p.Full, "first-name", true);
                else if (v == 1) _b.Id(IdentifierTypes.Name, p.Surname, p.Full, "surname", true);
                else if (v == 2) _b.Id(IdentifierTypes.Name, p.Surname, p.Full, "surname", true).T("'s");
                else _b.Id(IdentifierTypes.Name, p.Surname.ToUpperInvariant(), p.Full, "surname-upper", true);
                return;
            }
            var ascii = Ascii(p.Full);
            switch (rng.Next(7))
            {
                case 0: _b.Id(IdentifierTypes.Name, p.Surname.ToUpperInvariant() + " " + p.First, p.Full, "reordered-upper", true); break;
                case 1: _b.Id(IdentifierTypes.Name, p.Surname + ", " + p.First, p.Full, "reordered-comma", true); break;
                case 2 when ascii != p.Full: _b.Id(IdentifierTypes.Name, ascii, p.Full, "without-diacritics", true); break;
                case 3: _b.Id(IdentifierTypes.Name, p.First + "\n" + p.Surname, p.Full, "split-line", true); break;
                case 4: _b.Id(IdentifierTypes.Name, p.Full.ToLowerInvariant(), p.Full, "lower-case", true); break;
                default: _b.Id(IdentifierTypes.Name, p.Full, p.Full, "full", true); break;
            }
        }

        private void Opening(Person victim, Person suspect)
        {
            var from = new DateOnly(rng.Next(2018, 2025), rng.Next(1, 13), 1);
            var to = from.AddMonths(rng.Next(2, 20));
            _b.T("Between ").Neg("month-year", Month(from) + " " + from.Year.ToString(CultureInfo.InvariantCulture)).T(" and ")
                .Neg("month-year", Month(to) + " " + to.Year.ToString(CultureInfo.InvariantCulture)).T(", ");
            Name(victim, full: true);
            var age = rng.Next(8, 30);
            if (Chance(0.5))
            {
                var dob = from.AddYears(-age).AddDays(-rng.Next(1, 365));
                _b.T(", ");
                switch (rng.Next(5))
                {
                    case 0: _b.T("born on ").Id(TextScrubber.DateOfBirthType, dob.Day + " " + Month(dob) + " " + dob.Year, Iso(dob), "long", false); break;
                    case 1: _b.T("born ").Id(TextScrubber.DateOfBirthType, dob.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture), Iso(dob), "dotted", false); break;
                    case 2: _b.T("date of birth: ").Id(TextScrubber.DateOfBirthType, Iso(dob), Iso(dob), "iso", false); break;
                    case 3: _b.T("DOB ").Id(TextScrubber.DateOfBirthType, dob.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture), Iso(dob), "slashed", false); break;
                    default: _b.T("born on ").Id(TextScrubber.DateOfBirthType, Month(dob) + " " + dob.Day + ", " + dob.Year, Iso(dob), "us-long", false); break;
                }
                _b.T(",");
            }
            else
            {
                _b.T(", then ").Neg("age", age.ToString(CultureInfo.InvariantCulture)).T(" years old,");
            }
            _b.T(" was recruited ").T(Pick(["through social media", "in person", "through a job advertisement", "on an online gaming platform"])).T(" by ");
            Name(suspect, full: true);
            _b.T(".");
        }

        // ---- phones ----

        private void PhoneSentence(Person suspect)
        {
            var phone = IdentifierMaker.Phone(rng, suspect.Country);
            var e164 = phone.Format(PhoneFormat.E164);
            var known = Chance(0.75);
            if (known) _known.Add(new KnownIdentifier(IdentifierTypes.Phone, phone.Format(Pick(phone.Formats)), phone.Country));
            _b.T(" ");
            Name(suspect, full: false);
            _b.T(Pick([" called her from ", " used the number ", " could be reached on tel. ", " sent messages from "]));
            WritePhone(phone, e164, known);
            if (Chance(0.3))
            {
                var second = IdentifierMaker.Phone(rng, Pick(Countries));
                var secondKnown = Chance(0.5);
                if (secondKnown) _known.Add(new KnownIdentifier(IdentifierTypes.Phone, second.Format(PhoneFormat.E164), second.Country));
                _b.T(" and later from ");
                WritePhone(second, second.Format(PhoneFormat.E164), secondKnown);
            }
            _b.T(".");
        }

        private void WritePhone(SyntheticPhone phone, string e164, bool known)
        {
            var national = phone.Format(PhoneFormat.National);
            var international = phone.Format(PhoneFormat.InternationalSpaced);
            // A foreign number written nationally cannot be read without its country: when the submission neither gives
            // the number nor names its country, a file writes it with its country code (and so does the corpus).
            var variant = !known && phone.Country != _jurisdiction && !_named.Contains(phone.Country)
                ? Pick<int>(phone.Formats.Contains(PhoneFormat.DoubleZero) ? [0, 1, 2, 5] : [0, 1, 5])
                : rng.Next(8);
            switch (variant)
            {
                case 0: _b.Id(IdentifierTypes.Phone, international, e164, "international-spaced", known, phone.Country); break;
                case 1: _b.Id(IdentifierTypes.Phone, e164, e164, "e164", known, phone.Country); break;
                case 2 when phone.Formats.Contains(PhoneFormat.DoubleZero): _b.Id(IdentifierTypes.Phone, phone.Format(PhoneFormat.DoubleZero), e164, "double-zero", known, phone.Country); break;
                case 3: _b.Id(IdentifierTypes.Phone, national.Replace(' ', '-'), e164, "national-dashed", known, phone.Country); break;
                case 4: _b.Id(IdentifierTypes.Phone, national.Replace(' ', '.'), e164, "national-dotted", known, phone.Country); break;
                case 5:
                    var cut = international.IndexOf(' ', international.IndexOf(' ') + 1);
                    var split = cut > 0 ? international[..cut] + "\n" + international[(cut + 1)..] : international;
                    _b.Id(IdentifierTypes.Phone, split, e164, "split-line", known, phone.Country);
                    break;
                default: _b.Id(IdentifierTypes.Phone, national, e164, "national", known, phone.Country); break;
            }
        }

        // ---- e-mail and handles ----

        private void EmailSentence(Person suspect)
        {
            var first = SyntheticCatalog.Ascii(suspect.First);
            var local = Chance(0.5) ? first + "." + SyntheticCatalog.Ascii(suspect.Surname) : first[..1] + SyntheticCatalog.Ascii(suspect.Surname);
            var email = local + rng.Next(1, 100).ToString(CultureInfo.InvariantCulture) + "@" + Pick(SyntheticCatalog.EmailDomains);
            var known = Chance(0.75);
            if (known) _known.Add(new KnownIdentifier(IdentifierTypes.Email, email));
            var written = rng.Next(3) switch
            {
                0 => email,
                1 => char.ToUpperInvariant(email[0]) + email[1..],
                _ => email.ToUpperInvariant(),
            };
            _b.T(" Offers were sent from the address ").Id(IdentifierTypes.Email, written, email, written == email ? "as-given" : "re-cased", known).T(".");
        }

        private void HandleSentence(Person victim, Person suspect)
        {
            var owner = Chance(0.7) ? suspect : victim;
            var handle = Chance(0.5)
                ? SyntheticCatalog.Ascii(owner.First) + "_" + Pick(SyntheticCatalog.HandleWords) + rng.Next(1, 100).ToString(CultureInfo.InvariantCulture)
                : Pick(SyntheticCatalog.HandleWords) + "." + SyntheticCatalog.Ascii(owner.Surname) + rng.Next(1, 1000).ToString(CultureInfo.InvariantCulture);
            var platform = Pick(Platforms);
            var variant = rng.Next(4);
            // A bare handle with no @ and no platform word is found only when the submission gave it: nothing else
            // tells it from a word, so the corpus does not ask for it otherwise.
            var known = variant == 2 || Chance(0.75);
            if (known) _known.Add(new KnownIdentifier(IdentifierTypes.Handle, handle, Platform: platform));
            var name = PlatformNames[platform];
            switch (variant)
            {
                case 0: _b.T(" Messages were exchanged with the account ").Id(IdentifierTypes.Handle, "@" + handle, handle, "at-sign", known).T(" on " + name + "."); break;
                case 1: _b.T(" The profile (" + name + ": ").Id(IdentifierTypes.Handle, handle, handle, "platform-colon", known).T(") was later deleted."); break;
                case 2: _b.T(" On " + name + " the contact used the name ").Id(IdentifierTypes.Handle, handle, handle, "bare", known).T("."); break;
                default: _b.T(" The " + name + " user ").Id(IdentifierTypes.Handle, "@" + handle.ToUpperInvariant(), handle, "at-sign-upper", known).T(" posted the advertisement."); break;
            }
        }

        // ---- money ----

        private void MoneySentence()
        {
            _b.T(" About ");
            Amount();
            switch (rng.Next(3))
            {
                case 0:
                {
                    var iban = IdentifierMaker.Iban(rng, Pick(IdentifierMaker.IbanCountries));
                    var known = Chance(0.75);
                    if (known) _known.Add(new KnownIdentifier(IdentifierTypes.Iban, IdentifierMaker.IbanSpaced(iban)));
                    _b.T(" was transferred to the account ");
                    var spaced = IdentifierMaker.IbanSpaced(iban);
                    switch (rng.Next(5))
                    {
                        case 0: _b.Id(IdentifierTypes.Iban, iban, iban, "compact", known); break;
                        case 1: _b.T("IBAN ").Id(IdentifierTypes.Iban, spaced.ToLowerInvariant(), iban, "lower-case", known); break;
                        case 2:
                            var cut = spaced.IndexOf(' ', 10);
                            _b.Id(IdentifierTypes.Iban, spaced[..cut] + "\n" + spaced[(cut + 1)..], iban, "split-line", known);
                            break;
                        default: _b.T("IBAN ").Id(IdentifierTypes.Iban, spaced, iban, "spaced", known); break;
                    }
                    break;
                }
                case 1:
                {
                    var card = IdentifierMaker.Card(rng);
                    var known = Chance(0.75);
                    if (known) _known.Add(new KnownIdentifier(IdentifierTypes.Card, card));
                    _b.T(" was paid with the card ");
                    var spaced = IdentifierMaker.CardSpaced(card);
                    switch (rng.Next(4))
                    {
                        case 0: _b.Id(IdentifierTypes.Card, card, card, "compact", known); break;
                        case 1: _b.Id(IdentifierTypes.Card, spaced.Replace(' ', '-'), card, "dashed", known); break;
                        case 2: _b.Id(IdentifierTypes.Card, spaced[..9] + "\n" + spaced[10..], card, "split-line", known); break;
                        default: _b.Id(IdentifierTypes.Card, spaced, card, "spaced", known); break;
                    }
                    break;
                }
                default:
                {
                    var bitcoin = Chance(0.6);
                    var wallet = bitcoin ? IdentifierMaker.BitcoinAddress(rng) : IdentifierMaker.EthereumAddress(rng);
                    var known = Chance(0.75);
                    if (known) _known.Add(new KnownIdentifier(IdentifierTypes.Wallet, wallet));
                    _b.T(" was paid in crypto-assets to the wallet ").Id(IdentifierTypes.Wallet, wallet, wallet, bitcoin ? "bitcoin" : "ethereum", known);
                    break;
                }
            }
            _b.T(".");
        }

        private void Amount()
        {
            var value = rng.Next(2, 400) * (rng.Next(3) == 0 ? 1000 : 50);
            var text = rng.Next(4) switch
            {
                0 => "EUR " + value.ToString("N0", CultureInfo.InvariantCulture),
                1 => value.ToString("N0", CultureInfo.InvariantCulture).Replace(',', ' ') + " euros",
                2 => "EUR " + value.ToString(CultureInfo.InvariantCulture),
                _ => value.ToString("N0", CultureInfo.InvariantCulture).Replace(',', '.') + " lei",
            };
            _b.Neg("amount", text);
        }

        // ---- documents and plates ----

        private void DocumentSentence(Person victim, Person suspect)
        {
            var holder = Chance(0.5) ? victim : suspect;
            var (kind, value, written, country) = rng.Next(6) switch
            {
                0 => Cnp(),
                1 => Pesel(),
                2 => Dni(),
                3 => ("identity card", IdCard(), "", "IT"),
                _ => Passport(holder.Country),
            };
            if (written.Length == 0) written = value;
            // A document only in the text needs a context word to be found at all; "passport" and "identity card" are such words.
            var known = kind is not ("passport" or "identity card") || Chance(0.75);
            if (known) _known.Add(new KnownIdentifier(IdentifierTypes.Document, value, country));
            _b.T(" ");
            Name(holder, full: false);
            _b.T(Pick([" travelled on ", " was identified by ", " presented "])).T(kind + " ");
            _b.Id(IdentifierTypes.Document, written, value, kind.Replace(' ', '-'), known, country).T(".");
        }

        private (string Kind, string Value, string Written, string Country) Passport(string country)
        {
            var value = IdentifierMaker.Passport(rng);
            return rng.Next(3) switch
            {
                0 => ("passport no.", value, value[..2] + " " + value[2..], country),
                _ => ("passport no.", value, value, country),
            };
        }

        private (string, string, string, string) Cnp()
        {
            var birth = new DateOnly(rng.Next(1975, 2012), rng.Next(1, 13), rng.Next(1, 29));
            var sex = birth.Year >= 2000 ? rng.Next(5, 7) : rng.Next(1, 3);
            var body = sex.ToString(CultureInfo.InvariantCulture) + birth.ToString("yyMMdd", CultureInfo.InvariantCulture)
                + rng.Next(1, 47).ToString("00", CultureInfo.InvariantCulture) + rng.Next(1, 1000).ToString("000", CultureInfo.InvariantCulture);
            const string weights = "279146358279";
            var sum = 0;
            for (var i = 0; i < 12; i++) sum += (body[i] - '0') * (weights[i] - '0');
            var check = sum % 11 == 10 ? 1 : sum % 11;
            return ("CNP", body + check.ToString(CultureInfo.InvariantCulture), "", "RO");
        }

        private (string, string, string, string) Pesel()
        {
            var birth = new DateOnly(rng.Next(1975, 2012), rng.Next(1, 13), rng.Next(1, 29));
            var month = birth.Month + (birth.Year >= 2000 ? 20 : 0);
            var body = (birth.Year % 100).ToString("00", CultureInfo.InvariantCulture) + month.ToString("00", CultureInfo.InvariantCulture)
                + birth.Day.ToString("00", CultureInfo.InvariantCulture) + rng.Next(0, 10000).ToString("0000", CultureInfo.InvariantCulture);
            int[] weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
            var sum = 0;
            for (var i = 0; i < 10; i++) sum += (body[i] - '0') * weights[i];
            return ("PESEL", body + ((10 - sum % 10) % 10).ToString(CultureInfo.InvariantCulture), "", "PL");
        }

        private (string, string, string, string) Dni()
        {
            var number = rng.Next(10_000_000, 99_999_999);
            var value = number.ToString(CultureInfo.InvariantCulture) + "TRWAGMYFPDXBNJZSQVHLCKE"[number % 23];
            return ("DNI", value, Chance(0.5) ? value[..8] + "-" + value[8..] : value, "ES");
        }

        private string IdCard() => "C" + IdentifierMaker.Letters(rng, 1) + IdentifierMaker.Digits(rng, 5) + IdentifierMaker.Letters(rng, 2);

        private void PlateSentence(Person suspect)
        {
            var plate = IdentifierMaker.Plate(rng, suspect.Country);
            var context = Chance(0.7);
            var known = !context || Chance(0.75);
            if (known) _known.Add(new KnownIdentifier(IdentifierTypes.Plate, plate, suspect.Country));
            var written = rng.Next(3) switch
            {
                0 => plate.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal),
                1 => plate.Replace(' ', '-'),
                _ => plate,
            };
            _b.T(" The victims were driven ").Neg("distance", rng.Next(300, 2500).ToString("N0", CultureInfo.InvariantCulture).Replace(',', ' ') + " km")
                .T(context ? " in a car with registration " : " in the minivan ");
            _b.Id(IdentifierTypes.Plate, written, plate, (context ? "context-" : "no-context-") + (written == plate ? "as-given" : "respaced"), known, suspect.Country);
            _b.T(".");
        }

        // ---- other mentions ----

        private void LaterMention(Person victim, Person suspect)
        {
            _b.T(" In ").Neg("year", rng.Next(2019, 2025).ToString(CultureInfo.InvariantCulture)).T(" ");
            Name(victim, full: false);
            _b.T(" was moved to ");
            City();
            _b.T(", where ");
            Name(suspect, full: false);
            _b.T(" kept ").Neg("count", rng.Next(2, 9).ToString(CultureInfo.InvariantCulture)).T(" other victims.");
        }

        // ---- places ----

        // A city of the list; "plain" ones only (no common word, no line break) where no place word comes before it.
        private void City(bool plain = false)
        {
            var choices = plain ? Cities.Where(c => c.Variant is not ("common-word" or "split-line")).ToArray() : Cities;
            var (written, value, country, variant) = Pick(choices);
            _b.Id(TextScrubber.PlaceType, written, value, variant, false, country);
        }

        // A street address in one of the main European forms, its postcode and town, as a search report would give them.
        private void AddressSentence()
        {
            var n = rng.Next(1, 200).ToString(CultureInfo.InvariantCulture);
            var m = rng.Next(1, 60).ToString(CultureInfo.InvariantCulture);
            var (street, postcode, city, country, variant) = rng.Next(14) switch
            {
                0 => (Pick(["Str. Libertății nr. ", "Strada Mihai Eminescu ", "Bd. Unirii nr. "]) + n + (Chance(0.3) ? ", bl. A" + m + ", ap. " + m : ""), "700" + rng.Next(100, 999), "Iași", "RO", "ro-strada"),
                1 => (Pick(["Via Padova ", "Via dei Mille, ", "Corso Buenos Aires ", "Viale Monza "]) + n, "201" + rng.Next(10, 99), "Milano", "IT", "it-via"),
                2 => (Pick(["Calle Mayor ", "Calle de Alcalá, nº ", "Avenida de América "]) + n, "280" + rng.Next(10, 99), "Madrid", "ES", "es-calle"),
                3 => (n + Pick([" rue de la Paix", " boulevard Barbès", " rue Myrha"]), "750" + rng.Next(10, 21), "Paris", "FR", "fr-rue"),
                4 => (Pick(["Hauptstraße ", "Bahnhofstr. ", "Berliner Straße ", "Kurfürstenstraße "]) + n, "10" + rng.Next(100, 999), "Berlin", "DE", "de-strasse"),
                5 => (Pick(["Mariahilfer Straße ", "Praterstraße ", "Gürtelgasse "]) + n, "10" + rng.Next(10, 99).ToString("00", CultureInfo.InvariantCulture), "Wien", "AT", "at-strasse"),
                6 => (Pick(["ul. Długa ", "ulica Piotrkowska ", "al. Jerozolimskie "]) + n + (Chance(0.4) ? "/" + m : ""), "00-" + rng.Next(100, 999), "Warszawa", "PL", "pl-ulica"),
                7 => (Pick(["bul. Vitosha ", "ul. Graf Ignatiev ", "ulitsa Pirotska "]) + n, "1000", "Sofia", "BG", "bg-bulevard"),
                8 => (Pick(["Kerkstraat ", "Keizersgracht ", "Stationsplein "]) + n, "10" + rng.Next(11, 99) + " " + Pick(["AB", "GB", "KL"]), "Amsterdam", "NL", "nl-straat"),
                9 => (Pick(["Odos Acharnon ", "Leoforos Alexandras "]) + n, "104 " + rng.Next(10, 99), "Athens", "GR", "gr-odos"),
                10 => ((Chance(0.3) ? "Flat " + m + ", " : "") + n + Pick([" Baker Street", " Green Lane", " Victoria Road", " Church Street"]), Pick(["NW1 6XE", "E1 6AN", "SW1A 2AA", "N7 8QT"]), "London", "GB", "en-number-first"),
                11 => (Pick(["Via Padova\n", "Strada Mihai\nEminescu ", "Calle Mayor\n"]) + n, "", "", "", "split-line"),
                12 => (Pick(["Strada 1 Decembrie 1918 nr. ", "ul. 3 Maja ", "Via XX Settembre "]) + n, "", "", "", "numeric-name"),
                _ => (Pick(["Hauptstraße " + n + "a", n + "B Baker Street", "Via Roma " + n + "/" + m, "Calle Mayor " + n + "-" + (int.Parse(n, CultureInfo.InvariantCulture) + 2)]), "", "", "", "house-letter-or-range"),
            };
            _b.T(" The flat at ");
            if (country == "GB")
            {
                // British order: street, town, postcode.
                _b.Id(TextScrubber.AddressType, street, street, variant, false, country).T(", ")
                    .Id(TextScrubber.PlaceType, city, city, "with-address", false, country).T(" ")
                    .Id(TextScrubber.AddressType, postcode, postcode, "uk-postcode", false, country);
            }
            else if (postcode.Length == 0)
            {
                _b.Id(TextScrubber.AddressType, street, street.Replace('\n', ' '), variant, false);
            }
            else
            {
                var written = street + ", " + postcode;
                _b.Id(TextScrubber.AddressType, written, written, variant, false, country).T(" ")
                    .Id(TextScrubber.PlaceType, city, city, "with-address", false, country);
            }
            _b.T(" was searched on ")
                .Neg("event-date", rng.Next(1, 29).ToString("00", CultureInfo.InvariantCulture) + "." + rng.Next(1, 13).ToString("00", CultureInfo.InvariantCulture) + "." + rng.Next(2019, 2025)).T(".");
        }

        // A city name used as an ordinary word or as someone's name, where no place word comes before it.
        private void CityWordSentence()
        {
            var (word, sentence) = Pick(CityWordUses);
            _b.T(" ").WordUse(sentence, word);
            // WordUse labels "common-word"; these are the city look-alikes.
            var last = _b.Negatives[^1];
            _b.Negatives[^1] = last with { Kind = "city-look-alike" };
        }

        private void CountrySentence()
        {
            _b.T(" Payments were routed through ").Neg("country", Pick(CountryNames)).T(" and ").Neg("country", Pick(CountryNames))
                .T(", and the victims travelled via ").Neg("country", Pick(CountryNames)).T(".");
        }

        private void Negatives()
        {
            switch (rng.Next(6))
            {
                case 0:
                    _b.T(" The victims worked ").Neg("count", rng.Next(10, 17).ToString(CultureInfo.InvariantCulture)).T(" hours a day from ")
                        .Neg("time", rng.Next(5, 8) + ":" + (rng.Next(0, 4) * 15).ToString("00", CultureInfo.InvariantCulture)).T(" for ").Neg("amount", rng.Next(2, 9) * 50 + " euros").T(" a month.");
                    break;
                case 1:
                    _b.T(" The group also operated from ");
                    City(plain: true);
                    _b.T(" and ");
                    City(plain: true);
                    _b.T(" in ").Neg("year", rng.Next(2019, 2025).ToString(CultureInfo.InvariantCulture)).T(".");
                    break;
                case 2:
                    _b.T(" The offence falls under ").Neg("law", "Art. " + rng.Next(150, 400) + " para. " + rng.Next(1, 5)).T(" of the Criminal Code and Law ")
                        .Neg("law", rng.Next(100, 999) + "/" + rng.Next(2001, 2021)).T(".");
                    break;
                case 3:
                    _b.T(" A debt of ");
                    Amount();
                    _b.T(" was imposed for the journey on flight ").Neg("flight", Pick(["W6", "FR", "U2", "RO", "LH"]) + " " + rng.Next(100, 9999)).T(", seat ")
                        .Neg("seat", rng.Next(1, 33) + Pick(["A", "C", "F"])).T(".");
                    break;
                case 4:
                    _b.T(" Police recorded ").Neg("count", rng.Next(20, 400).ToString(CultureInfo.InvariantCulture)).T(" calls between ")
                        .Neg("year-range", rng.Next(2018, 2021) + "–" + rng.Next(2021, 2025)).T(" and seized ")
                        .Neg("amount", "EUR " + (rng.Next(1, 90) * 1000).ToString("N0", CultureInfo.InvariantCulture)).T(" in cash.");
                    break;
                default:
                    _b.T(" Interviews took place on ").Neg("event-date", rng.Next(1, 29) + " " + Month(new DateOnly(2020, rng.Next(1, 13), 1)) + " " + rng.Next(2019, 2025))
                        .T(" at ").Neg("time", rng.Next(8, 18) + ":" + rng.Next(10, 60)).T(" in room ").Neg("room", rng.Next(100, 700).ToString(CultureInfo.InvariantCulture)).T(".");
                    break;
            }
        }

        private void Closing()
        {
            var year = rng.Next(2019, 2026);
            _b.T(" The case was registered under no. ");
            _b.Neg("case-number", rng.Next(100, 9999) + "/" + Pick(["P", "D", "DIICOT"]) + "/" + year);
            _b.T(" in ").Neg("year", year.ToString(CultureInfo.InvariantCulture)).T(".");
        }

        private static string Month(DateOnly d) => SyntheticCatalog.MonthNames[d.Month - 1];

        private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        // Name without diacritics, keeping case and spaces.
        private static string Ascii(string s)
        {
            var sb = new StringBuilder(s.Length);
            foreach (var ch in s.Normalize(NormalizationForm.FormD))
            {
                if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
                sb.Append(ch switch { 'ł' => 'l', 'Ł' => 'L', 'ß' => 's', _ => ch });
            }
            return sb.ToString().Normalize(NormalizationForm.FormC);
        }
    }
}
