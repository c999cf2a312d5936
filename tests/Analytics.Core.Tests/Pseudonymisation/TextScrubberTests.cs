using Analytics.Core.Pseudonymisation;

namespace Analytics.Core.Tests.Pseudonymisation;

public class TextScrubberTests
{
    private readonly Tokeniser _tokeniser = TestKeys.Tokeniser();
    private readonly TextScrubber _scrubber;

    public TextScrubberTests() => _scrubber = new TextScrubber(_tokeniser);

    private string T(string type, string normalised) => "[" + _tokeniser.Token(type, normalised) + "]";

    [Fact]
    public void Scrub_ReplacesEmail_WithEmailToken()
    {
        var result = _scrubber.Scrub("Contact was via John.Doe@Example.com today.", "RO");

        Assert.Equal($"Contact was via {T("email", "john.doe@example.com")} today.", result.Text);
        Assert.Equal(1, result.Counts["email"]);
    }

    [Theory]
    [InlineData("Contact was via \"Ana Popescu\"@Mail.ro today.", "Contact was via {0} today.")]
    [InlineData("Contact was via <\"ana popescu\"@mail.ro>.", "Contact was via <{0}>.")]
    public void Scrub_ReplacesAnAddressWithAQuotedLocalPart_Whole(string text, string expected)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, T("email", "\"ana popescu\"@mail.ro")), result.Text);
        Assert.Equal(1, result.Counts["email"]);
    }

    [Theory]
    [InlineData("She said \"hello\" @ the station.")]
    [InlineData("Quotes \"\"@mail.ro and \"a\nb\"@mail.ro stay.")]
    public void Scrub_ReadsNoAddress_WhereTheQuoteIsNotALocalPart(string text)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Equal(0, result.Counts.GetValueOrDefault("email"));
    }

    [Theory]
    [InlineData("He called from +40 721 234 567 twice.")]
    [InlineData("He called from 0040721234567 twice.")]
    [InlineData("He called from 0721 234 567 twice.")]
    [InlineData("He called from 0721-234-567 twice.")]
    [InlineData("He called from (0721) 234.567 twice.")]
    public void Scrub_ReplacesPhone_InAnyCommonFormat(string text)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Equal($"He called from {T("phone", "+40721234567")} twice.", result.Text);
        Assert.Equal(1, result.Counts["phone"]);
    }

    [Theory]
    [InlineData("He called (0721 234 567) twice.", "He called ({0}) twice.")]
    [InlineData("He called (tel. 0721 234 567) twice.", "He called (tel. {0}) twice.")]
    [InlineData("He called (+40) 721 234 567 twice.", "He called {0} twice.")]
    [InlineData("He called ((0721) 234 567) twice.", "He called ({0}) twice.")]
    public void Scrub_LeavesNoUnpairedBracket_AroundAPhone(string text, string expected)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, T("phone", "+40721234567")), result.Text);
        Assert.Equal(1, result.Counts["phone"]);
    }

    [Theory]
    [InlineData("Her French number 06 12 34 56 78 was found.", "+33612345678")]
    [InlineData("Her Italian number 333 123 4567 was found.", "+393331234567")]
    [InlineData("Her Romanian number 0721 234 567 was found.", "+40721234567")]
    public void Scrub_ReadsNationalNumbers_OfTheOtherCountriesTheCaseNames(string text, string e164)
    {
        var context = _scrubber.Prepare("RO", otherRegions: ["FR", "IT", "ro", "", null, "XX"]);

        var result = _scrubber.Scrub(text, context);

        Assert.Contains(T("phone", e164), result.Text);
        Assert.Equal(1, result.Counts["phone"]);
    }

    [Theory]
    [InlineData("Ref 0282 1486 0904 4348 here.")]
    [InlineData("Number 5721 3286 0248 1159 4768 0414 here.")]
    [InlineData("Codes 1632 0213 0748 here.")] // "0213 0748" alone is a Bulgarian number
    [InlineData("File 2021/00948 was joined.")]
    public void Scrub_DoesNotReadPiecesOfALongerRun_InTheOtherCountriesFormats(string text)
    {
        var alone = _scrubber.Scrub(text, "RO").Text;

        Assert.Equal(alone, _scrubber.Scrub(text, _scrubber.Prepare("RO", otherRegions: ["BG", "LV", "IT", "ES", "PL"])).Text);
    }

    [Fact]
    public void Scrub_TriesTheOtherCountries_OnlyForNumbersWithoutACountryCode()
    {
        // +40 is a country code: the number is Romanian (and invalid there), never re-read as French or Italian.
        var context = _scrubber.Prepare("RO", otherRegions: ["FR", "IT"]);

        Assert.Equal("Figures +40 12 34 56 78 here.", _scrubber.Scrub("Figures +40 12 34 56 78 here.", context).Text);
    }

    // Written with the characters that word processors, PDFs and other scripts put in: they read the same.
    [Theory]
    [InlineData("He called from 0721\u2013234\u2013567 twice.")] // en dashes
    [InlineData("He called from 0721\u2011234\u2011567 twice.")] // non-breaking hyphens
    [InlineData("He called from 0721\u2212234\u2212567 twice.")] // minus signs
    [InlineData("He called from +40\u202F721\u202F234\u202F567 twice.")] // narrow no-break spaces
    [InlineData("He called from +40\u2009721\u2009234\u2009567 twice.")] // thin spaces
    [InlineData("He called from 0721\u200B234\u200B567 twice.")] // zero-width spaces
    [InlineData("He called from 07\u206021234567 twice.")] // a word joiner
    [InlineData("He called from \u0660\u0667\u0662\u0661\u0662\u0663\u0664\u0665\u0666\u0667 twice.")] // Arabic-Indic digits
    [InlineData("He called from \uFF10\uFF17\uFF12\uFF11 \uFF12\uFF13\uFF14 \uFF15\uFF16\uFF17 twice.")] // full-width digits
    public void Scrub_ReplacesPhone_WrittenWithOtherDashesSpacesAndDigits(string text)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Equal($"He called from {T("phone", "+40721234567")} twice.", result.Text);
    }

    [Theory]
    [InlineData("IBAN RO49\u00A0AAAA\u00A01B31\u00A00075\u00A09384\u00A00000 used.")]
    [InlineData("IBAN RO49  AAAA  1B31  0075  9384  0000 used.")]
    [InlineData("IBAN RO49.AAAA.1B31.0075.9384.0000 used.")]
    [InlineData("IBAN RO49\u2013AAAA\u20131B31\u20130075\u20139384\u20130000 used.")]
    [InlineData("IBAN RO49\u202FAAAA\u202F1B31\u202F0075\u202F9384\u202F0000 used.")]
    public void Scrub_ReplacesIban_WithOtherSeparators(string text)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Equal($"IBAN {T("iban", "RO49AAAA1B31007593840000")} used.", result.Text);
    }

    [Theory]
    [InlineData("card 4111\u00A01111\u00A01111\u00A01111 used")]
    [InlineData("card 4111  1111  1111  1111 used")]
    [InlineData("card 4111.1111.1111.1111 used")]
    [InlineData("card 4111/1111/1111/1111 used")]
    [InlineData("card 4111\u20131111\u20131111\u20131111 used")]
    public void Scrub_ReplacesCard_WithOtherSeparators(string text)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Equal($"card {T("card", "4111111111111111")} used", result.Text);
    }

    [Fact]
    public void Scrub_FindsAKnownName_ThroughSoftHyphensAndJoiners_AndReplacesThemWithIt()
    {
        var known = new[] { new KnownIdentifier("name", "Ioana Popescu") };

        var result = _scrubber.Scrub("Then Po\u00ADpescu left; Io\u200Dana stayed.", "RO", known);

        Assert.DoesNotContain("pescu", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("ana", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("\u00AD", result.Text, StringComparison.Ordinal);
        Assert.StartsWith("Then [", result.Text, StringComparison.Ordinal);
        Assert.EndsWith("] stayed.", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrub_ReplacesTwoHitsMeetingAcrossAnInvisibleCharacter_EachOnce()
    {
        var known = new[] { new KnownIdentifier("name", "Ioana Popescu"), new KnownIdentifier("email", "ana@mail.ro") };

        var result = _scrubber.Scrub("Write ana@mail.ro\u200BPopescu now.", "RO", known);

        Assert.StartsWith("Write [email:", result.Text, StringComparison.Ordinal);
        Assert.EndsWith("] now.", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Popescu", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("mail.ro", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrub_KeepsTheTextAroundAFoldedHit_AsItWasWritten()
    {
        // The en dash outside the number and the diacritics stay; only the number is replaced.
        var result = _scrubber.Scrub("Mărgineanu \u2013 tel. 0721\u2013234\u2013567 \u2013 ştie.", "RO");

        Assert.Equal($"Mărgineanu \u2013 tel. {T("phone", "+40721234567")} \u2013 ştie.", result.Text);
    }

    [Theory]
    [InlineData("Write to ana.popescu [at] mail [dot] ro now.")]
    [InlineData("Write to ana.popescu (at) mail (dot) ro now.")]
    [InlineData("Write to ana.popescu at mail dot ro now.")]
    [InlineData("Write to ana.popescu at mail.ro now.")]
    [InlineData("Write to ana.popescu @ mail.ro now.")]
    [InlineData("Write to ana.popescu%40mail.ro now.")]
    [InlineData("Write to ana.popescu\uFF20mail.ro now.")]
    [InlineData("Write to Ana.Popescu [AT] Mail [DOT] RO now.")]
    public void Scrub_ReplacesAnAddressSpeltOut_WithTheAddressesToken(string text)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Equal($"Write to {T("email", "ana.popescu@mail.ro")} now.", result.Text);
    }

    [Theory]
    [InlineData("She arrived at home. Then at noon she left at 5.30 for the station at the port.")]
    [InlineData("They met at the bar and stayed at it until dawn.")]
    public void Scrub_LeavesProseWithAt_Alone(string text)
    {
        Assert.Equal(text, _scrubber.Scrub(text, "RO").Text);
    }

    [Fact]
    public void Scrub_ReplacesAnAddressWithLettersOutsideAscii_Whole()
    {
        var result = _scrubber.Scrub("Mail: ioana.mărginean@poştă.ro today.", "RO");

        Assert.Equal($"Mail: {T("email", "ioana.mărginean@poştă.ro")} today.", result.Text);
    }

    [Theory]
    [InlineData("Profile instagram.com/ana_pop08 was used.", "instagram/ana_pop08")]
    [InlineData("Profile https://www.instagram.com/maria.b2008 was used.", "instagram/maria.b2008")]
    [InlineData("Profile tiktok.com/@maria.b2008 was used.", "tiktok/maria.b2008")]
    [InlineData("Profile t.me/jobs_italia_ro was used.", "telegram/jobs_italia_ro")]
    [InlineData("Profile facebook.com/ana.popescu.77 was used.", "facebook/ana.popescu.77")]
    public void Scrub_ReplacesAProfileLink_WithTheHandlesToken(string text, string handle)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Equal($"Profile {T("handle", handle)} was used.", result.Text);
    }

    [Fact]
    public void Scrub_ReplacesAWhatsAppLink_WithThePhonesToken()
    {
        var result = _scrubber.Scrub("Chat via wa.me/40721234567 only.", "RO");

        Assert.Equal($"Chat via {T("phone", "+40721234567")} only.", result.Text);
    }

    [Fact]
    public void Scrub_ReplacesAKnownHandleOfLettersOnly_WrittenBare_WhenItIsNoCommonWord()
    {
        var known = new[] { new KnownIdentifier("handle", "@mariabee", Platform: "instagram"), new KnownIdentifier("handle", "@rose", Platform: "instagram") };

        var result = _scrubber.Scrub("She wrote to mariabee about a rose.", "RO", known);

        Assert.Equal($"She wrote to {T("handle", "instagram/mariabee")} about a rose.", result.Text);
    }

    [Theory]
    [InlineData("Then suspect ION POPESCU fled.", "ION POPESCU")]
    [InlineData("Then suspect Jan van der Berg fled.", "Jan van der Berg")]
    [InlineData("Then suspect Sean O'Brien fled.", "Sean O'Brien")]
    [InlineData("Then suspect Liam McDonald fled.", "Liam McDonald")]
    [InlineData("Then the victim I. Popescu fled.", "I. Popescu")]
    [InlineData("Then her daughter Maria Popescu fled.", "Maria Popescu")]
    [InlineData("Then the mother, Elena Popescu, fled.", "Elena Popescu")]
    [InlineData("Then the suspect Popescu fled.", "Popescu")]
    [InlineData("Then Mrs Dinu fled.", "Dinu")]
    [InlineData("Then the victim Maria fled.", "Maria")]
    [InlineData("Then her daughter Ioana fled.", "Ioana")]
    [InlineData("A witness called Bogdan saw it.", "Bogdan")]
    [InlineData("He went by the alias Bobo.", "Bobo")]
    public void Scrub_ReplacesANameAfterAWordThatIntroducesAPerson(string text, string name)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.DoesNotContain(name, result.Text, StringComparison.Ordinal);
        Assert.Contains(T("name", Normalisers.Name(name)!), result.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Then the suspect Romanian fled.")]
    [InlineData("Then the victim, Sinti, fled.")]
    [InlineData("Then the victim Monday fled.")]
    [InlineData("Then her mother Orthodox fled.")]
    [InlineData("Then the accused Will fled.")]
    [InlineData("Then her brother left.")]
    [InlineData("Then the woman Elena fled.")]
    public void Scrub_LeavesOneWordAfterAPersonWord_WhenItIsACommonWordOrTheWordIntroducesNoName(string text)
    {
        Assert.Equal(text, _scrubber.Scrub(text, "RO").Text);
    }

    [Fact]
    public void Scrub_WidensTheHitThatWinsAnOverlap_SoThatNoPartOfTheOtherIsLeftInClear()
    {
        // The name pattern reads "Ion Via Padova", the address pattern "Via Padova 12": the longer name wins, and the house
        // number the address reached is covered by it rather than left behind.
        var result = _scrubber.Scrub("Then suspect Ion Via Padova 12 fled.", "RO");

        Assert.Equal($"Then suspect {T("name", Normalisers.Name("Ion Via Padova")!)} fled.", result.Text);
    }

    [Fact]
    public void Scrub_TakesAPolishDomainForPartOfTheAddress_NotForASquare()
    {
        var result = _scrubber.Scrub("Offers came from toliinyk81@wp.pl. About EUR 3400 was paid.", "PL");

        Assert.Equal($"Offers came from {T("email", "toliinyk81@wp.pl")}. About EUR 3400 was paid.", result.Text);
    }

    [Fact]
    public void Scrub_TakesAnInternationalNumberWithDoubleZero_ForAPhone_EvenWhenItsDigitsPassTheLuhnCheck()
    {
        Assert.True(Normalisers.Card("0034630551330") is not null, "the example must pass the card check to show anything");

        var result = _scrubber.Scrub("Later she called from 0034630551330.", "RO");

        Assert.Equal($"Later she called from {T("phone", "+34630551330")}.", result.Text);
    }

    [Fact]
    public void Scrub_TakesNoAccountNumberFromAPassportNumberAndTheNextSentence()
    {
        // "FK7590224TheflatAt" has the Falklands' IBAN length and passes its check digits; written in mixed case across a
        // full stop it is no account number, and the passport number stays a document.
        var result = _scrubber.Scrub("He was identified by passport no. FK7590224. The flat at the corner was empty.", "RO");

        Assert.Equal($"He was identified by passport no. {T("document", "FK7590224")}. The flat at the corner was empty.", result.Text);
    }

    [Fact]
    public void Scrub_ReadsAnUpperCaseIsAfterRegistration_AsThePlatesCounty()
    {
        var result = _scrubber.Scrub("A car with registration IS 4920 LJ waited. The registration is B 123 ABC.", "RO");

        Assert.DoesNotContain("IS ", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("4920", result.Text, StringComparison.Ordinal);
        Assert.Contains("The registration is [", result.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ioana Popescu", "Casa Popescului era goală.", "Popescului")]
    [InlineData("Ioana Popescu", "Mama Ioanei a plecat.", "Ioanei")]
    [InlineData("Jan Kowalski", "Samochód Kowalskiego stał.", "Kowalskiego")]
    [InlineData("Nagy Anna", "Nagynak volt.", "Nagynak")]
    [InlineData("Ioana Popescu", "Then Popescus car left.", "Popescus")]
    [InlineData("Hans Müller", "Then Mueller left.", "Mueller")]
    [InlineData("Lars Sørensen", "Then Soerensen left.", "Soerensen")]
    public void Scrub_ReplacesAKnownNameWithAnEnding_OrInItsOtherSpelling(string known, string text, string written)
    {
        var result = _scrubber.Scrub(text, "RO", [new KnownIdentifier("name", known)]);

        Assert.DoesNotContain(written, result.Text, StringComparison.Ordinal);
        Assert.Contains(T("name", Normalisers.Name(known)!), result.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ivan Petrenko", "Потім Іван Петренко поїхав.", "Іван Петренко")]
    [InlineData("Mykhailo Shevchenko", "Then Михайло Шевченко left.", "Михайло Шевченко")]
    [InlineData("Tatyana Ivanova", "Потом Татьяна Иванова уехала.", "Татьяна Иванова")]
    [InlineData("Tatiana Ivanova", "Потом Татьяна Иванова уехала.", "Татьяна Иванова")]
    [InlineData("Hristo Stoichkov", "Тогава Христо Стоичков замина.", "Христо Стоичков")]
    [InlineData("Dragan Đorđević", "Tada je Драган Ђорђевић otišao.", "Драган Ђорђевић")]
    [InlineData("Петренко Іван", "Then Ivan Petrenko left.", "Ivan Petrenko")]
    [InlineData("Шевченко Михайло", "Then Mykhailo Shevchenko left.", "Mykhailo Shevchenko")]
    [InlineData("Юлія Ткаченко", "Then Yuliia Tkachenko left.", "Yuliia Tkachenko")]
    public void Scrub_FindsAKnownName_WrittenInTheOtherScript(string known, string text, string written)
    {
        var result = _scrubber.Scrub(text, "RO", [new KnownIdentifier("name", known)]);

        Assert.Equal(text.Replace(written, T("name", Normalisers.Name(known)!), StringComparison.Ordinal), result.Text);
    }

    [Fact]
    public void Scrub_LeavesCyrillicWordsThatSpellNoKnownName()
    {
        const string text = "Потім Олена поїхала до Києва.";

        var result = _scrubber.Scrub(text, "RO", [new KnownIdentifier("name", "Ivan Petrenko")]);

        Assert.Equal(text, result.Text);
    }

    [Fact]
    public void Scrub_LeavesAWordThatMerelyStartsLikeAShortNamePart()
    {
        // "Ana" is too short to be read with an ending: "Analysis" and "Anatomy" stay.
        const string text = "Analysis of Anatomy followed.";

        Assert.Equal(text, _scrubber.Scrub(text, "RO", [new KnownIdentifier("name", "Ana Pop")]).Text);
    }

    [Theory]
    [InlineData("They threatened the victim. The Police were called.")]
    [InlineData("He hit her mother. In March 2023 she left.")]
    [InlineData("She arrived at home.It was late.")]
    [InlineData("They made a series of 25000 euro transfers.")]
    [InlineData("A transfer series de 15000 lei followed.")]
    public void Scrub_LeavesProse_ThatOnlyLooksLikeAContext(string text)
    {
        Assert.Equal(text, _scrubber.Scrub(text, "RO").Text);
    }

    [Fact]
    public void Scrub_EndsAListOfNames_WhereTheNamesEnd()
    {
        var result = _scrubber.Scrub("The suspects Ion Popescu and others were heard; the raid was on 12.03.2023.", "RO");

        Assert.StartsWith("The suspects [name:", result.Text, StringComparison.Ordinal);
        Assert.EndsWith("] and others were heard; the raid was on 12.03.2023.", result.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Maria Popescu", "Then Mario and Marie left.")]
    [InlineData("Franco Rossi", "Then France was named.")]
    public void Scrub_DoesNotTakeAnotherNameForAKnownPartWithAnEnding(string known, string text)
    {
        var result = _scrubber.Scrub(text, "RO", [new KnownIdentifier("name", known)]);

        Assert.Equal(text, result.Text);
    }

    [Theory]
    [InlineData("The victim Ana Ionescu's phone was seized.", "Ana Ionescu")]
    [InlineData("Mrs Dinu's house was searched.", "Dinu")]
    [InlineData("The victim (Ana Ionescu) was heard.", "Ana Ionescu")]
    [InlineData("The victim: Ana Ionescu was heard.", "Ana Ionescu")]
    [InlineData("Then Frau Müller left.", "Müller")]
    [InlineData("Then Doamna Dinu left.", "Dinu")]
    [InlineData("The suspects Ion Popescu, Vasile Rusu and Dan Stan fled.", "Rusu")]
    [InlineData("The suspects Ion Popescu, Vasile Rusu and Dan Stan fled.", "Stan")]
    [InlineData("The victims Ana Ionescu and Maria Popa were heard.", "Popa")]
    public void Scrub_ReplacesANameAfterAPersonWord_WithPossessiveOrPunctuation(string text, string name)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.DoesNotContain(name, result.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Victima, născută la 12 martie 2008, a fost recrutată.")]
    [InlineData("La ragazza, nata il 3 marzo 2008, fu reclutata.")]
    [InlineData("La fille, née le 3 mars 2008, a été recrutée.")]
    [InlineData("Das Mädchen, geboren am 5. März 2006, wurde angeworben.")]
    [InlineData("La niña, nacida el 3 de marzo de 2008, fue captada.")]
    [InlineData("Dziewczyna, urodzona 3 marca 2008, została zwerbowana.")]
    [InlineData("Data nașterii: 12.03.2008, conform actelor.")]
    [InlineData("Geburtsdatum 12.03.2008 laut Akte.")]
    [InlineData("Date of birth of the victim: 12.03.2008, as stated.")]
    [InlineData("Her date of birth was given as 12.03.2008 at the hearing.")]
    [InlineData("She was born in Iasi on 12.03.2008 and left.")]
    public void Scrub_ReplacesADateOfBirth_WithTheMonthInTheCasesLanguages(string text)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Equal(1, result.Counts.GetValueOrDefault("dob"));
        Assert.DoesNotContain("2008", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("2006", result.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Her CNP, 6080312123456, was verified.", "6080312123456")]
    [InlineData("Her CNP (6080312123456) was verified.", "6080312123456")]
    [InlineData("Her C.N.P. 6080312123456 was verified.", "6080312123456")]
    [InlineData("Her codice fiscale rssmra08c52h501u was verified.", "RSSMRA08C52H501U")]
    public void Scrub_ReplacesAPersonalNumber_WithPunctuationOrInLowerCase(string text, string core)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Contains(T("document", core), result.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("He called from \U0001D7CE\U0001D7D5\U0001D7D0\U0001D7CF \U0001D7D0\U0001D7D1\U0001D7D2 \U0001D7D3\U0001D7D4\U0001D7D5 twice.")] // mathematical bold digits
    [InlineData("He called from 0\uFE0F\u20E37\uFE0F\u20E32\uFE0F\u20E31\uFE0F\u20E3 234 567 twice.")] // keycap digits
    [InlineData("He called from \u24EA\u2466\u2461\u2460 \u2461\u2462\u2463 \u2464\u2465\u2466 twice.")] // circled digits
    [InlineData("He called from 0721\u00B7234\u00B7567 twice.")] // middle dots
    public void Scrub_ReplacesPhone_WrittenWithFancyDigitsOrDots(string text)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Equal($"He called from {T("phone", "+40721234567")} twice.", result.Text);
    }

    [Theory]
    [InlineData("Profile www.facebook.com/profile.php?id=100012345678 was used.", "100012345678")]
    [InlineData("Profile facebook.com/people/Ana-Popescu/100012345678 was used.", "Popescu")]
    [InlineData("Profile instagram.com/stories/ana_pop08/31234 was used.", "ana_pop08")]
    [InlineData("Profile web.facebook.com/ana.popescu.77 was used.", "ana.popescu")]
    [InlineData("Profile youtube.com/@anapop08 was used.", "anapop08")]
    [InlineData("Profile api.whatsapp.com/send?phone=40721234567 was used.", "721234567")]
    public void Scrub_ReplacesTheWholeLink_WhereItNamesThePerson(string text, string leak)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.DoesNotContain(leak, result.Text, StringComparison.Ordinal);
        Assert.Matches(@"^Profile \[(handle|phone):[a-z2-7]{26}\] was used\.$", result.Text);
    }

    [Fact]
    public void Scrub_FindsAKnownNameGivenWithoutMarks_WrittenWithThem()
    {
        var result = _scrubber.Scrub("Then Herr Müller and Muller left.", "RO", [new KnownIdentifier("name", "Klaus Mueller")]);

        Assert.DoesNotContain("ller", result.Text, StringComparison.Ordinal);
    }

    // Without a region the scrubber skips libphonenumber for what it would refuse anyway: that skip must never lose a
    // number libphonenumber accepts, and must cover what it refuses for want of a country code.
    [Theory]
    [InlineData("+40 721 234 567", true)]
    [InlineData("++40 721 234 567", true)]
    [InlineData("(+40) 721 234 567", true)]
    [InlineData("+ 40 721 234 567", true)]
    [InlineData("\uFF0B40 721 234 567", true)]
    [InlineData("+\u0664\u0660 721 234 567", true)]
    [InlineData("+1-800-FLOWERS", true)]
    [InlineData("+00000001", false)]
    [InlineData("+0040721234567", false)]
    [InlineData("+(0)721 234 567", false)]
    [InlineData("0721 234 567", false)]
    [InlineData("(0721) 234.567", false)]
    [InlineData("0000000001", false)]
    [InlineData("40721234567", false)]
    public void CountryCodeCheck_AgreesWithLibphonenumber_WithoutARegion(string candidate, bool worthParsing)
    {
        Assert.Equal(worthParsing, TextScrubber.StartsWithCountryCode(candidate));
        if (worthParsing) return;
        var refused = Assert.Throws<PhoneNumbers.NumberParseException>(() => PhoneNumbers.PhoneNumberUtil.GetInstance().Parse(candidate, "ZZ"));
        Assert.Equal(PhoneNumbers.ErrorType.INVALID_COUNTRY_CODE, refused.ErrorType);
    }

    [Theory]
    [InlineData("Case no. 0000001234 was opened.", null)]
    [InlineData("Call 0040 721 234 567 now.", "+40721234567")]
    public void Scrub_WithoutARegion_ReadsInternationalNumbers_AndLeavesZeroPaddedReferences(string text, string? phone)
    {
        var result = _scrubber.Scrub(text, defaultRegion: null);

        if (phone is null) Assert.Equal(text, result.Text);
        else Assert.Equal($"Call {T("phone", phone)} now.", result.Text);
    }

    [Theory]
    [InlineData("The recruitment began in 2019 and lasted until 2021.")]
    [InlineData("She was paid EUR 15000 for the season.")]
    [InlineData("See case 2023/114 of the tribunal.")]
    [InlineData("Between 12.03.2019 and 15.04.2019 she worked 7 days a week.")]
    [InlineData("The period 2019-2020 is covered.")]
    [InlineData("A total of 1234567 lei was seized.")]
    public void Scrub_LeavesNumbersThatAreNotPhones(string text)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Equal(text, result.Text);
        Assert.Empty(result.Counts);
    }

    [Theory]
    [InlineData("Paid into RO49 AAAA 1B31 0075 9384 0000 monthly.")]
    [InlineData("Paid into RO49AAAA1B31007593840000 monthly.")]
    public void Scrub_ReplacesIban_WithOrWithoutSpaces(string text)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Equal($"Paid into {T("iban", "RO49AAAA1B31007593840000")} monthly.", result.Text);
    }

    [Fact]
    public void Scrub_LeavesIbanLookalike_WhenCheckDigitsWrong()
    {
        const string text = "Paid into RO48 AAAA 1B31 0075 9384 0000 monthly.";

        Assert.DoesNotContain("iban", _scrubber.Scrub(text, "RO").Text);
    }

    [Fact]
    public void Scrub_ReplacesCard_WhenLuhnValid()
    {
        var result = _scrubber.Scrub("Card 4111-1111-1111-1111 was used; 4111 1111 1111 1112 was not a card.", "RO");

        Assert.Equal($"Card {T("card", "4111111111111111")} was used; 4111 1111 1111 1112 was not a card.", result.Text);
    }

    [Fact]
    public void Scrub_ReplacesWallets_WhenChecksumValid()
    {
        var result = _scrubber.Scrub(
            "BTC to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa and bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq, ETH to 0x52908400098527886E0F7030069857D2E4169EE7; not 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb.",
            "RO");

        Assert.Equal(
            $"BTC to {T("wallet", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")} and {T("wallet", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")}, ETH to {T("wallet", "0x52908400098527886e0f7030069857d2e4169ee7")}; not 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb.",
            result.Text);
        Assert.Equal(3, result.Counts["wallet"]);
    }

    [Fact]
    public void Scrub_ReplacesHandles_WithPlatformWhenNamed()
    {
        var result = _scrubber.Scrub("He wrote as @lux_boy and on instagram: maria.b99 later.", "RO");

        Assert.Equal($"He wrote as {T("handle", "other/lux_boy")} and on instagram: {T("handle", "instagram/maria.b99")} later.", result.Text);
        Assert.Equal(2, result.Counts["handle"]);
    }

    [Fact]
    public void Scrub_FindsEveryEmail_AfterAnAtThatStartsNoAddress()
    {
        var result = _scrubber.Scrub("Sent @ 10:00 to a@b, then to ana.pop@mail.ro and ion@mail.com.", "RO");

        Assert.Equal(2, result.Counts["email"]);
        Assert.Contains(T("email", "ana.pop@mail.ro"), result.Text);
        Assert.Contains(T("email", "ion@mail.com"), result.Text);
    }

    [Fact]
    public void Scrub_FindsBothIbans_WhenTheyFollowEachOther()
    {
        var result = _scrubber.Scrub("Paid ab12 from RO49AAAA1B31007593840000 to DE89370400440532013000 twice.", "RO");

        Assert.Equal($"Paid ab12 from {T("iban", "RO49AAAA1B31007593840000")} to {T("iban", "DE89370400440532013000")} twice.", result.Text);
    }

    [Fact]
    public void Scrub_FindsPlatformHandles_WithSpacesAndAWordBeforeTheSeparator()
    {
        var result = _scrubber.Scrub("Found on tiktok   account :  @maria_b and telegram=anna_k later.", "RO");

        Assert.Equal(2, result.Counts["handle"]);
        Assert.Contains(T("handle", "tiktok/maria_b"), result.Text);
        Assert.Contains(T("handle", "telegram/anna_k"), result.Text);
    }

    [Fact]
    public void Scrub_DoesNotTakeEmailDomainForHandle()
    {
        var result = _scrubber.Scrub("Mail: anna@mail.com", "RO");

        Assert.False(result.Counts.ContainsKey("handle"));
        Assert.Equal(1, result.Counts["email"]);
    }

    [Fact]
    public void Scrub_ReplacesKnownPhone_WrittenInOtherFormat()
    {
        // A German mobile written nationally in a Romanian case: only recognisable because the structure gave it.
        var known = new[] { new KnownIdentifier("phone", "+49 151 23456789", "DE") };

        var result = _scrubber.Scrub("He used 0151 2345 6789 and 0049 151 23456789.", "RO", known);

        var token = T("phone", "+4915123456789");
        Assert.Equal($"He used {token} and {token}.", result.Text);
    }

    [Fact]
    public void Scrub_ReplacesKnownIban_WithSpacesAndLowerCase()
    {
        var known = new[] { new KnownIdentifier("iban", "GB82WEST12345698765432") };

        var result = _scrubber.Scrub("Money went to gb82 west 1234 5698 7654 32.", "RO", known);

        Assert.Equal($"Money went to {T("iban", "GB82WEST12345698765432")}.", result.Text);
    }

    [Fact]
    public void Scrub_ReplacesKnownUnvalidatedIdentifier_FromItsRawForm()
    {
        // Fails mod-97, so only the structured part can tell us it is an IBAN.
        var known = new[] { new KnownIdentifier("iban", "RO00 BANK 0000 1111 2222 3333") };

        var result = _scrubber.Scrub("Transfers to RO00BANK0000111122223333 were made.", "RO", known);

        Assert.Equal($"Transfers to {T("iban", "RO00 BANK 0000 1111 2222 3333")} were made.", result.Text);
    }

    [Fact]
    public void Scrub_ReplacesKnownDocumentAndPlate_InOtherFormats()
    {
        var known = new[]
        {
            new KnownIdentifier("document", "XB123456", "RO"),
            new KnownIdentifier("plate", "B-123-ABC", "RO"),
        };

        var result = _scrubber.Scrub("A car B 123 ABC was used; papers xb-123456 were found.", "RO", known);

        Assert.Equal($"A car {T("plate", "RO/B123ABC")} was used; papers {T("document", "RO/XB123456")} were found.", result.Text);
    }

    [Theory]
    [InlineData("Ion Popescu recruited her.")]
    [InlineData("POPESCU, Ion recruited her.")]
    [InlineData("Ión Popéscu recruited her.")]
    [InlineData("Popescu recruited her.")]
    [InlineData("Ion recruited her.")]
    public void Scrub_ReplacesKnownName_FullReorderedOrPartial(string text)
    {
        var known = new[] { new KnownIdentifier("name", "Ion Popescu") };

        var result = _scrubber.Scrub(text, "RO", known);

        Assert.Equal($"{T("name", "ion popescu")} recruited her.", result.Text);
        Assert.Equal(1, result.Counts["name"]);
    }

    [Fact]
    public void Scrub_LeavesCommonWordPartOfName_WhenAlone()
    {
        var known = new[] { new KnownIdentifier("name", "Grace Brown") };

        var result = _scrubber.Scrub("By the grace of the court, Grace Brown was heard; a brown van.", "RO", known);

        Assert.Equal($"By the grace of the court, {T("name", "brown grace")} was heard; a brown van.", result.Text);
    }

    [Theory]
    [InlineData("The girl, born 12.03.2009, was recruited.", "The girl, born [dob], was recruited.")]
    [InlineData("The girl (DOB: 2009-03-12) was recruited.", "The girl (DOB: [dob]) was recruited.")]
    [InlineData("She was born on 12 March 2009 in Iasi.", "She was born on [dob] in [place:RO].")]
    [InlineData("Date of birth March 12, 2009.", "Date of birth [dob].")]
    [InlineData("Her date of birth is 02.06.2008 as stated.", "Her date of birth is [dob] as stated.")]
    [InlineData("The girl (b. 02.06.2008) was recruited.", "The girl (b. [dob]) was recruited.")]
    [InlineData("She was born on the 2nd of June 2008.", "She was born on the [dob].")]
    [InlineData("Her birthday 14.03.2009 was noted.", "Her birthday [dob] was noted.")]
    [InlineData("Victima, născută la 14.03.2009, a fost recrutată.", "Victima, născută la [dob], a fost recrutată.")]
    [InlineData("La ragazza, nata il 14.03.2009, fu reclutata.", "La ragazza, nata il [dob], fu reclutata.")]
    [InlineData("Das Mädchen, geboren am 14.03.2009, wurde angeworben.", "Das Mädchen, geboren am [dob], wurde angeworben.")]
    [InlineData("The girl, born 12-Mar-2009, was recruited.", "The girl, born [dob], was recruited.")]
    [InlineData("The girl, born 12.III.2009, was recruited.", "The girl, born [dob], was recruited.")]
    [InlineData("The girl (DOB 3 xii 2009) was recruited.", "The girl (DOB [dob]) was recruited.")]
    [InlineData("The girl (d.o.b. 03.Dec.09) was recruited.", "The girl (d.o.b. [dob]) was recruited.")]
    [InlineData("She was born in a small village near the border on 12.03.2009.", "She was born in a small village near the border on [dob].")]
    public void Scrub_ReplacesDateOfBirth_NearContextWord(string text, string expected)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Equal(expected, result.Text);
        Assert.Equal(1, result.Counts["dob"]);
    }

    [Fact]
    public void Scrub_LeavesDate_WithoutBirthContext()
    {
        const string text = "The raid took place on 12.03.2023.";

        Assert.Equal(text, _scrubber.Scrub(text, "RO").Text);
    }

    [Fact]
    public void Scrub_ReplacesDocumentNumber_AfterPassport()
    {
        var result = _scrubber.Scrub("Her passport no. XA1234567 was withheld; the passport was later found.", "RO");

        Assert.Equal($"Her passport no. {T("document", "XA1234567")} was withheld; the passport was later found.", result.Text);
    }

    [Theory]
    [InlineData("Her CNP 6080602123456 was on file.", "6080602123456")]
    [InlineData("Her CNP: 6080602123456 was on file.", "6080602123456")]
    [InlineData("Her personal number 6080602123456 was on file.", "6080602123456")]
    [InlineData("Her PESEL: 09231412345 was on file.", "09231412345")]
    [InlineData("Her codice fiscale RSSMRA85T10A562S was on file.", "RSSMRA85T10A562S")]
    [InlineData("Her NIE X1234567L was on file.", "X1234567L")]
    [InlineData("Her passport number is AB1234567 was on file.", "AB1234567")]
    [InlineData("Her passport ab1234567 was on file.", "AB1234567")]
    [InlineData("Her passport AB 123 4567 was on file.", "AB1234567")]
    [InlineData("Her ID card series RX no. 123456 was on file.", "RX123456")]
    [InlineData("Her CI seria RX nr. 123456 was on file.", "RX123456")]
    public void Scrub_ReplacesPersonalAndDocumentNumbers_AfterTheirWords(string text, string core)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Contains(T("document", core), result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(core[^4..], result.Text.Replace(T("document", core), "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("The number plate is B 123 ABC here.", "B123ABC")]
    [InlineData("The car registered as B-123-ABC here.", "B123ABC")]
    [InlineData("The plate b-123-abc here.", "B123ABC")]
    public void Scrub_ReplacesPlates_WithFillerWordsOrInLowerCase(string text, string core)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.Contains(T("plate", core), result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("123", result.Text.Replace(T("plate", core), "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Scrub_ReplacesIdCardAndPlate_AfterContextWords()
    {
        var result = _scrubber.Scrub("ID card RX 123456 seized; licence plate: IS 07 XYZ.", "RO");

        Assert.Equal($"ID card {T("document", "RX123456")} seized; licence plate: {T("plate", "IS07XYZ")}.", result.Text);
    }

    [Fact]
    public void Scrub_ReplacesNumberAfterTel_EvenWhenNotAValidPhone()
    {
        var result = _scrubber.Scrub("Tel. 0999 111 22 was written on the note.", "RO");

        Assert.Equal($"Tel. {T("phone", "099911122")} was written on the note.", result.Text);
    }

    [Fact]
    public void Scrub_ReplacesKnownCaseReference()
    {
        var context = _scrubber.Prepare("RO", [], "DOS 123/2023", "DIICOT");

        var result = _scrubber.Scrub("Joined with dos 123/2023 last year.", context);

        Assert.Equal($"Joined with [{_tokeniser.TokenForCaseReference("DOS 123/2023", "DIICOT")}] last year.", result.Text);
    }

    [Fact]
    public void Scrub_PrefersLongestHit_WhenOverlapping()
    {
        // "john.doe" is also a known handle; the e-mail around it is longer and wins.
        var known = new[] { new KnownIdentifier("handle", "@john.doe", null, "instagram") };

        var result = _scrubber.Scrub("Write to john.doe@example.com now.", "RO", known);

        Assert.Equal($"Write to {T("email", "john.doe@example.com")} now.", result.Text);
    }

    [Fact]
    public void Scrub_ReturnsDistinctTokens()
    {
        var result = _scrubber.Scrub("Call +40 721 234 567 or 0721 234 567.", "RO");

        Assert.Single(result.Tokens);
        Assert.Equal(2, result.Counts["phone"]);
    }

    [Fact]
    public void Scrub_FindsBothIbans_WhenWrittenBackToBack()
    {
        var result = _scrubber.Scrub("Accounts GB82 WEST 1234 5698 7654 32 DE89 3704 0044 0532 0130 00 were frozen.", "RO");

        Assert.Equal($"Accounts {T("iban", "GB82WEST12345698765432")} {T("iban", "DE89370400440532013000")} were frozen.", result.Text);
    }

    [Fact]
    public void Scrub_FindsBothCards_WhenWrittenBackToBack()
    {
        var result = _scrubber.Scrub("Cards 4111 1111 1111 1111 5500 0000 0000 0004 were used.", "RO");

        Assert.Equal($"Cards {T("card", "4111111111111111")} {T("card", "5500000000000004")} were used.", result.Text);
    }

    [Fact]
    public void Scrub_ReplacesKnownHandle_WrittenWithoutAt()
    {
        var known = new[] { new KnownIdentifier("handle", "@maria.b08", null, "instagram") };

        var result = _scrubber.Scrub("Her account Maria.B08 was deleted; @maria.b08 came back.", "RO", known);

        var token = T("handle", "instagram/maria.b08");
        Assert.Equal($"Her account {token} was deleted; {token} came back.", result.Text);
    }

    [Fact]
    public void Scrub_ReplacesKnownInvalidEmail_Exactly()
    {
        var known = new[] { new KnownIdentifier("email", "maria@localhost") };

        var result = _scrubber.Scrub("She wrote from maria@localhost twice.", "RO", known);

        Assert.Equal($"She wrote from {T("email", "maria@localhost")} twice.", result.Text);
    }

    [Fact]
    public void Scrub_ReplacesKnownName_WrittenInDecomposedUnicode()
    {
        var known = new[] { new KnownIdentifier("name", "Ștefan Văduva") };
        var decomposed = "Stefan Va\u0306duva left.".Normalize(System.Text.NormalizationForm.FormD);

        var result = _scrubber.Scrub(decomposed, "RO", known);

        Assert.Equal($"{T("name", "stefan vaduva")} left.", result.Text);
    }

    [Fact]
    public void Scrub_LeavesTextUnchanged_WhenNothingToFind()
    {
        const string text = "The victims were moved by bus from Romania to Germany in March.";

        var result = _scrubber.Scrub(text, "RO", [new KnownIdentifier("name", "Ion Popescu")]);

        Assert.Equal(text, result.Text);
        Assert.Empty(result.Tokens);
    }

    [Theory]
    [InlineData("The victim, Ana Ionescu, was recruited in the village.", "Ana Ionescu")]
    [InlineData("Suspect Ion-Vasile Popescu drove the car.", "Ion-Vasile Popescu")]
    [InlineData("A man called Petru Rusu organised the transport.", "Petru Rusu")]
    [InlineData("She met Mrs. Elena Dinu at the station.", "Elena Dinu")]
    [InlineData("the recruiters Ştefan Mureşan and others", "Ştefan Mureşan")]
    public void AName_ThatAWordIntroducesAsAPerson_IsReplaced_EvenWhenTheStructuredPartDoesNotGiveIt(string text, string name)
    {
        var result = _scrubber.Scrub(text, "RO");

        Assert.DoesNotContain(name, result.Text);
        Assert.Contains("[name:", result.Text);
        Assert.Equal(1, result.Counts[IdentifierTypes.Name]);
    }

    [Theory]
    [InlineData("The victim, Romanian, was recruited online.")]
    [InlineData("The suspect called her every day.")]
    [InlineData("Victims were moved by car.")]
    public void AWordIntroducingAPerson_WithoutTwoCapitalisedWordsAfterIt_ChangesNothing(string text)
    {
        Assert.Equal(text, _scrubber.Scrub(text, "RO").Text);
    }

    [Fact]
    public void ANameTheStructuredPartGives_KeepsItsToken_WhenAWordIntroducesIt()
    {
        var known = new[] { new KnownIdentifier(IdentifierTypes.Name, "Ana Ionescu") };
        var alone = _scrubber.Scrub("Ana Ionescu left.", "RO", known);
        var introduced = _scrubber.Scrub("The victim, Ana Ionescu, left.", "RO", known);

        Assert.Equal(alone.Tokens, introduced.Tokens);
    }
}
