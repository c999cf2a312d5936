using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Analytics.Cli.Hosting;
using Analytics.Core.Ctdc;
using Analytics.Data.Cases;
using Analytics.Data.Ingestion;

namespace Analytics.Cli.Import;

/// <summary>A file the importer cannot use at all (empty, unknown header, not text): nothing was imported.</summary>
public sealed class ImportFileException(string message) : Exception(message);

public sealed record ImportOptions
{
    /// <summary>Data rows (1-based, header not counted) up to and including this one are read but not imported.</summary>
    public int Skip { get; init; }

    /// <summary>Rows written per transaction.</summary>
    public int ChunkSize { get; init; } = 2000;

    /// <summary>Degree of parallelism of mapping and pseudonymisation.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>Rows sharing one rejection reason (or note), with the first few row numbers as examples.</summary>
public sealed record ReasonGroup(string Reason, int Count, IReadOnlyList<int> FirstRows);

public sealed record ImportReport
{
    public required string File { get; init; }
    public required CtdcFormat Format { get; init; }
    public int RowsRead { get; init; }
    public int RowsSkipped { get; init; }
    public int Created { get; init; }
    public int Updated { get; init; }
    public int Unchanged { get; init; }
    public int Rejected { get; init; }
    public IReadOnlyList<ReasonGroup> Rejections { get; init; } = [];
    public IReadOnlyList<ReasonGroup> Notes { get; init; } = [];
    /// <summary>Highest data row number whose chunk is committed (resume with --skip this).</summary>
    public int LastCommittedRow { get; init; }
    /// <summary>Why the import stopped before the end of the file, or null when it read the whole file.</summary>
    public string? Aborted { get; init; }
    /// <summary>True when the database refused a write (as opposed to a bad file or a cancellation).</summary>
    public bool Failed { get; init; }
    public TimeSpan Elapsed { get; init; }
    public int Imported => Created + Updated + Unchanged;
    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? RowsRead / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Streams a CTDC CSV file through <see cref="CtdcMapper"/> and the single ingestion path
/// (<see cref="CaseIngestion.Prepare(Analytics.Core.Cases.CaseSubmission, Submitter?)"/>) into <see cref="CaseStore"/>,
/// one transaction per chunk. Rows are mapped and pseudonymised in parallel within a chunk while the previous chunk is
/// written; results are collected in row order, so the output does not depend on scheduling. Case keys depend only on
/// the row number, so a re-run finds every stored case unchanged.
/// </summary>
public sealed partial class CtdcImporter(CaseIngestion ingestion, CaseStore store)
{
    private const int ExampleRows = 3;

    private sealed record RowOutcome(int Row, CaseWrite? Write, IReadOnlyList<string> Reasons, IReadOnlyList<string> Notes);

    private sealed class Groups
    {
        private readonly Dictionary<string, (int Count, List<int> Rows)> _groups = new(StringComparer.Ordinal);

        public void Add(string reason, int row)
        {
            if (!_groups.TryGetValue(reason, out var g)) g = (0, []);
            if (g.Rows.Count < ExampleRows) g.Rows.Add(row);
            _groups[reason] = (g.Count + 1, g.Rows);
        }

        public IReadOnlyList<ReasonGroup> ToList() => _groups
            .OrderByDescending(g => g.Value.Count).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ReasonGroup(g.Key, g.Value.Count, g.Value.Rows)).ToList();
    }

    public static CtdcHeader ReadHeader(TextReader reader, string file, out IEnumerable<(int RowNumber, string[] Fields)> rows)
    {
        try
        {
            rows = CtdcCsv.ReadRows(reader, out var header);
            if (header.Format == CtdcFormat.Unknown)
            {
                // Only names of CTDC columns are shown: the first line of a file without a header is a record.
                var known = header.Columns.Where(c => CtdcFormats.KAnon2021Columns.Contains(c) || CtdcFormats.Synthetic2024Columns.Contains(c)).ToList();
                var names = known.Count == 0 ? "none of them a CTDC column name"
                    : $"{known.Count} of them CTDC column names: {string.Join(", ", known.Take(6))}{(known.Count > 6 ? ", …" : "")}";
                throw new ImportFileException(
                    $"{file}: unrecognised header ({header.Columns.Count} columns, {names}). Expected one of: " +
                    $"the CTDC Global K-anonymised Dataset 2021 ({CtdcFormats.KAnon2021Columns.Count} columns: {string.Join(", ", CtdcFormats.KAnon2021Columns.Take(4))}, …) or " +
                    $"the CTDC Global Synthetic Dataset v2024 ({CtdcFormats.Synthetic2024Columns.Count} columns: {string.Join(", ", CtdcFormats.Synthetic2024Columns.Take(4))}, …).");
            }
            return header;
        }
        catch (InvalidDataException e)
        {
            throw new ImportFileException($"{file}: {e.Message}");
        }
        catch (DecoderFallbackException)
        {
            // The reader decodes ahead in 64 KiB blocks: the bytes at fault may be in the header or in the rows after it.
            throw new ImportFileException($"{file}: unreadable CSV: its first block (the header and the rows after it) is not UTF-8 text. Convert the file to UTF-8 (for instance iconv -f latin1 -t utf-8) and run again.");
        }
    }

