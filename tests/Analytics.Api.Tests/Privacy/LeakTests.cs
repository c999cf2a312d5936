using System.Buffers;
using System.IO.Compression;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Api.Cases;
using Analytics.Api.Learning;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Core.Synthetic;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.Privacy;

/// <summary>
/// Non-negotiable 1: ingest generated cases full of identifiers through the real API, then scan the database file,
/// its WAL, every file under the data folder and the captured logs for each raw identifier and its obvious variants.
/// </summary>
public sealed partial class LeakTests(ITestOutputHelper output) : IDisposable
{
    private readonly AnalyticsFactory _factory = new();

    [Fact]
    public async Task Ingestion_LeavesNoRawIdentifier_InDatabaseWalFilesOrLogs()
    {
        var dataset = new CaseGenerator(new GeneratorOptions { Seed = 7, Count = 1_200 }).Run();
        var stored = 0;
        foreach (var group in dataset.Cases.GroupBy(c => (c.Case.Jurisdiction, c.Case.Authority)))
        {
            var client = await _factory.ProsecutorAsync(group.Key.Jurisdiction, group.Key.Authority);
            var ndjson = string.Join('\n', group.Select(c => JsonSerializer.Serialize(c.Case, CaseGenerator.JsonOptions)));
            var response = await client.SubmitBatchAsync(ndjson);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var result = await response.ReadAsync<BatchResult>();
            Assert.True(result.Rejected == 0, string.Join("; ", result.Results.Where(r => r.Errors is not null).SelectMany(r => r.Errors!.Select(e => $"line {r.Line} {e.Key}"))));
            stored += result.Created;
        }
        Assert.True(stored >= 1_000, $"at least 1,000 cases stored ({stored})");

        // Train every model so the model files are scanned too.
        await _factory.Services.GetRequiredService<LearningJobs>().TrainAllAsync(CancellationToken.None);

        var needles = Needles(dataset.GroundTruth);
        Assert.True(needles.Count > 3_000, $"the scan looks for many identifiers ({needles.Count})");
        // Digits-only variants, single name parts and short variants without a separator ("BosEva" for "Bos Eva") are
        // looked up as whole words: inside a hex hash, a base32 token ("…pbosevafza…") or a longer word ("Davies" in
        // "daviesBouldin") they are chance, not a leak. With tokens from a fresh random key on every run, a
        // six-letter variant turns up inside one about once in a run.
        var wordNeedles = needles.Where(n => n.All(char.IsAsciiDigit) || (n.Length < 9 && n.All(char.IsLetterOrDigit)))
            .Concat(dataset.GroundTruth.NameParts.Where(p => p.Length >= 5).SelectMany(p => new[] { p, Fold(p) }))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var scanner = SearchValues.Create(needles.Where(n => !wordNeedles.Contains(n)).ToArray(), StringComparison.OrdinalIgnoreCase);

        // Positive control: the scanner finds an identifier when one is there.
        var control = needles.First(n => n.StartsWith('+'));
        Assert.True(("xx " + control + " yy").AsSpan().IndexOfAny(scanner) >= 0);

        // Street addresses and the cities the narratives named as places of origin or exploitation, with their
        // diacritics-free forms. Matched as whole words and case-sensitively: "Via Roma" is not in "via Romania", and
        // "Milano" is not the authority id "IT-DDA-MILANO".
        var places = dataset.Places.Addresses.Concat(dataset.Places.Streets).Concat(dataset.Places.Cities)
            .SelectMany(p => new[] { p, Fold(p) }).Distinct(StringComparer.Ordinal).ToList();
        Assert.True(dataset.Places.Addresses.Count >= 100 && dataset.Places.Cities.Count >= 30, $"the scan looks for many places ({places.Count})");
        var placeScanner = SearchValues.Create(places.ToArray(), StringComparison.Ordinal);
        Assert.NotEmpty(FindPhrases("kept at " + dataset.Places.Addresses[0] + ".", placeScanner, places));
        Assert.Empty(FindPhrases("kept at x" + dataset.Places.Cities[0] + "x.", placeScanner, places));

        var hits = new List<string>();
        var files = Directory.EnumerateFiles(_factory.DataFolder, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith("analytics.db", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("analytics.db-wal", StringComparison.Ordinal));
        Assert.Equal(3, files.Count(f => f.EndsWith("model.zip", StringComparison.Ordinal)));
        foreach (var file in files)
        {
            // The database's raw pages (file, WAL, shared memory) are scanned for whole identifiers and places. Its
            // words are scanned below, value by value: in raw pages, a cell written over part of an old one can leave
            // the tail of a token ("…milan") between two binary bytes, which reads as a whole word but is no leak.
            var databasePages = Path.GetFileName(file).StartsWith("analytics.db", StringComparison.Ordinal);
            foreach (var (name, bytes) in Contents(file))
            {
                // Stored text is UTF-8; binary page bytes decode to replacement characters and match nothing.
                var text = Encoding.UTF8.GetString(bytes);
                var found = Find(text, scanner).Concat(FindPhrases(text, placeScanner, places));
                if (!databasePages) found = found.Concat(FindWords(text, wordNeedles));
                hits.AddRange(found.Select(h => $"{name}: {h}"));
                output.WriteLine($"scanned {name} ({bytes.Length:N0} bytes)");
            }
        }
        var values = 0;
        var unescaped = 0;
        foreach (var (place, text) in StoredValues(_factory.DatabasePath))
        {
            values++;
            if (place.EndsWith("(unescaped)", StringComparison.Ordinal)) unescaped++;
            hits.AddRange(Find(text, scanner).Concat(FindWords(text, wordNeedles)).Concat(FindPhrases(text, placeScanner, places))
                .Select(h => $"{place}: {h}"));
        }
        Assert.True(values > 10_000, $"every stored value is scanned ({values})");
        Assert.True(unescaped > 100, $"stored records with letters outside ASCII are scanned as they read too ({unescaped})");
        output.WriteLine($"scanned {values:N0} stored text and blob values");
        var logs = string.Join('\n', _factory.Logs);
        hits.AddRange(Find(logs, scanner).Concat(FindWords(logs, wordNeedles)).Concat(FindPhrases(logs, placeScanner, places)).Select(h => $"logs: {h}"));
        Assert.NotEmpty(FindWords("tel " + wordNeedles.First() + ".", wordNeedles));
        output.WriteLine($"scanned {_factory.Logs.Count} log lines for {needles.Count} identifier variants and {places.Count} places");

        Assert.True(hits.Count == 0, "raw identifiers found:\n" + string.Join('\n', hits.Take(20)));
    }

    /// <summary>Every text and blob value of every table, read through SQLite (so the WAL's committed pages too).</summary>
    private static IEnumerable<(string Place, string Text)> StoredValues(string databasePath)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            using var reader = list.ExecuteReader();
            while (reader.Read()) tables.Add(reader.GetString(0));
        }
        Assert.Contains("cases", tables);
        foreach (var table in tables)
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    var text = value switch
                    {
                        string s => s,
                        byte[] b => Encoding.UTF8.GetString(b),
                        _ => null,
                    };
                    if (text is null) continue;
                    yield return ($"{table}.{reader.GetName(i)}", text);
                    // JSON writes every character outside ASCII as \uXXXX: "M\u0103rgineanu" would not match "Mărgineanu".
                    // The value is scanned again as it reads.
                    if (text.Contains("\\u", StringComparison.Ordinal))
                        yield return ($"{table}.{reader.GetName(i)} (unescaped)", JsonEscape().Replace(text, m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString()));
                }
            }
        }
    }

    /// <summary>A file's bytes, or each entry of a zip archive (model files) decompressed.</summary>
    private static IEnumerable<(string Name, byte[] Bytes)> Contents(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (file.EndsWith(".zip", StringComparison.Ordinal))
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
            foreach (var entry in zip.Entries)
            {
                using var entryStream = entry.Open();
                using var memory = new MemoryStream();
                entryStream.CopyTo(memory);
                yield return ($"{Path.GetFileName(Path.GetDirectoryName(file))}/{Path.GetFileName(file)}!{entry.FullName}", memory.ToArray());
            }
            yield break;
        }
        using var all = new MemoryStream();
        stream.CopyTo(all);
        yield return (Path.GetFileName(file), all.ToArray());
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\\u([0-9a-fA-F]{4})")]
    private static partial System.Text.RegularExpressions.Regex JsonEscape();

    private static List<string> Find(string text, SearchValues<string> scanner)
    {
        var found = new List<string>();
        var offset = 0;
        while (offset < text.Length)
        {
            var index = text.AsSpan(offset).IndexOfAny(scanner);
            if (index < 0) break;
            var at = offset + index;
            var start = Math.Max(0, at - 20);
            found.Add(text.Substring(start, Math.Min(60, text.Length - start)));
            offset = at + 1;
        }
        return found;
    }

    // Occurrences of any phrase as whole words, case-sensitive.
    private static IEnumerable<string> FindPhrases(string text, SearchValues<string> scanner, IReadOnlyList<string> phrases)
    {
        var offset = 0;
        while (offset < text.Length)
        {
            var index = text.AsSpan(offset).IndexOfAny(scanner);
            if (index < 0) yield break;
            var at = offset + index;
            foreach (var phrase in phrases)
            {
                var end = at + phrase.Length;
                if (!text.AsSpan(at).StartsWith(phrase, StringComparison.Ordinal)) continue;
                if ((at > 0 && char.IsLetterOrDigit(text[at - 1])) || (end < text.Length && char.IsLetterOrDigit(text[end]))) continue;
                var start = Math.Max(0, at - 20);
                // Control characters are shown escaped, so a hit inside binary page bytes can be told from one in stored text.
                yield return string.Concat(text.Substring(start, Math.Min(60, text.Length - start))
                    .Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));
                break;
            }
            offset = at + 1;
        }
    }

    private static IEnumerable<string> FindWords(string text, HashSet<string> words)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0) start = i;
            else if (!inWord && start >= 0)
            {
                var word = text[start..i];
                if (words.Contains(word)) yield return word;
                start = -1;
            }
        }
    }

    /// <summary>Each identifier and the variants a careless implementation might store: digits only, no spaces, folded names.</summary>
    private static HashSet<string> Needles(GroundTruth truth)
    {
        var needles = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var id in truth.GeneratedIdentifiers)
        {
            Add(id);
            Add(id.Replace(" ", "", StringComparison.Ordinal));
            Add(Fold(id));
            var digits = new string(id.Where(char.IsAsciiDigit).ToArray());
            if (digits.Length >= 9 && digits.Length * 2 > id.Length) Add(digits);
        }
        return needles;

        void Add(string s)
        {
            if (s.Length >= 6) needles.Add(s);
        }
    }

    private static string Fold(string s)
    {
        var decomposed = s.Normalize(NormalizationForm.FormD);
        return new string(decomposed.Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark).ToArray());
    }

    public void Dispose() => _factory.Dispose();
}
