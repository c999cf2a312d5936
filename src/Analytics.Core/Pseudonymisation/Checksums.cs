using System.Security.Cryptography;

namespace Analytics.Core.Pseudonymisation;

// Check-digit validators. Used both by the normalisers (reject a malformed structured identifier)
// and by the narrative scrubber (a digit run is only an IBAN / card / wallet if its checksum holds,
// which keeps false positives on amounts and case numbers down).

internal static class IbanCheck
{
    // IBAN length per country (SWIFT IBAN registry). Country not listed -> not an IBAN.
    private static readonly Dictionary<string, int> _lengths = new(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16,
        ["BG"] = 22, ["BH"] = 22, ["BI"] = 27, ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22,
        ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DJ"] = 27, ["DK"] = 18, ["DO"] = 28, ["EE"] = 20,
        ["EG"] = 29, ["ES"] = 24, ["FI"] = 18, ["FK"] = 18, ["FO"] = 18, ["FR"] = 27, ["GB"] = 22,
        ["GE"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27, ["GT"] = 28, ["HN"] = 28, ["HR"] = 21,
        ["HU"] = 28, ["IE"] = 22, ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26, ["IT"] = 27, ["JO"] = 30,
        ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LC"] = 32, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20,
        ["LV"] = 21, ["LY"] = 25, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19, ["MN"] = 20,
        ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NI"] = 28, ["NL"] = 18, ["NO"] = 15, ["OM"] = 23,
        ["PK"] = 24, ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22,
        ["RU"] = 33, ["SA"] = 24, ["SC"] = 31, ["SD"] = 18, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24,
        ["SM"] = 27, ["SO"] = 23, ["ST"] = 25, ["SV"] = 28, ["TL"] = 23, ["TN"] = 24, ["TR"] = 26,
        ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20, ["YE"] = 30,
        // French overseas territories use the French format under their own code.
        ["GF"] = 27, ["GP"] = 27, ["MQ"] = 27, ["RE"] = 27, ["PF"] = 27, ["TF"] = 27, ["YT"] = 27,
        ["NC"] = 27, ["PM"] = 27, ["WF"] = 27, ["BL"] = 27, ["MF"] = 27,
    };

    public static int? LengthFor(ReadOnlySpan<char> countryCode)
    {
        if (countryCode.Length != 2) return null;
        Span<char> cc = [char.ToUpperInvariant(countryCode[0]), char.ToUpperInvariant(countryCode[1])];
        return _lengths.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(cc, out var len) ? len : null;
    }

    // Validates an upper-case IBAN without separators: country length and ISO 7064 mod-97 = 1.
    public static bool IsValid(ReadOnlySpan<char> iban)
    {
        if (iban.Length < 5 || LengthFor(iban[..2]) != iban.Length) return false;
        if (!char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3])) return false;
        var remainder = 0;
        // Rotate the first four characters to the end, map letters to 10..35, reduce as we go.
        for (var i = 0; i < iban.Length; i++)
        {
            var ch = iban[(i + 4) % iban.Length];
            if (char.IsAsciiDigit(ch)) remainder = (remainder * 10 + (ch - '0')) % 97;
            else if (ch is >= 'A' and <= 'Z') remainder = (remainder * 100 + (ch - 'A' + 10)) % 97;
            else return false;
        }
        return remainder == 1;
    }
}

internal static class Luhn
{
    public static bool IsValid(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (d is < 0 or > 9) return false;
            if (doubleIt)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }
}

internal static class Base58Check
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    // True for a mainnet P2PKH (version 0x00) or P2SH (0x05) address with a valid double-SHA256 checksum.
    public static bool IsValidBitcoinAddress(ReadOnlySpan<char> address)
    {
        if (address.Length is < 26 or > 35) return false;
        Span<byte> decoded = stackalloc byte[25];
        if (!TryDecode(address, decoded)) return false;
        if (decoded[0] is not (0x00 or 0x05)) return false;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(decoded[..21], hash);
        SHA256.HashData(hash, hash);
        return hash[..4].SequenceEqual(decoded[21..]);
    }

    // Decodes into exactly output.Length big-endian bytes; false if the value needs more bytes,
    // or if the count of leading '1's does not match the count of leading zero bytes.
    private static bool TryDecode(ReadOnlySpan<char> text, Span<byte> output)
    {
        output.Clear();
        foreach (var ch in text)
        {
            var carry = Alphabet.IndexOf(ch);
            if (carry < 0) return false;
            for (var i = output.Length - 1; i >= 0; i--)
            {
                carry += 58 * output[i];
                output[i] = (byte)carry;
                carry >>= 8;
            }
            if (carry != 0) return false;
        }
        var leadingOnes = 0;
        while (leadingOnes < text.Length && text[leadingOnes] == '1') leadingOnes++;
        var leadingZeros = 0;
        while (leadingZeros < output.Length && output[leadingZeros] == 0) leadingZeros++;
        return leadingOnes == leadingZeros;
    }
}

internal static class Bech32
{
    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private const uint Bech32Const = 1;
    private const uint Bech32MConst = 0x2bc830a3;

    // Validates a lower-case mainnet segwit address (bc1…): BIP-173 checksum for v0, BIP-350 for v1+.
    public static bool IsValidBitcoinAddress(string address)
    {
        if (address.Length is < 14 or > 90 || !address.StartsWith("bc1", StringComparison.Ordinal)) return false;
        var data = new byte[address.Length - 3];
        for (var i = 0; i < data.Length; i++)
        {
            var v = Charset.IndexOf(address[i + 3]);
            if (v < 0) return false;
            data[i] = (byte)v;
        }
        if (data.Length < 7) return false;
        var check = Polymod(data);
        var version = data[0];
        if (version > 16) return false;
        if (check != (version == 0 ? Bech32Const : Bech32MConst)) return false;
        // Witness program: 5-bit groups (without version and 6 checksum symbols) regrouped to bytes.
        var programBits = (data.Length - 7) * 5;
        var programLength = programBits / 8;
        if (programBits % 8 >= 5) return false;
        if (programLength is < 2 or > 40) return false;
        if (version == 0 && programLength is not (20 or 32)) return false;
        return true;
    }

    private static uint Polymod(byte[] data)
    {
        // hrp "bc" expanded: high bits of each char, 0, low bits of each char.
        ReadOnlySpan<byte> hrp = [(byte)('b' >> 5), (byte)('c' >> 5), 0, (byte)('b' & 31), (byte)('c' & 31)];
        uint chk = 1;
        foreach (var v in hrp) chk = Step(chk, v);
        foreach (var v in data) chk = Step(chk, v);
        return chk;
    }

    private static uint Step(uint chk, byte value)
    {
        var top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ value;
        if ((top & 1) != 0) chk ^= 0x3b6a57b2;
        if ((top & 2) != 0) chk ^= 0x26508e6d;
        if ((top & 4) != 0) chk ^= 0x1ea119fa;
        if ((top & 8) != 0) chk ^= 0x3d4233dd;
        if ((top & 16) != 0) chk ^= 0x2a1462b3;
        return chk;
    }
}
