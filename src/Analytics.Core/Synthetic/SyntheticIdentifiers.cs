using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Analytics.Core.Synthetic;

/// <summary>Ways of writing one phone number.</summary>
public enum PhoneFormat
{
    /// <summary>"+40 721 234 567"</summary>
    InternationalSpaced,
    /// <summary>"+40721234567"</summary>
    E164,
    /// <summary>"0040721234567"</summary>
    DoubleZero,
    /// <summary>"0721 234 567" (needs the country to be parsed)</summary>
    National,
}

/// <summary>A synthetic mobile number: country, calling code and national significant number.</summary>
public sealed record SyntheticPhone(string Country, string CallingCode, string NationalNumber)
{
    private static readonly PhoneFormat[] AllFormats = [PhoneFormat.InternationalSpaced, PhoneFormat.E164, PhoneFormat.DoubleZero, PhoneFormat.National];
    private static readonly PhoneFormat[] NoDoubleZero = [PhoneFormat.InternationalSpaced, PhoneFormat.E164, PhoneFormat.National];

    /// <summary>
    /// The formats a person of the number's country would write. "00" is the international prefix almost
    /// everywhere in Europe but not in Nigeria (009), so "00234..." is not offered there.
    /// </summary>
    public IReadOnlyList<PhoneFormat> Formats => Country == "NG" ? NoDoubleZero : AllFormats;

