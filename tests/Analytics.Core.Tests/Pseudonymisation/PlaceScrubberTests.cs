using Analytics.Core.Pseudonymisation;

namespace Analytics.Core.Tests.Pseudonymisation;

public class PlaceScrubberTests
{
    private readonly TextScrubber _scrubber = new(TestKeys.Tokeniser());

    private string Scrub(string text) => _scrubber.Scrub(text, "IT").Text;

    [Fact]
    public void Scrub_ReplacesCityAndStreet_KeepingOnlyTheCountry()
    {
        var result = _scrubber.Scrub("In 2023 she was moved to Milan and kept in a flat at Via Padova 12.", "IT");

        Assert.Equal("In 2023 she was moved to [place:IT] and kept in a flat at [address].", result.Text);
        Assert.Equal(1, result.Counts[TextScrubber.PlaceType]);
        Assert.Equal(1, result.Counts[TextScrubber.AddressType]);
        Assert.Empty(result.Tokens);
    }

    [Theory]
    [InlineData("kept at 12 Baker Street until May", "kept at [address] until May")]
    [InlineData("kept at Str. Libertății nr. 12 until May", "kept at [address] until May")]
    [InlineData("kept at Strada Mihai Eminescu 4 until May", "kept at [address] until May")]
    [InlineData("kept at Via Padova 12 until May", "kept at [address] until May")]
    [InlineData("kept at via dei Mille, 5 until May", "kept at [address] until May")]
    [InlineData("kept at Calle Mayor 5 until May", "kept at [address] until May")]
    [InlineData("kept at Calle Mayor, nº 5 until May", "kept at [address] until May")]
    [InlineData("kept at rue de la Paix 3 until May", "kept at [address] until May")]
    [InlineData("kept at 3 rue de la Paix until May", "kept at [address] until May")]
    [InlineData("kept at Hauptstraße 7 until May", "kept at [address] until May")]
    [InlineData("kept at Bahnhofstr. 12 until May", "kept at [address] until May")]
    [InlineData("kept at Berliner Straße 5 until May", "kept at [address] until May")]
    [InlineData("kept at ul. Długa 15/4 until May", "kept at [address] until May")]
    [InlineData("kept at bul. Vitosha 20 until May", "kept at [address] until May")]
    [InlineData("kept at Keizersgracht 123 until May", "kept at [address] until May")]
    [InlineData("kept at Bd. Unirii nr. 5, bl. A3, sc. 2, ap. 14 until May", "kept at [address] until May")]
    [InlineData("kept at Flat 3, 45 Queen Victoria Road until May", "kept at [address] until May")]
    public void Scrub_ReplacesStreetAddresses_InTheMainEuropeanForms(string text, string expected) =>
        Assert.Equal(expected, Scrub(text));

    [Theory]
    [InlineData("kept at Via Padova 12, 20121 Milano.", "kept at [address] [place:IT].")]
    [InlineData("kept at ul. Długa 15, 00-238 Warszawa.", "kept at [address] [place:PL].")]
    [InlineData("kept at 12 Baker Street, NW1 6XE London.", "kept at [address] [place:GB].")]
    [InlineData("kept at Kerkstraat 5, 1017 GB Amsterdam.", "kept at [address] [place:NL].")]
    public void Scrub_TakesThePostcodeWithTheAddress(string text, string expected) =>
        Assert.Equal(expected, Scrub(text));

    [Fact]
    public void Scrub_FindsAnAddressSplitAcrossLines()
    {
        Assert.Equal("kept at [address] for months", Scrub("kept at Via Padova\n12 for months"));
        Assert.Equal("kept at [address] for months", Scrub("kept at Strada\nMihai Eminescu 4 for months"));
    }

    [Theory]
    [InlineData("She travelled via Hungary and Austria to Italy in 2 days.")]
    [InlineData("They were driven 1 200 km via Hungary.")]
    [InlineData("The offence falls under Art. 210 of the Criminal Code.")]
    [InlineData("She worked 14 hours a day for 300 euros a month.")]
    [InlineData("In 2021 Brown Street traffickers were arrested.")]
    [InlineData("The victims came from Romania, Moldova and Luxembourg.")]
    public void Scrub_LeavesRoutesNumbersAndCountries(string text) => Assert.Equal(text, Scrub(text));

    [Theory]
    [InlineData("She was moved to Reggio Emilia.", "She was moved to [place:IT].")]
    [InlineData("She was moved to Cluj-Napoca.", "She was moved to [place:RO].")]
    [InlineData("She was moved to Frankfurt am Main.", "She was moved to [place:DE].")]
    [InlineData("She was moved to Stoke-on-Trent.", "She was moved to [place:GB].")]
    [InlineData("She was moved to Benin City.", "She was moved to [place:NG].")]
    [InlineData("She was moved to Ho Chi Minh City.", "She was moved to [place:VN].")]
    [InlineData("She was moved to Reggio\nEmilia.", "She was moved to [place:IT].")]
    public void Scrub_MatchesMultiWordCities(string text, string expected) => Assert.Equal(expected, Scrub(text));

