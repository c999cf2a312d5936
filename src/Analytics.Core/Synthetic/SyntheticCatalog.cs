using System.Text;

namespace Analytics.Core.Synthetic;

/// <summary>An authority the generator submits for.</summary>
internal sealed record SyntheticAuthority(string Id, string Jurisdiction, string ReferencePrefix);

/// <summary>Small built-in lists the generator draws from (code values as in /work/codes.md).</summary>
internal static class SyntheticCatalog
{
    public static readonly string[] Genders = ["female", "male", "other"];
    public static readonly string[] Stages = ["investigation", "prosecution", "trial", "appeal", "closed"];
    public static readonly string[] ExploitationTypes = ["sexual", "labour", "forced-criminality", "begging", "forced-marriage", "organ-removal", "illegal-adoption", "online-sexual", "domestic-servitude", "other"];
    public static readonly string[] LabourSectors = ["agriculture", "construction", "manufacturing", "domestic-work", "hospitality", "fishing", "mining", "transportation", "other"];
    public static readonly string[] MeansOfControl = ["debt-bondage", "takes-earnings", "restricts-financial-access", "threats", "psychological-abuse", "physical-abuse", "sexual-abuse", "false-promises", "psychoactive-substances", "restricts-movement", "restricts-medical-care", "excessive-working-hours", "uses-children", "threat-of-law-enforcement", "withholds-necessities", "withholds-documents", "other"];
    public static readonly string[] RecruitmentChannels = ["social-media", "messaging-app", "online-advertisement", "dating-platform", "gaming-platform", "in-person", "family", "other"];
    public static readonly string[] Relations = ["intimate-partner", "friend", "family", "acquaintance", "stranger", "employer", "other"];
    public static readonly string[] Platforms = ["facebook", "instagram", "tiktok", "snapchat", "telegram", "whatsapp", "signal", "viber", "x", "onlyfans", "discord", "roblox", "tinder", "badoo", "vk", "other"];
    public static readonly string[] SuspectRoles = ["transporter", "exploiter", "controller", "financier"];
    public static readonly string[] EvidenceKinds = ["chat-logs", "social-media-content", "call-records", "geolocation", "financial-transactions", "crypto", "cloud-data", "device-images", "other"];
    public static readonly string[] Vulnerabilities = ["unaccompanied-minor", "in-care", "homeless", "disability", "substance-dependence", "domestic-violence", "poverty", "irregular-migration-status", "school-dropout", "prior-abuse", "other"];
    public static readonly string[] IdentifiedBy = ["law-enforcement", "ngo", "social-services", "self-referral", "family", "hotline", "labour-inspection", "health-services", "other"];
    public static readonly string[] Transport = ["car", "bus", "train", "plane", "boat", "truck", "on-foot", "other"];
    public static readonly string[] PaymentChannels = ["cash", "bank-transfer", "money-transfer-service", "card", "crypto", "mobile-payment", "other"];
    public static readonly string[] AmountBands = ["under-100", "100-999", "1000-9999", "10000-99999", "100000-plus"];

    /// <summary>Countries used by noise cases (all have names, phone plans and name lists).</summary>
    public static readonly string[] Countries = ["RO", "MD", "IT", "BG", "PL", "DE", "AT", "ES", "GR", "GB", "FR", "NL", "UA", "NG", "AL"];

    public static readonly string[] EuMembers = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"];

    public static readonly SyntheticAuthority[] Authorities =
    [
        new("RO-DIICOT", "RO", "DIICOT"),
        new("IT-DDA-MILANO", "IT", "DDA-MI"),
        new("IT-DDA-ROMA", "IT", "DDA-RM"),
        new("BG-SPO", "BG", "SPO"),
        new("AT-BKA", "AT", "BKA"),
        new("PL-PK", "PL", "PK"),
        new("DE-BKA", "DE", "BKA-D"),
        new("ES-FGE", "ES", "FGE"),
        new("GR-EAD", "GR", "EAD"),
        new("FR-PNF", "FR", "PNF"),
        new("NL-OM", "NL", "OM"),
        new("GB-CPS", "GB", "CPS"),
    ];

    public static bool HasAuthority(string country) => Authorities.Any(a => a.Jurisdiction == country);