    public string Format(PhoneFormat format)
    {
        var plan = PhonePlans.For(Country);
        return format switch
        {
            PhoneFormat.InternationalSpaced => "+" + CallingCode + " " + Group(NationalNumber, plan.Groups),
            PhoneFormat.E164 => "+" + CallingCode + NationalNumber,
            PhoneFormat.DoubleZero => "00" + CallingCode + NationalNumber,
            PhoneFormat.National => Group(plan.Trunk + NationalNumber, WithTrunk(plan)),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
    }

    private static int[] WithTrunk(PhonePlan plan)
    {
        if (plan.Trunk.Length == 0) return plan.Groups;
        var groups = (int[])plan.Groups.Clone();
        groups[0] += plan.Trunk.Length;
        return groups;
    }

    private static string Group(string digits, int[] groups)
    {
        var sb = new StringBuilder();
        var at = 0;
        foreach (var g in groups)
        {
            if (at >= digits.Length) break;
            if (sb.Length > 0) sb.Append(' ');
            var take = Math.Min(g, digits.Length - at);
            sb.Append(digits, at, take);
            at += take;
        }
        if (at < digits.Length) sb.Append(digits, at, digits.Length - at);
        return sb.ToString();
    }
}

internal sealed record PhonePlan(string Country, string CallingCode, string Trunk, string[] Prefixes, int SubscriberDigits, int[] Groups);

/// <summary>Real mobile ranges (prefix + subscriber digits) that libphonenumber accepts as valid mobiles.</summary>
internal static class PhonePlans
{
    private static readonly PhonePlan[] Plans =
    [
        new("RO", "40", "0", ["721", "722", "723", "724", "726", "728", "740", "744", "745", "749", "751", "755", "761", "766", "770", "773"], 6, [3, 3, 3]),
        new("MD", "373", "0", ["60", "62", "67", "68", "69", "78", "79"], 6, [2, 3, 3]),
        new("IT", "39", "", ["320", "324", "328", "329", "333", "334", "338", "339", "340", "342", "347", "348", "349", "366", "388", "392"], 7, [3, 3, 4]),
        new("BG", "359", "0", ["87", "88", "89"], 7, [2, 3, 4]),
        new("PL", "48", "", ["501", "502", "509", "512", "530", "531", "570", "600", "601", "602", "660", "661", "691", "692", "721", "731", "781", "791", "881"], 6, [3, 3, 3]),
        new("DE", "49", "0", ["151", "152", "157", "159", "160", "162", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179"], 8, [3, 8]),
        new("AT", "43", "0", ["650", "660", "664", "676", "680", "681", "688", "699"], 7, [3, 7]),
        new("ES", "34", "", ["600", "605", "609", "610", "615", "619", "620", "626", "630", "636", "644", "650", "655", "660", "666", "670", "680", "690", "699"], 6, [3, 3, 3]),
        new("GR", "30", "", ["690", "693", "694", "695", "697", "698", "699"], 7, [3, 3, 4]),
        new("GB", "44", "0", ["7712", "7723", "7734", "7745", "7756", "7767", "7771", "7809", "7841", "7852", "7863", "7904", "7958", "7984"], 6, [4, 6]),
        new("FR", "33", "0", ["60", "61", "62", "64", "65", "66", "67", "68", "75", "76", "77", "78"], 7, [1, 2, 2, 2, 2]),
        new("NL", "31", "0", ["61", "62", "63", "64", "65"], 7, [1, 8]),
        new("UA", "380", "0", ["50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"], 7, [2, 3, 2, 2]),
        new("NG", "234", "0", ["803", "805", "806", "807", "809", "813", "816", "703", "706", "810", "814", "903", "905"], 7, [3, 3, 4]),
        new("AL", "355", "0", ["672", "674", "682", "683", "684", "692", "693", "694", "695", "696", "697", "698"], 6, [2, 3, 4]),
    ];

    public static IReadOnlyList<string> Countries { get; } = Plans.Select(p => p.Country).ToArray();

    public static PhonePlan For(string country) =>
        Plans.FirstOrDefault(p => p.Country == country) ?? throw new ArgumentException($"no phone plan for {country}", nameof(country));

    public static bool Has(string country) => Plans.Any(p => p.Country == country);
}

/// <summary>Makers of synthetic, checksum-valid identifiers. Every method draws only from the given <see cref="Random"/>.</summary>
internal static class IdentifierMaker
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    public static SyntheticPhone Phone(Random rng, string country)
    {
        var plan = PhonePlans.For(PhonePlans.Has(country) ? country : "RO");
        var prefix = plan.Prefixes[rng.Next(plan.Prefixes.Length)];
        // 7700 900xxx is the UK drama range: avoid it by forcing a non-9 first subscriber digit.
        var sb = new StringBuilder(prefix);
        for (var i = 0; i < plan.SubscriberDigits; i++)
            sb.Append((char)('0' + (i == 0 ? rng.Next(1, 9) : rng.Next(10))));
        return new SyntheticPhone(plan.Country, plan.CallingCode, sb.ToString());
    }

    /// <summary>An IBAN (compact form) with valid ISO 13616 mod-97 check digits.</summary>
    public static string Iban(Random rng, string country)
    {
        string bban = country switch
        {
            "RO" => Pick(rng, ["BTRL", "RNCB", "BRDE", "INGB", "RZBR", "BACX"]) + Digits(rng, 16),
            "IT" => Letters(rng, 1) + Digits(rng, 5) + Digits(rng, 5) + Digits(rng, 12),
            "BG" => Pick(rng, ["UNCR", "BPBI", "STSA", "FINV", "RZBB"]) + Digits(rng, 4) + Digits(rng, 2) + Digits(rng, 8),
            "DE" => Digits(rng, 18),
            "ES" => Digits(rng, 20),
            "PL" => Digits(rng, 24),
            _ => throw new ArgumentException($"no IBAN format for {country}", nameof(country)),
        };
        var check = 98 - Mod97(bban + country + "00");
        return country + check.ToString("00", CultureInfo.InvariantCulture) + bban;
    }

    public static IReadOnlyList<string> IbanCountries { get; } = ["RO", "IT", "BG", "DE", "ES", "PL"];

    /// <summary>IBAN in groups of four, as printed on paper.</summary>
    public static string IbanSpaced(string iban) => Chunk(iban, 4);

    public static int Mod97(string s)
    {
        var rem = 0;
        foreach (var c in s)
        {
            var v = char.IsDigit(c) ? c - '0' : char.ToUpperInvariant(c) - 'A' + 10;
            rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
        }
        return rem;
    }

    /// <summary>A 16-digit Visa or Mastercard number with a valid Luhn check digit.</summary>
    public static string Card(Random rng)
    {
        var prefix = rng.Next(2) == 0 ? "4" + Digits(rng, 5) : "5" + rng.Next(1, 6).ToString(CultureInfo.InvariantCulture) + Digits(rng, 4);
        var body = prefix + Digits(rng, 15 - prefix.Length);
        return body + LuhnCheckDigit(body);
    }

    public static string CardSpaced(string card) => Chunk(card, 4);

    private static char LuhnCheckDigit(string body)
    {
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var d = body[body.Length - 1 - i] - '0';
            if (i % 2 == 0) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
        }
        return (char)('0' + (10 - sum % 10) % 10);
    }

