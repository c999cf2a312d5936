using System.Globalization;

namespace Analytics.Core.Synthetic;

/// <summary>Cities and street addresses the generator writes into narratives (every city is in the scrubber's gazetteer).</summary>
internal static class SyntheticPlaces
{
    private sealed record CountryPlaces(string[] Cities, Func<Random, string> Address);

    private static string N(Random rng, int max) => rng.Next(1, max).ToString(CultureInfo.InvariantCulture);

    private static T P<T>(Random rng, T[] items) => items[rng.Next(items.Length)];

    private static readonly IReadOnlyDictionary<string, CountryPlaces> Places = new Dictionary<string, CountryPlaces>(StringComparer.Ordinal)
    {
        ["RO"] = new(["Bucharest", "Iași", "Constanța", "Craiova", "Galați", "Timișoara", "Brașov", "Bacău", "Călărași", "Cluj-Napoca"],
            r => P(r, ["Strada ", "Strada ", "Bulevardul "]) + P(r, ["Libertății", "Mihai Eminescu", "Florilor", "Unirii", "Independenței", "Păcurari"]) + P(r, [" nr. ", " "]) + N(r, 120)),
        ["MD"] = new(["Chișinău", "Bălți", "Cahul", "Ungheni", "Orhei", "Soroca"],
            r => "Strada " + P(r, ["Ismail", "Alba Iulia", "Mihai Viteazul", "Calea Ieșilor"]) + " " + N(r, 90)),
        ["IT"] = new(["Milan", "Rome", "Turin", "Naples", "Bologna", "Verona", "Padua", "Brescia", "Reggio Emilia", "Castel Volturno", "Palermo"],
            r => P(r, ["Via Padova", "Via dei Mille", "Corso Buenos Aires", "Viale Monza", "Via Roma", "Piazza Garibaldi", "Via Nazionale"]) + P(r, [" ", ", "]) + N(r, 200)),
        ["BG"] = new(["Sofia", "Plovdiv", "Varna", "Burgas", "Sliven", "Pleven"],
            r => P(r, ["ulitsa Graf Ignatiev", "bulevard Vitosha", "ulitsa Pirotska", "bulevard Maria Luiza"]) + " " + N(r, 80)),
        ["PL"] = new(["Warsaw", "Kraków", "Łódź", "Wrocław", "Poznań", "Gdańsk", "Lublin"],
            r => P(r, ["ulica Długa", "ulica Marszałkowska", "ulica Piotrkowska", "ulica Grodzka"]) + " " + N(r, 150)),
        ["DE"] = new(["Berlin", "Hamburg", "Munich", "Frankfurt", "Cologne", "Düsseldorf", "Dortmund", "Leipzig"],
            r => P(r, ["Hauptstraße", "Kurfürstenstraße", "Bahnhofstraße", "Oranienburger Straße", "Lindenallee", "Steindamm"]) + " " + N(r, 120)),
        ["AT"] = new(["Vienna", "Graz", "Linz", "Salzburg", "Innsbruck"],
            r => P(r, ["Mariahilfer Straße", "Praterstraße", "Gürtelgasse", "Hauptplatz", "Felberstraße"]) + " " + N(r, 90)),
        ["ES"] = new(["Madrid", "Barcelona", "Valencia", "Seville", "Málaga", "Almería", "Murcia", "Bilbao"],
            r => P(r, ["Calle Mayor", "Calle de Alcalá", "Avenida de América", "Carrer de Sants", "Calle Montera"]) + P(r, [" ", ", "]) + N(r, 140)),
        ["GR"] = new(["Athens", "Thessaloniki", "Patras", "Heraklion", "Volos"],
            r => P(r, ["Odos Acharnon", "Leoforos Alexandras", "Odos Patision", "Odos Egnatia"]) + " " + N(r, 200)),
        ["GB"] = new(["London", "Birmingham", "Manchester", "Leeds", "Glasgow", "Sheffield", "Bradford"],
            r => N(r, 200) + " " + P(r, ["Baker Street", "Green Lane", "Victoria Road", "Park Avenue", "Station Road", "Church Street"])),
        ["FR"] = new(["Paris", "Marseille", "Lyon", "Toulouse", "Lille", "Strasbourg"],
            r => N(r, 90) + " " + P(r, ["rue de la Paix", "rue Myrha", "boulevard Barbès", "avenue Jean Jaurès", "rue de Belleville"])),
        ["NL"] = new(["Amsterdam", "Rotterdam", "The Hague", "Utrecht", "Eindhoven"],
            r => P(r, ["Kerkstraat", "Keizersgracht", "Molenweg", "Stationsplein", "Dorpsstraat"]) + " " + N(r, 300)),
        ["UA"] = new(["Kyiv", "Kharkiv", "Odesa", "Lviv", "Dnipro", "Zaporizhzhia"], _ => ""),
        ["NG"] = new(["Benin City", "Lagos", "Abuja", "Ekpoma", "Port Harcourt"], _ => ""),
        ["AL"] = new(["Tirana", "Durrës", "Elbasan", "Shkodër", "Vlorë"], _ => ""),
    };

    /// <summary>A city of <paramref name="country"/>, or null when the generator has none for it.</summary>
    public static string? City(Random rng, string country) =>
        Places.TryGetValue(country, out var p) ? p.Cities[rng.Next(p.Cities.Length)] : null;

    /// <summary>A street address in <paramref name="country"/>'s usual form, or null when the generator has none for it.</summary>
    public static string? Address(Random rng, string country)
    {
        if (!Places.TryGetValue(country, out var p)) return null;
        var address = p.Address(rng);
        return address.Length == 0 ? null : address;
    }

    /// <summary>The street of an address without its number ("Via Padova", "Baker Street"), for leak scans.</summary>
    public static string StreetOf(string address) =>
        string.Join(' ', address.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(w => !w.Any(char.IsAsciiDigit) && w is not ("nr." or ","))).TrimEnd(',');
}