    [Theory]
    [InlineData("She was held in Iași.", "RO")]
    [InlineData("She was held in Iasi.", "RO")]
    [InlineData("She was held in Iaşi.", "RO")]
    [InlineData("She was held in Łódź.", "PL")]
    [InlineData("She was held in Lodz.", "PL")]
    [InlineData("She was held in München.", "DE")]
    [InlineData("She was held in Muenchen.", "DE")]
    [InlineData("She was held in Munich.", "DE")]
    [InlineData("She was held in Chișinău.", "MD")]
    [InlineData("She was held in İstanbul.", "TR")]
    [InlineData("She was held in Đà Nẵng.", "VN")]
    [InlineData("She was held in MILANO.", "IT")]
    public void Scrub_MatchesLocalEnglishAndFoldedSpellings(string text, string country) =>
        Assert.Equal($"She was held in [place:{country}].", Scrub(text));

    [Theory]
    [InlineData("She was taken to Nice in June.", "She was taken to [place:FR] in June.")]
    [InlineData("He lived near Split.", "He lived near [place:HR].")]
    [InlineData("They arrived from Sofia by bus.", "They arrived from [place:BG] by bus.")]
    [InlineData("She was found in Bath.", "She was found in [place:GB].")]
    [InlineData("He worked at 21000 Split.", "He worked at 21000 [place:HR].")]
    public void Scrub_TakesCommonWordCities_AfterAPlaceWord(string text, string expected) => Assert.Equal(expected, Scrub(text));

    [Theory]
    [InlineData("Nice people helped her.")]
    [InlineData("Split between two flats, the group moved often.")]
    [InlineData("Reading the chats, the police found the route.")]
    [InlineData("Sofia said she was afraid.")]
    [InlineData("Bath towels were sold.")]
    [InlineData("The milanese group, in milan and rome, was lower-case.")]
    [InlineData("The BAR and the NIS office.")]
    public void Scrub_LeavesCommonWordCities_WithoutAPlaceWord(string text) => Assert.Equal(text, Scrub(text));

    [Fact]
    public void Scrub_DoesNotMatchCitiesInsideLongerWords()
    {
        Assert.Equal("The Milanese court and Romania.", Scrub("The Milanese court and Romania."));
        Assert.Equal("Parisian police.", Scrub("Parisian police."));
    }

    [Fact]
    public void Scrub_KnownNameWins_OverACityOfTheSameSpelling()
    {
        var tokeniser = TestKeys.Tokeniser();
        var result = new TextScrubber(tokeniser).Scrub("Milan was recruited in Milan.", "NL", [new KnownIdentifier(IdentifierTypes.Name, "Milan de Jong")]);

        var name = "[" + tokeniser.TokenAndNormalise(IdentifierTypes.Name, "Milan de Jong", null, null, "NL", out _) + "]";
        Assert.Equal($"{name} was recruited in {name}.", result.Text);
        Assert.False(result.Counts.ContainsKey(TextScrubber.PlaceType));
    }

    [Fact]
    public void Gazetteer_HasCapitalsOfEveryRegion_AndNoCountryName()
    {
        var places = Gazetteer.Default.Places.ToList();
        Assert.True(Gazetteer.Default.Count >= 500, $"{Gazetteer.Default.Count} spellings");
        foreach (var (capital, country) in new[]
        {
            ("Vienna", "AT"), ("Brussels", "BE"), ("Sofia", "BG"), ("Zagreb", "HR"), ("Nicosia", "CY"), ("Prague", "CZ"),
            ("Copenhagen", "DK"), ("Tallinn", "EE"), ("Helsinki", "FI"), ("Paris", "FR"), ("Berlin", "DE"), ("Athens", "GR"),
            ("Budapest", "HU"), ("Dublin", "IE"), ("Rome", "IT"), ("Riga", "LV"), ("Vilnius", "LT"), ("Luxembourg City", "LU"),
            ("Valletta", "MT"), ("Amsterdam", "NL"), ("Warsaw", "PL"), ("Lisbon", "PT"), ("Bucharest", "RO"), ("Bratislava", "SK"),
            ("Ljubljana", "SI"), ("Madrid", "ES"), ("Stockholm", "SE"), ("Reykjavík", "IS"), ("Oslo", "NO"), ("Vaduz", "LI"),
            ("Bern", "CH"), ("London", "GB"), ("Tirana", "AL"), ("Sarajevo", "BA"), ("Podgorica", "ME"), ("Skopje", "MK"),
            ("Belgrade", "RS"), ("Pristina", "XK"), ("Kyiv", "UA"), ("Chișinău", "MD"), ("Ankara", "TR"), ("Abuja", "NG"),
            ("Hanoi", "VN"), ("Beijing", "CN"),
        })
        {
            var words = Gazetteer.Words(capital);
            Assert.Contains(places, p => p.Country == country && p.Words.SequenceEqual(words));
        }
        Assert.DoesNotContain(places, p => p.Words.SequenceEqual(["luxembourg"]) || p.Words.SequenceEqual(["monaco"]));
    }
}
