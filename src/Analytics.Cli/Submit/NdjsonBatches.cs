using System.Security.Cryptography;
using System.Text;

namespace Analytics.Cli.Submit;

/// <summary>One batch of an NDJSON file: the non-empty lines it holds, their line numbers in the file and its idempotency key.</summary>
public sealed record NdjsonBatch(int Index, byte[] Body, IReadOnlyList<int> FileLines, string IdempotencyKey)
{
    public int Count => FileLines.Count;
}

/// <summary>Splits an NDJSON file into batches whose content and keys depend only on the file and the batch size.</summary>
public static class NdjsonBatches
{
    /// <summary>
    /// Deterministic key of batch <paramref name="index"/>: the same file cut the same way always sends the same key with
    /// the same body, so a retried or re-run batch is replayed by the server instead of stored twice. The batch size is
    /// part of the key because another size gives other batch bodies under the same index.
    /// </summary>
    public static string IdempotencyKey(string fileSha256, int batchSize, int index)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileSha256);
        return $"analytics-submit-{fileSha256[..Math.Min(32, fileSha256.Length)]}-s{batchSize}-b{index}";
    }

    /// <summary>
    /// Whether a line holds no record: empty or white space only (any Unicode white space, as
    /// <see cref="string.IsNullOrWhiteSpace"/>). The count, the batches and the line numbers all use this one test.
    /// </summary>
    public static bool IsBlank(ReadOnlySpan<char> line) => line.IsWhiteSpace();

    /// <summary>
    /// SHA-256 (hex) of the file and its number of non-blank lines (<see cref="IsBlank"/>), in one streaming pass. Lines
    /// end as <see cref="Read"/> ends them (LF, CR or CR LF), and a byte order mark at the start is dropped as it drops it.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not UTF-8 text: it names the line, not its content.</exception>
    public static async Task<(string Sha256, int Lines)> ScanAsync(Stream stream, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        var buffer = new byte[1 << 16];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        var lines = 0;
        var lineNumber = 1;
        var lineHasContent = false;
        var afterCr = false;
        var atStart = true;
        int n;
        while ((n = await stream.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            int count;
            try
            {
                count = decoder.GetChars(buffer, 0, n, chars, 0, flush: false);
            }
            catch (DecoderFallbackException e)
            {
                throw new InvalidDataException($"line {LineAt(buffer, Math.Max(0, e.Index), lineNumber)} is not UTF-8 text; nothing was sent.");
            }
            for (var i = 0; i < count; i++)
            {
                var c = chars[i];
                // The reader of the batches drops a byte order mark at the start of the file.
                if (atStart && c == '\uFEFF') continue;
                atStart = false;
                if (c == '\n' && afterCr)
                {
                    afterCr = false;
                    continue;
                }
                afterCr = c == '\r';
                if (c is '\n' or '\r')
                {
                    if (lineHasContent) lines++;
                    lineHasContent = false;
                    lineNumber++;
                }
                // Character by character, the test IsBlank makes on the whole line.
                else if (!char.IsWhiteSpace(c)) lineHasContent = true;
            }
        }
        try
        {
            decoder.GetCharCount([], 0, 0, flush: true);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"line {lineNumber} is not UTF-8 text (it ends inside a character); nothing was sent.");
        }
        if (lineHasContent) lines++;
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), lines);

        static int LineAt(byte[] buffer, int index, int line)
        {
            for (var i = 0; i < index && i < buffer.Length; i++)
                if (buffer[i] == (byte)'\n' || (buffer[i] == (byte)'\r' && (i + 1 >= buffer.Length || buffer[i + 1] != (byte)'\n'))) line++;
            return line;
        }
    }

    /// <summary>Reads <paramref name="stream"/> lazily into batches of at most <paramref name="batchSize"/> non-empty lines.</summary>
    public static IEnumerable<NdjsonBatch> Read(Stream stream, string fileSha256, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var body = new MemoryStream();
        var lines = new List<int>(batchSize);
        var lineNumber = 0;
        var index = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (IsBlank(line)) continue;
            var bytes = Encoding.UTF8.GetBytes(line);
            body.Write(bytes);
            body.WriteByte((byte)'\n');
            lines.Add(lineNumber);
            if (lines.Count == batchSize)
            {
                yield return new NdjsonBatch(index, body.ToArray(), lines.ToArray(), IdempotencyKey(fileSha256, batchSize, index));
                index++;
                body.SetLength(0);
                lines.Clear();
            }
        }
        if (lines.Count > 0)
            yield return new NdjsonBatch(index, body.ToArray(), lines.ToArray(), IdempotencyKey(fileSha256, batchSize, index));
    }
}