    /// <summary>A Bitcoin P2PKH address: base58check of version 0x00 + 20 bytes, double-SHA256 checksum.</summary>
    public static string BitcoinAddress(Random rng)
    {
        var payload = new byte[21];
        payload[0] = 0x00;
        for (var i = 1; i < payload.Length; i++) payload[i] = (byte)rng.Next(256);
        var check = SHA256.HashData(SHA256.HashData(payload));
        var full = new byte[25];
        payload.CopyTo(full, 0);
        Array.Copy(check, 0, full, 21, 4);
        return Base58(full);
    }

    /// <summary>An Ethereum address: 0x and 40 lower-case hex digits.</summary>
    public static string EthereumAddress(Random rng)
    {
        var sb = new StringBuilder("0x");
        for (var i = 0; i < 40; i++) sb.Append("0123456789abcdef"[rng.Next(16)]);
        return sb.ToString();
    }

    private static string Base58(byte[] data)
    {
        var value = new BigInteger(data, isUnsigned: true, isBigEndian: true);
        var sb = new StringBuilder();
        while (value > 0)
        {
            var rem = (int)(value % 58);
            value /= 58;
            sb.Insert(0, Base58Alphabet[rem]);
        }
        foreach (var b in data)
        {
            if (b != 0) break;
            sb.Insert(0, '1');
        }
        return sb.ToString();
    }

    public static string Passport(Random rng) => Letters(rng, 2) + Digits(rng, 7);

    public static string Plate(Random rng, string country) => country switch
    {
        "RO" => Pick(rng, ["B", "CJ", "IS", "TM", "BV", "CT", "DJ"]) + " " + Digits(rng, 2) + " " + Letters(rng, 3),
        "MD" => Letters(rng, 3) + " " + Digits(rng, 3),
        "IT" => Letters(rng, 2) + " " + Digits(rng, 3) + Letters(rng, 2),
        "BG" => Pick(rng, ["CA", "CB", "PB", "B", "A"]) + " " + Digits(rng, 4) + " " + Letters(rng, 2),
        "PL" => Pick(rng, ["WA", "KR", "PO", "GD", "WR"]) + " " + Digits(rng, 5),
        "DE" => Pick(rng, ["M", "B", "HH", "K", "F", "S"]) + " " + Letters(rng, 2) + " " + rng.Next(1, 9999).ToString(CultureInfo.InvariantCulture),
        "AT" => Pick(rng, ["W", "G", "L", "S", "I"]) + " " + Digits(rng, 5) + " " + Letters(rng, 1),
        "ES" => Digits(rng, 4) + " " + Consonants(rng, 3),
        "GR" => Letters(rng, 3) + " " + Digits(rng, 4),
        "GB" => Letters(rng, 2) + Digits(rng, 2) + " " + Letters(rng, 3),
        "FR" => Letters(rng, 2) + "-" + Digits(rng, 3) + "-" + Letters(rng, 2),
        "NL" => Digits(rng, 2) + "-" + Letters(rng, 3) + "-" + Digits(rng, 1),
        "UA" => Letters(rng, 2) + " " + Digits(rng, 4) + " " + Letters(rng, 2),
        "AL" => Letters(rng, 2) + " " + Digits(rng, 3) + " " + Letters(rng, 2),
        _ => Letters(rng, 3) + " " + Digits(rng, 3) + " " + Letters(rng, 2),
    };

    public static string Digits(Random rng, int n)
    {
        var sb = new StringBuilder(n);
        for (var i = 0; i < n; i++) sb.Append((char)('0' + rng.Next(10)));
        return sb.ToString();
    }

    public static string Letters(Random rng, int n)
    {
        var sb = new StringBuilder(n);
        for (var i = 0; i < n; i++) sb.Append((char)('A' + rng.Next(26)));
        return sb.ToString();
    }

    private static string Consonants(Random rng, int n)
    {
        const string c = "BCDFGHJKLMNPRSTVWXYZ";
        var sb = new StringBuilder(n);
        for (var i = 0; i < n; i++) sb.Append(c[rng.Next(c.Length)]);
        return sb.ToString();
    }

    public static T Pick<T>(Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    private static string Chunk(string s, int size)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < s.Length; i += size)
        {
            if (i > 0) sb.Append(' ');
            sb.Append(s, i, Math.Min(size, s.Length - i));
        }
        return sb.ToString();
    }
}
