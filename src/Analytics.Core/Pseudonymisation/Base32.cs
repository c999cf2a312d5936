namespace Analytics.Core.Pseudonymisation;

// RFC 4648 base32, lower-case, no padding: tokens must be case-stable and safe in URLs and file names.
internal static class Base32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        Span<char> chars = stackalloc char[EncodedLength(data.Length)];
        Encode(data, chars);
        return new string(chars);
    }

    public static int EncodedLength(int bytes) => (bytes * 8 + 4) / 5;

    // Writes the encoding of data into chars, which holds exactly EncodedLength(data.Length) characters.
    public static void Encode(ReadOnlySpan<byte> data, Span<char> chars)
    {
        int buffer = 0, bits = 0, o = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[o++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        if (bits > 0) chars[o] = Alphabet[(buffer << (5 - bits)) & 31];
    }

    // Decodes into output (exact size); false on a foreign character, wrong length or non-zero pad bits.
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> output)
    {
        if (text.Length != (output.Length * 8 + 4) / 5) return false;
        int buffer = 0, bits = 0, o = 0;
        foreach (var ch in text)
        {
            var v = Alphabet.IndexOf(ch);
            if (v < 0) return false;
            buffer = ((buffer << 5) | v) & 0xFFFF;
            bits += 5;
            if (bits >= 8)
            {
                output[o++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
        }
        return (buffer & ((1 << bits) - 1)) == 0;
    }
}
