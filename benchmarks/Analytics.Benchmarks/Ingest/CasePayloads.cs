using System.Text;
using System.Text.Json;
using Analytics.Core.Cases;
using Analytics.Core.Synthetic;

namespace Analytics.Benchmarks.Ingest;

/// <summary>
/// Generated cases rewritten to one jurisdiction and authority, serialised once with a fixed-width placeholder
/// case reference. Every payload handed out patches the placeholder with a fresh number, so each request
/// carries a case the server has not seen (a create, not an unchanged replay) without re-serialising.
/// </summary>
public sealed class CasePayloads
{
    public const string Jurisdiction = "RO";
    public const string Authority = "RO-BENCH";
    private const string Prefix = "BENCH/";
    private const int Digits = 10;
    private static readonly byte[] Placeholder = Encoding.UTF8.GetBytes(Prefix + new string('0', Digits));

    private readonly byte[][] _templates;
    private readonly int[][] _slots;
    private long _next;

    private CasePayloads(IReadOnlyList<CaseSubmission> original, byte[][] templates, int[][] slots)
    {
        Original = original;
        _templates = templates;
        _slots = slots;
    }

    /// <summary>The generated cases as they came out of the generator (own jurisdictions).</summary>
    public IReadOnlyList<CaseSubmission> Original { get; }

    public int Count => _templates.Length;

    /// <summary>Mean size of one serialised case in bytes.</summary>
    public double MeanBytes => _templates.Average(t => t.Length);

    public static CasePayloads Generate(int count, int seed)
    {
        var generated = new CaseGenerator(new GeneratorOptions { Seed = seed, Count = count }).Generate().Select(g => g.Case).ToList();
        var placeholder = Encoding.UTF8.GetString(Placeholder);
        var templates = new byte[generated.Count][];
        var slots = new int[generated.Count][];
        for (var i = 0; i < generated.Count; i++)
        {
            var c = generated[i];
            // The narrative quotes the case reference; keep it quoting the new one so the scrubber has the same work.
            var rewritten = c with
            {
                Jurisdiction = Jurisdiction,
                Authority = Authority,
                CaseReference = placeholder,
                Summary = c.Summary?.Replace(c.CaseReference, placeholder, StringComparison.Ordinal),
            };
            templates[i] = JsonSerializer.SerializeToUtf8Bytes(rewritten, CaseGenerator.JsonOptions);
            slots[i] = Occurrences(templates[i], Placeholder);
            if (slots[i].Length == 0) throw new InvalidOperationException("Placeholder reference not found in a serialised case.");
        }
        return new CasePayloads(generated, templates, slots);
    }

    /// <summary>Bytes of the next case with a reference never handed out before in this run.</summary>
    public byte[] NextCase()
    {
        var n = Interlocked.Increment(ref _next);
        var template = _templates[(int)(n % _templates.Length)];
        var bytes = (byte[])template.Clone();
        Patch(bytes, 0, _slots[(int)(n % _templates.Length)], n);
        return bytes;
    }

    /// <summary>An NDJSON body of <paramref name="lines"/> new cases.</summary>
    public byte[] NextBatch(int lines)
    {
        var first = Interlocked.Add(ref _next, lines) - lines + 1;
        var size = 0L;
        for (var k = 0; k < lines; k++) size += _templates[(int)((first + k) % _templates.Length)].Length + 1;
        var body = new byte[size];
        var at = 0;
        for (var k = 0; k < lines; k++)
        {
            var n = first + k;
            var index = (int)(n % _templates.Length);
            var template = _templates[index];
            template.CopyTo(body, at);
            Patch(body, at, _slots[index], n);
            at += template.Length;
            body[at++] = (byte)'\n';
        }
        return body;
    }

    private static void Patch(byte[] bytes, int offset, int[] slots, long n)
    {
        Span<byte> digits = stackalloc byte[Digits];
        var v = n;
        for (var d = Digits - 1; d >= 0; d--)
        {
            digits[d] = (byte)('0' + v % 10);
            v /= 10;
        }
        foreach (var slot in slots) digits.CopyTo(bytes.AsSpan(offset + slot + Prefix.Length));
    }

    private static int[] Occurrences(byte[] haystack, byte[] needle)
    {
        var found = new List<int>();
        var from = 0;
        while (true)
        {
            var i = haystack.AsSpan(from).IndexOf(needle);
            if (i < 0) break;
            found.Add(from + i);
            from += i + needle.Length;
        }
        return found.ToArray();
    }
}