    public static readonly IReadOnlyDictionary<string, string[]> LegalBasis = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["RO"] = ["Art. 210 Cod penal", "Art. 211 Cod penal", "Art. 367 Cod penal"],
        ["IT"] = ["Art. 600 c.p.", "Art. 601 c.p.", "Art. 416-bis c.p."],
        ["BG"] = ["Art. 159a NK", "Art. 159b NK", "Art. 321 NK"],
        ["AT"] = ["§ 104a StGB", "§ 278 StGB"],
        ["PL"] = ["Art. 189a k.k.", "Art. 258 k.k."],
        ["DE"] = ["§ 232 StGB", "§ 232a StGB", "§ 232b StGB", "§ 236 StGB"],
        ["ES"] = ["Art. 177 bis CP", "Art. 187 CP", "Art. 570 bis CP"],
        ["GR"] = ["Art. 323A PC", "Art. 351 PC", "Art. 187 PC"],
        ["FR"] = ["Art. 225-4-1 Code pénal", "Art. 225-5 Code pénal"],
        ["NL"] = ["Art. 273f Sr", "Art. 140 Sr"],
        ["GB"] = ["Modern Slavery Act 2015 s.2", "Modern Slavery Act 2015 s.1"],
    };

    public const string EuDirective = "Directive 2011/36/EU";

    public static readonly IReadOnlyDictionary<string, string> CountryNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["RO"] = "Romania", ["MD"] = "Moldova", ["IT"] = "Italy", ["BG"] = "Bulgaria", ["PL"] = "Poland", ["DE"] = "Germany",
        ["AT"] = "Austria", ["ES"] = "Spain", ["GR"] = "Greece", ["GB"] = "the United Kingdom", ["FR"] = "France",
        ["NL"] = "the Netherlands", ["UA"] = "Ukraine", ["NG"] = "Nigeria", ["AL"] = "Albania", ["HU"] = "Hungary",
        ["SI"] = "Slovenia", ["RS"] = "Serbia", ["NE"] = "Niger", ["LY"] = "Libya", ["BE"] = "Belgium", ["CZ"] = "Czechia",
        ["SK"] = "Slovakia", ["HR"] = "Croatia", ["PT"] = "Portugal", ["SE"] = "Sweden", ["DK"] = "Denmark",
        ["FI"] = "Finland", ["IE"] = "Ireland", ["LU"] = "Luxembourg", ["MT"] = "Malta", ["CY"] = "Cyprus",
        ["EE"] = "Estonia", ["LV"] = "Latvia", ["LT"] = "Lithuania",
    };

    public static string CountryName(string code) => CountryNames.TryGetValue(code, out var n) ? n : code;

    public static readonly string[] MonthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    public static readonly string[] EmailDomains = ["gmail.com", "yahoo.com", "outlook.com", "proton.me", "gmx.net", "mail.ru", "libero.it", "abv.bg", "wp.pl", "hotmail.com"];

    public static readonly string[] HandleWords = ["angel", "star", "boss", "king", "lux", "shadow", "wolf", "moon", "vip", "gold", "dream", "baby", "dark", "ice", "ghost"];

    private sealed record NameList(string[] Female, string[] Male, string[] Surnames);

    private static NameList L(string female, string male, string surnames) =>
        new(female.Split(' '), male.Split(' '), surnames.Split(' '));

    private static readonly IReadOnlyDictionary<string, NameList> Names = new Dictionary<string, NameList>(StringComparer.Ordinal)
    {
        ["RO"] = L("Ana-Maria Ioana Elena Andreea Alexandra Bianca Cristina Larisa Denisa Florentina",
                   "Marius Ionuț Andrei Florin Cătălin Adrian Bogdan Ciprian Dorin Mihai",
                   "Popescu Ionescu Dumitru Stoica Stan Gheorghe Rusu Munteanu Matei Constantin Șerban Lungu"),
        ["MD"] = L("Natalia Olga Cristina Tatiana Irina Mariana Doina Ecaterina Svetlana Victoria",
                   "Ion Vasile Sergiu Vitalie Igor Dumitru Nicolae Veaceslav Alexandru Pavel",
                   "Rotaru Ciobanu Ceban Lupu Cojocaru Munteanu Sârbu Bălan Moraru Turcan"),
        ["IT"] = L("Giulia Francesca Chiara Sara Martina Valentina Alessia Federica Elisa Sofia",
                   "Marco Luca Giuseppe Antonio Francesco Alessandro Davide Matteo Salvatore Stefano",
                   "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo"),
        ["BG"] = L("Maria Ivana Elena Desislava Gergana Petya Radostina Teodora Yoana Kalina",
                   "Georgi Ivan Dimitar Nikolay Petar Hristo Stoyan Todor Krasimir Angel",
                   "Ivanov Georgiev Dimitrov Petrov Nikolov Hristov Stoyanov Todorov Kolev Yordanov"),
        ["PL"] = L("Anna Katarzyna Magdalena Agnieszka Joanna Zofia Natalia Aleksandra Karolina Ewa",
                   "Piotr Krzysztof Tomasz Paweł Michał Marcin Jakub Łukasz Grzegorz Adam",
                   "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak"),
        ["DE"] = L("Anna Laura Julia Lena Sarah Lisa Katharina Jana Hannah Miriam",
                   "Thomas Michael Andreas Stefan Markus Christian Jan Sebastian Tobias Jörg",
                   "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Hoffmann Schäfer Koch Richter"),
        ["AT"] = L("Katharina Anna Sabine Verena Theresa Johanna Magdalena Elisabeth Claudia Birgit",
                   "Lukas Florian Stefan Martin Wolfgang Andreas Gerhard Johann Manfred Bernhard",
                   "Gruber Huber Bauer Wagner Pichler Steiner Moser Mayer Hofer Leitner Berger Fuchs"),
        ["ES"] = L("María Lucía Carmen Laura Marta Paula Elena Cristina Sara Nuria",
                   "José Antonio Manuel Francisco David Javier Daniel Carlos Jesús Alejandro",
                   "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz"),
        ["GR"] = L("Maria Eleni Aikaterini Vasiliki Sofia Angeliki Georgia Dimitra Konstantina Christina",
                   "Georgios Ioannis Konstantinos Dimitrios Nikolaos Panagiotis Vasileios Christos Athanasios Michail",
                   "Papadopoulos Georgiou Nikolaidis Papadakis Vlachos Oikonomou Makris Dimitriou Pappas Angelopoulos"),
        ["GB"] = L("Olivia Emily Jessica Sophie Charlotte Hannah Chloe Lucy Amy Megan",
                   "James Daniel Thomas Matthew Ryan Luke Adam Jack Liam Connor",
                   "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Walker"),
        ["FR"] = L("Camille Léa Manon Chloé Inès Sarah Emma Julie Laura Pauline",
                   "Nicolas Julien Maxime Thomas Antoine Kevin Romain Alexandre Mehdi Karim",
                   "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Girard Fontaine"),
        ["NL"] = L("Anouk Sanne Lotte Fleur Iris Femke Eva Lisa Noor Esmee",
                   "Daan Bram Thijs Lars Jesse Ruben Sem Milan Niels Joost",
                   "de Jong Jansen de Vries van den Berg Bakker Visser Smit Meijer de Boer Mulder Bos Vos"),
        ["UA"] = L("Olena Iryna Oksana Nataliia Tetiana Yuliia Svitlana Kateryna Anastasiia Viktoriia",
                   "Oleksandr Andrii Serhii Volodymyr Mykola Dmytro Vasyl Ivan Yurii Taras",
                   "Melnyk Shevchenko Boiko Kovalenko Bondarenko Tkachenko Kravchenko Oliinyk Shevchuk Koval Polishchuk Lysenko"),
        ["NG"] = L("Blessing Joy Precious Favour Gift Esther Mercy Patience Faith Glory",
                   "Osaro Chinedu Emeka Osagie Efosa Samuel Godwin Friday Sunday Kingsley",
                   "Osagie Okafor Eze Igbinedion Okonkwo Obi Adeyemi Uwaifo Ehigiator Omoregie"),
        ["AL"] = L("Elira Anisa Klea Ardita Blerina Denada Erjona Fjorela Jonida Kejsi",
                   "Arben Besnik Dritan Ilir Gentian Klodian Altin Ermal Fatmir Gazmend",
                   "Hoxha Shehu Leka Krasniqi Gashi Dervishi Kola Marku Cela Muça"),
    };

    /// <summary>Names of other EU countries without their own list reuse a neighbour's list.</summary>
    public static (string First, string Surname) Name(Random rng, string country, string gender)
    {
        if (!Names.TryGetValue(country, out var list)) list = Names["DE"];
        var firsts = gender == "male" ? list.Male : gender == "female" ? list.Female : (rng.Next(2) == 0 ? list.Male : list.Female);
        var first = firsts[rng.Next(firsts.Length)];
        var surnames = list.Surnames;
        // Dutch surnames with prefixes are split on spaces in the list: keep "de Jong" / "van den Berg" together.
        if (country == "NL") surnames = ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos"];
        return (first, surnames[rng.Next(surnames.Length)]);
    }

    /// <summary>ASCII lower-case form of a name, for e-mail addresses and handles.</summary>
    public static string Ascii(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s.ToLowerInvariant())
        {
            sb.Append(c switch
            {
                'ă' or 'â' or 'á' or 'à' or 'ä' => "a",
                'î' or 'í' => "i",
                'ș' or 'ş' or 'ś' => "s",
                'ț' or 'ţ' => "t",
                'é' or 'è' or 'ê' or 'ę' => "e",
                'ó' or 'ö' or 'ò' => "o",
                'ü' or 'ú' => "u",
                'ł' => "l",
                'ń' or 'ñ' => "n",
                'ć' or 'ç' => "c",
                'ź' or 'ż' => "z",
                'ß' => "ss",
                ' ' or '-' => "",
                _ when c is >= 'a' and <= 'z' or >= '0' and <= '9' => c.ToString(),
                _ => "",
            });
        }
        return sb.ToString();
    }
}