    public async Task<ImportReport> ImportAsync(Stream stream, string file, ImportOptions options, IWorkProgress? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ChunkSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "The chunk size must be at least 1.");
        var clock = Stopwatch.StartNew();
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var header = ReadHeader(reader, file, out var rows);

        var rejections = new Groups();
        var notes = new Groups();
        int read = 0, skipped = 0, created = 0, updated = 0, unchanged = 0, rejected = 0, committed = options.Skip;
        string? aborted = null;
        Task<IReadOnlyList<WriteResult>>? pending = null;
        var pendingLastRow = 0;
        var chunk = new List<(int Row, string[] Fields)>(options.ChunkSize);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = ct };

        async Task CompletePendingAsync()
        {
            if (pending is null) return;
            var written = await pending;
            pending = null;
            foreach (var w in written)
            {
                switch (w.Outcome)
                {
                    case WriteOutcome.Created: created++; break;
                    case WriteOutcome.Updated: updated++; break;
                    default: unchanged++; break;
                }
            }
            committed = Math.Max(committed, pendingLastRow);
        }

        async Task FlushAsync()
        {
            if (chunk.Count == 0) return;
            var outcomes = new RowOutcome[chunk.Count];
            var rowsOfChunk = chunk.ToArray();
            Parallel.For(0, rowsOfChunk.Length, parallel, i => outcomes[i] = Prepare(header, rowsOfChunk[i].Row, rowsOfChunk[i].Fields));
            chunk.Clear();

            var writes = new List<CaseWrite>(outcomes.Length);
            foreach (var o in outcomes)
            {
                foreach (var n in o.Notes) notes.Add(n, o.Row);
                if (o.Write is not null) { writes.Add(o.Write); continue; }
                rejected++;
                foreach (var r in o.Reasons) rejections.Add(r, o.Row);
            }
            await CompletePendingAsync();
            pendingLastRow = outcomes[^1].Row;
            // Microsoft.Data.Sqlite completes synchronously: run the write beside the preparation of the next chunk.
            pending = Task.Run(() => store.UpsertAsync(writes, ct), ct);
        }

        string Status() => string.Create(CultureInfo.InvariantCulture,
            $"{read:N0} rows read, {created + updated + unchanged:N0} imported, {rejected:N0} rejected");

        var failed = false;
        try
        {
            using (var e = rows.GetEnumerator())
            {
                while (true)
                {
                    try
                    {
                        if (!e.MoveNext()) break;
                    }
                    catch (DecoderFallbackException)
                    {
                        // The reader decodes ahead in 64 KiB blocks, so the bytes at fault are somewhere in the block after this row.
                        aborted = $"unreadable CSV: the text in the block after data row {read} is not UTF-8 (convert the file to UTF-8, for instance with iconv -f latin1 -t utf-8, before running again)";
                        break;
                    }
                    catch (IOException io)
                    {
                        aborted = $"reading failed after data row {read}: {io.Message}";
                        break;
                    }
                    var (row, fields) = e.Current;
                    read++;
                    if (row <= options.Skip) { skipped++; continue; }
                    chunk.Add((row, fields));
                    if (chunk.Count >= options.ChunkSize)
                    {
                        await FlushAsync();
                        progress?.Report(stream.CanSeek ? stream.Position : read, Status());
                    }
                }
            }
            await FlushAsync();
            await CompletePendingAsync();
        }
        catch (Exception ex) when (ex is OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Stop, but report what is committed: every chunk before the failure is stored and a re-run resumes.
            failed = ex is not OperationCanceledException;
            // The first line only: a database's message may go on with details that quote the values of the row.
            aborted = ex is OperationCanceledException ? "cancelled"
                : $"writing failed: {ex.GetBaseException().GetType().Name}: {ex.GetBaseException().Message.Split('\n', 2)[0].Trim()}";
            try { await CompletePendingAsync(); }
            catch (Exception) { pending = null; }
        }
        progress?.Report(stream.CanSeek ? stream.Length : read, Status());

        return new ImportReport
        {
            File = file,
            Format = header.Format,
            RowsRead = read,
            RowsSkipped = skipped,
            Created = created,
            Updated = updated,
            Unchanged = unchanged,
            Rejected = rejected,
            Rejections = rejections.ToList(),
            Notes = notes.ToList(),
            LastCommittedRow = committed,
            Aborted = aborted,
            Failed = failed,
            Elapsed = clock.Elapsed,
        };
    }

    private RowOutcome Prepare(CtdcHeader header, int row, string[] fields)
    {
        var mapped = CtdcMapper.Map(fields, header, row);
        var notes = mapped.Notes.Select(StripRow).ToArray();
        if (mapped.Case is null) return new RowOutcome(row, null, mapped.Reasons.Select(StripRow).ToArray(), notes);
        var (prepared, errors) = ingestion.Prepare(mapped.Case, submitter: null);
        if (prepared is null) return new RowOutcome(row, null, errors.Select(x => $"{x.Pointer}: {x.Message}").ToArray(), notes);
        return new RowOutcome(row, prepared.Write, [], notes);
    }

    /// <summary>"row 12: gender: 'X' is not a known value" → "gender: 'X' is not a known value", so reasons group.</summary>
    private static string StripRow(string reason) => RowPrefix().Replace(reason, "");

    [GeneratedRegex(@"^row \d+: ")]
    private static partial Regex RowPrefix();
}
