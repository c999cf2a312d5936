using System.Buffers;
using System.IO.Pipelines;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Analytics.Api.Auth;
using Analytics.Api.Operations;
using Analytics.Core.Cases;
using Analytics.Data.Cases;
using Analytics.Data.Idempotency;
using Analytics.Data.Ingestion;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Api.Cases;

public static partial class CasesApi
{
    public const int MaxCaseBytes = 256 * 1024;
    public const long MaxBatchBytes = 64L * 1024 * 1024;
    public const int MaxBatchLines = 10_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapCasesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/cases")
            .WithTags("Cases")
            .RequireAuthorization(Policies.Prosecutor);

        group.MapPost("/", SubmitAsync).WithName("SubmitCase").WithSummary("Submit one case record (JSON).")
            .Accepts<CaseSubmission>("application/json");
        group.MapPost("/batch", SubmitBatchAsync).WithName("SubmitBatch").WithSummary("Submit up to 10,000 case records as NDJSON (one JSON record per line).")
            .Accepts<CaseSubmission>("application/x-ndjson", "application/jsonl", "application/ndjson");
        group.MapGet("/", ListAsync).WithName("ListCases").WithSummary("List your authority's cases (keyset pagination).");
        group.MapGet("/{id}", GetAsync).WithName("GetCase").WithSummary("Read one of your cases in its stored, pseudonymised form.");
        group.MapPut("/{id}", CorrectAsync).WithName("CorrectCase").WithSummary("Replace one of your cases with a corrected record.")
            .Accepts<CaseSubmission>("application/json");
        group.MapDelete("/{id}", WithdrawAsync).WithName("WithdrawCase").WithSummary("Withdraw one of your cases: it leaves every aggregate and link.");
        return app;
    }

    public static async Task<Results<Created<Receipt>, Ok<Receipt>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        HttpContext context, ClaimsPrincipal user, CaseIngestion ingestion, CaseStore store, IdempotencyStore idempotency, CancellationToken ct)
    {
        if (!IsJson(context.Request)) return UnsupportedMediaType("application/json");
        var body = await ReadBodyAsync(context.Request, MaxCaseBytes, ct);
        if (body is null) return TooLarge($"A single case may not exceed {MaxCaseBytes / 1024} KiB.");

        var (idempotencyKey, keyProblem) = IdempotencyKey(context.Request);
        if (keyProblem is not null) return keyProblem;
        // The route is part of the hash: the same bytes sent to the batch route with the same key are another request.
        var requestHash = RequestHash("case", body);
        if (idempotencyKey is not null && await ReserveAsync(idempotency, user, idempotencyKey, requestHash, context, ct) is { } replay)
            return replay;

        try
        {
            var metrics = context.RequestServices.GetRequiredService<AnalyticsMetrics>();
            var (prepared, errors) = ingestion.Prepare(body, SubmitterOf(user));
            if (prepared is null)
            {
                metrics.CountIngested("rejected", "single");
                if (idempotencyKey is not null) await idempotency.ReleaseAsync(user.PrincipalId(), idempotencyKey, CancellationToken.None);
                return Invalid(errors);
            }

            var written = (await store.UpsertAsync([prepared.Write], ct))[0];
            metrics.CountIngested(written.Outcome.ToString().ToLowerInvariant(), "single");
            var receipt = ReceiptFor(prepared, written);
            if (idempotencyKey is not null)
                await idempotency.CompleteAsync(user.PrincipalId(), idempotencyKey, written.Outcome == WriteOutcome.Created ? 201 : 200, JsonSerializer.Serialize(receipt, Json), CancellationToken.None);
            return written.Outcome == WriteOutcome.Created
                ? TypedResults.Created($"/api/v1/cases/{written.CaseId}", receipt)
                : TypedResults.Ok(receipt);
        }
        catch when (idempotencyKey is not null)
        {
            await idempotency.ReleaseAsync(user.PrincipalId(), idempotencyKey, CancellationToken.None);
            throw;
        }
    }

    public static async Task<Results<Ok<BatchResult>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> SubmitBatchAsync(
        HttpContext context, ClaimsPrincipal user, CaseIngestion ingestion, CaseStore store, IdempotencyStore idempotency, CancellationToken ct)
    {
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not ("application/x-ndjson" or "application/jsonl" or "application/ndjson"))
            return UnsupportedMediaType("application/x-ndjson");
        if (context.Request.ContentLength > MaxBatchBytes)
            return TooLarge($"A batch may not exceed {MaxBatchBytes / (1024 * 1024)} MiB.");

        var submitter = SubmitterOf(user);
        // Only what the commit and the receipts need is kept per line, not the pseudonymised record's object graph
        // (its canonical JSON is already in the write), so a large batch holds far less memory until the commit.
        var prepared = new List<(int Line, CaseWrite Write, IReadOnlyDictionary<string, int> Tokens, IReadOnlyDictionary<string, int> Scrubbed, IReadOnlyDictionary<string, IReadOnlyList<string>> Warnings)>();
        var results = new List<BatchLineResult>();
        // Lines read but not yet prepared: at most PrepareWindow copies of a line (each ≤ MaxCaseBytes) at a time.
        var window = new List<(int Line, byte[] Json)>(PrepareWindow);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // The route is part of the request hash (see RequestHash): the same bytes sent to the single-case route are another request.
        hash.AppendData("batch\n"u8);
        var lineNumber = 0;
        var records = 0;
        long bytes = 0;

        // The body is read line by line and never held whole; only pseudonymised records are kept until the commit.
        var reader = context.Request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(ct);
            var buffer = read.Buffer;
            while (TryReadLine(ref buffer, read.IsCompleted, out var line))
            {
                lineNumber++;
                bytes += line.Length + 1;
                if (bytes > MaxBatchBytes)
                {
                    await StopReadingAsync(reader, read);
                    return TooLarge($"A batch may not exceed {MaxBatchBytes / (1024 * 1024)} MiB.");
                }
                // A record is at most MaxCaseBytes on either route, whether its line arrived whole or in pieces.
                if (line.Length > MaxCaseBytes)
                {
                    await StopReadingAsync(reader, read);
                    return TooLarge($"Line {lineNumber} exceeds {MaxCaseBytes / 1024} KiB; nothing was stored.");
                }
                foreach (var segment in line) hash.AppendData(segment.Span);
                hash.AppendData("\n"u8);
                var span = Trim(line);
                if (span.IsEmpty) continue;
                if (++records > MaxBatchLines)
                {
                    await StopReadingAsync(reader, read);
                    return TooLarge($"A batch may hold at most {MaxBatchLines:N0} records; nothing was stored. Split it into several batches.");
                }
                window.Add((lineNumber, span.ToArray()));
                if (window.Count == PrepareWindow) PrepareLines(window, ingestion, submitter, prepared, results);
            }
            if (!read.IsCompleted && buffer.Length > MaxCaseBytes)
            {
                await StopReadingAsync(reader, read);
                return TooLarge($"Line {lineNumber + 1} exceeds {MaxCaseBytes / 1024} KiB; nothing was stored.");
            }
            // Also after the last read: a read left open makes Kestrel fail to drain the request and drop the
            // connection, so the client's next request on that kept-alive connection would fail.
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted) break;
        }
        await reader.CompleteAsync();
        PrepareLines(window, ingestion, submitter, prepared, results);

        // Named at the body ("") as any empty body where one is needed.
        if (records == 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [""] = ["The batch holds no records: send one JSON case record per line."] },
                title: "Empty batch", detail: "The batch holds no records; nothing was stored.");

        var requestHash = Convert.ToHexStringLower(hash.GetHashAndReset());
        var (idempotencyKey, keyProblem) = IdempotencyKey(context.Request);
        if (keyProblem is not null) return keyProblem;
        if (idempotencyKey is not null && await ReserveAsync(idempotency, user, idempotencyKey, requestHash, context, ct) is { } replay)
            return replay;

        // One transaction for the whole batch: a crash part-way leaves nothing half-stored.
        IReadOnlyList<WriteResult> written;
        try
        {
            written = await store.UpsertAsync(prepared.Select(p => p.Write).ToList(), ct);
        }
        catch when (idempotencyKey is not null)
        {
            await idempotency.ReleaseAsync(user.PrincipalId(), idempotencyKey, CancellationToken.None);
            throw;
        }
        for (var i = 0; i < prepared.Count; i++)
        {
            var receipt = ReceiptFor(prepared[i].Write, prepared[i].Tokens, prepared[i].Scrubbed, prepared[i].Warnings, written[i]);
            results.Add(new BatchLineResult(prepared[i].Line, receipt.Status, receipt, null));
        }
        results.Sort((a, b) => a.Line.CompareTo(b.Line));
        var result = new BatchResult(
            records,
            written.Count(w => w.Outcome == WriteOutcome.Created),
            written.Count(w => w.Outcome == WriteOutcome.Updated),
            written.Count(w => w.Outcome == WriteOutcome.Unchanged),
            records - written.Count,
            results);
        var metrics = context.RequestServices.GetRequiredService<AnalyticsMetrics>();
        metrics.CountIngested("created", "batch", result.Created);
        metrics.CountIngested("updated", "batch", result.Updated);
        metrics.CountIngested("unchanged", "batch", result.Unchanged);
        metrics.CountIngested("rejected", "batch", result.Rejected);
        // A batch that stored nothing (every line rejected) frees its key, as a rejected single case does, so that the
        // corrected batch can be sent with the same key.
        if (idempotencyKey is not null && prepared.Count == 0)
            await idempotency.ReleaseAsync(user.PrincipalId(), idempotencyKey, CancellationToken.None);
        else if (idempotencyKey is not null)
            await idempotency.CompleteAsync(user.PrincipalId(), idempotencyKey, 200, JsonSerializer.Serialize(result, Json), CancellationToken.None);
        return TypedResults.Ok(result);
    }

    /// <summary>
    /// Gives up on the rest of a body that is refused: the read in hand is released before the reader is completed, so
    /// that Kestrel can drain what the client still sends and answer with the problem on a connection that stays usable.
    /// </summary>
    private static async Task StopReadingAsync(System.IO.Pipelines.PipeReader reader, System.IO.Pipelines.ReadResult read)
    {
        reader.AdvanceTo(read.Buffer.End);
        await reader.CompleteAsync();
    }

    // Lines prepared together, in parallel on every core; their results are kept in line order.
    private const int PrepareWindow = 64;

    // Parse, validate and pseudonymise the window's lines in parallel (each line is independent and Prepare is
    // thread-safe), then record the results in line order exactly as a sequential loop would, and empty the window.
    private static void PrepareLines(List<(int Line, byte[] Json)> window, CaseIngestion ingestion, Submitter submitter,
        List<(int Line, CaseWrite Write, IReadOnlyDictionary<string, int> Tokens, IReadOnlyDictionary<string, int> Scrubbed, IReadOnlyDictionary<string, IReadOnlyList<string>> Warnings)> prepared,
        List<BatchLineResult> results)
    {
        if (window.Count == 0) return;
        var ready = new (PreparedCase? Case, IReadOnlyList<ValidationError> Errors)[window.Count];
        Parallel.For(0, window.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => ready[i] = ingestion.Prepare(window[i].Json, submitter));
        for (var i = 0; i < window.Count; i++)
        {
            var (line, _) = window[i];
            var (ok, errors) = ready[i];
            if (ok is null) results.Add(new BatchLineResult(line, "rejected", null, LineErrorMap(OnTheLine(errors))));
            else prepared.Add((line, ok.Write, new CompactCounts(ok.Pseudonymised.TokenCounts), new CompactCounts(ok.Pseudonymised.ScrubbedCounts), ok.Pseudonymised.Warnings));
        }
        window.Clear();
    }

    public static async Task<Results<Ok<CaseList>, ValidationProblem>> ListAsync(ClaimsPrincipal user, CaseStore store, string? after, int? limit, CancellationToken ct)
    {
        var (take, problem) = Errors.QueryValues.Take(limit, 100, 1000);
        if (problem is not null) return problem;
        (after, problem) = Errors.QueryValues.CaseIdCursor(after);
        if (problem is not null) return problem;
        var rows = await store.ListAsync(user.AuthorityOf()!, after, take + 1, ct);
        var items = rows.Take(take).Select(r => new CaseListItem(r.Id, r.Status, r.Version, r.UpdatedAt)).ToList();
        return TypedResults.Ok(new CaseList(items, rows.Count > take ? items[^1].CaseId : null));
    }

    public static async Task<Results<Ok<CaseDocument>, ProblemHttpResult>> GetAsync(string id, ClaimsPrincipal user, CaseStore store, CancellationToken ct)
    {
        var row = await FindOwnAsync(id, user, store, ct);
        if (row is null) return NotFound();
        using var record = JsonDocument.Parse(row.Record);
        return TypedResults.Ok(new CaseDocument(row.Id, row.Status, row.Version, row.RecordHash, row.SubmittedAt, row.UpdatedAt, record.RootElement.Clone()));
    }

    public static async Task<Results<Ok<Receipt>, ValidationProblem, ProblemHttpResult>> CorrectAsync(
        string id, HttpContext context, ClaimsPrincipal user, CaseIngestion ingestion, CaseStore store, CancellationToken ct)
    {
        if (!IsJson(context.Request)) return UnsupportedMediaType("application/json");
        var body = await ReadBodyAsync(context.Request, MaxCaseBytes, ct);
        if (body is null) return TooLarge($"A single case may not exceed {MaxCaseBytes / 1024} KiB.");
        var row = await FindOwnAsync(id, user, store, ct);
        if (row is null) return NotFound();
        // A late or retried correction must not bring a withdrawn case back unnoticed; a new submission does that.
        if (row.Status == "withdrawn") return Withdrawn();

        var (prepared, errors) = ingestion.Prepare(body, SubmitterOf(user));
        if (prepared is null) return Invalid(errors);
        // While stored cases are moved to a new key, the stored reference may still be the token of an earlier one.
        if (prepared.Write.CaseRefToken != row.CaseRefToken && !prepared.Write.CaseRefGenerations.Contains(row.CaseRefToken))
            return Problem(409, "Case reference differs", "The corrected record names a different case reference than the stored case. Submit it as a new case instead.");

        // Withdrawn since it was read above: the check is repeated where the correction is written.
        var written = await store.CorrectAsync(prepared.Write, ct);
        return written is null ? Withdrawn() : TypedResults.Ok(ReceiptFor(prepared, written));
    }

    private static ProblemHttpResult Withdrawn() =>
        Problem(409, "Case withdrawn", "This case was withdrawn; a correction does not restore it. Submit it again with POST /api/v1/cases to restore it.");

    public static async Task<Results<NoContent, ProblemHttpResult>> WithdrawAsync(string id, ClaimsPrincipal user, CaseStore store, CancellationToken ct)
    {
        var row = await FindOwnAsync(id, user, store, ct);
        if (row is null) return NotFound();
        await store.WithdrawAsync(id, ct);
        return TypedResults.NoContent();
    }

    // Another authority's case answers exactly like a missing one, so ids reveal nothing.
    private static async Task<StoredCaseRow?> FindOwnAsync(string id, ClaimsPrincipal user, CaseStore store, CancellationToken ct)
    {
        if (id.Length > 64) return null;
        // Ids are GUIDs, which are case-insensitive; they are stored in lower case.
        var row = await store.FindAsync(id.ToLowerInvariant(), ct);
        return row is not null && row.Authority == user.AuthorityOf() && row.Jurisdiction == user.JurisdictionOf() ? row : null;
    }

    private static Receipt ReceiptFor(PreparedCase prepared, WriteResult written) =>
        ReceiptFor(prepared.Write, prepared.Pseudonymised.TokenCounts, prepared.Pseudonymised.ScrubbedCounts, prepared.Pseudonymised.Warnings, written);

    private static Receipt ReceiptFor(CaseWrite write, IReadOnlyDictionary<string, int> tokens, IReadOnlyDictionary<string, int> scrubbed,
        IReadOnlyDictionary<string, IReadOnlyList<string>> warnings, WriteResult written) => new(
        written.CaseId,
        written.Outcome.ToString().ToLowerInvariant(),
        written.Version,
        write.RecordHash,
        write.KeyId,
        tokens,
        scrubbed,
        warnings);

    private static Submitter SubmitterOf(ClaimsPrincipal user) => new(user.JurisdictionOf()!, user.AuthorityOf()!);

    /// <summary>Longest Idempotency-Key accepted; a longer one is refused, not cut (two long keys would otherwise collide).</summary>
    public const int MaxIdempotencyKeyLength = 200;

    private static (string? Key, ValidationProblem? Problem) IdempotencyKey(HttpRequest request)
    {
        var values = request.Headers["Idempotency-Key"];
        // Two fields would be joined into one key ("a,b") that neither retry sends alone.
        if (values.Count > 1)
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["Idempotency-Key"] = ["at most one Idempotency-Key header"] },
                title: "Invalid Idempotency-Key; nothing was stored."));
        var key = values.ToString();
        if (string.IsNullOrWhiteSpace(key)) return (null, null);
        return key.Length > MaxIdempotencyKeyLength
            ? (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["Idempotency-Key"] = [$"at most {MaxIdempotencyKeyLength} characters"] },
                title: "Invalid Idempotency-Key; nothing was stored."))
            : (key, null);
    }

    private static string RequestHash(string route, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.ASCII.GetBytes(route + "\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Takes the key for this request, or answers from what holds it: the first response again (a replay), 422 for a
    /// key used with another request, 409 while the first request with it is still being processed.
    /// </summary>
    private static async Task<ContentHttpResult?> ReserveAsync(IdempotencyStore store, ClaimsPrincipal user, string key, string requestHash, HttpContext context, CancellationToken ct)
    {
        var held = await store.ReserveAsync(user.PrincipalId(), key, requestHash, ct);
        if (held is null) return null;
        if (held.RequestHash != requestHash)
            return ProblemText(context, 422, "Idempotency key reused", "This Idempotency-Key was already used with a different request (another body or another route).");
        if (held.StatusCode == 0)
        {
            context.Response.Headers.RetryAfter = "1";
            return ProblemText(context, 409, "Request in progress", "A request with this Idempotency-Key is still being processed; retry it shortly to get its response.");
        }
        context.Response.Headers["Idempotent-Replayed"] = "true";
        // A replayed 201 says where the case is, as the first answer did.
        if (held.StatusCode == StatusCodes.Status201Created && CaseIdOf(held.Response) is { } caseId)
            context.Response.Headers.Location = $"/api/v1/cases/{caseId}";
        return TypedResults.Text(held.Response, "application/json", System.Text.Encoding.UTF8, held.StatusCode);
    }

    private static string? CaseIdOf(string receipt)
    {
        try
        {
            using var document = JsonDocument.Parse(receipt);
            return document.RootElement.TryGetProperty("caseId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Written as text, as a replayed answer is, with the members the framework's problems have (traceId as it sets it).
    private static ContentHttpResult ProblemText(HttpContext context, int status, string title, string detail) =>
        TypedResults.Text(
            JsonSerializer.Serialize(new
            {
                type = $"https://tools.ietf.org/html/rfc9110#section-15.5.{(status == 409 ? 10 : 21)}",
                title,
                status,
                detail,
                traceId = System.Diagnostics.Activity.Current?.Id ?? context.TraceIdentifier,
            }, Json),
            "application/problem+json", System.Text.Encoding.UTF8, status);

    private static bool IsJson(HttpRequest request)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        return string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Reads the body up to <paramref name="limit"/> bytes; null when it is larger.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit) return null;
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int n;
            while ((n = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + n > limit) return null;
                buffer.Write(chunk, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk, clearArray: true);
        }
        return buffer.ToArray();
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, bool completed, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is not null)
        {
            line = buffer.Slice(0, newline.Value);
            buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
            return true;
        }
        if (completed && !buffer.IsEmpty)
        {
            line = buffer;
            buffer = buffer.Slice(buffer.End);
            return true;
        }
        line = default;
        return false;
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySequence<byte> line)
    {
        ReadOnlySpan<byte> span = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        return span.Trim(" \t\r"u8);
    }

    /// <summary>
    /// A line's errors as a batch reports them, under the line's number: the reader, which was given the line alone, places a
    /// syntax error at its line 1, which would read as line 1 of the batch; it is placed within the line instead.
    /// </summary>
    private static IReadOnlyList<ValidationError> OnTheLine(IReadOnlyList<ValidationError> errors) =>
        errors.Select(e => FirstLineOfRecord().Match(e.Message) is { Success: true } at
            ? e with { Message = $"Malformed JSON at byte {at.Groups["byte"].Value} of the line{e.Message[at.Length..]}" }
            : e).ToList();

    [System.Text.RegularExpressions.GeneratedRegex("^Malformed JSON at line 1, byte (?<byte>[0-9]+)")]
    private static partial System.Text.RegularExpressions.Regex FirstLineOfRecord();

    private static IDictionary<string, string[]> ErrorMap(IReadOnlyList<ValidationError> errors) =>
        errors.GroupBy(e => e.Pointer).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());

    /// <summary>
    /// Most errors listed for one rejected line of a batch. A record of a few kilobytes can hold hundreds (a list of unknown
    /// codes), each naming the code list: listed in full for 10,000 such lines, they made an answer of more than a gigabyte.
    /// </summary>
    public const int MaxErrorsPerLine = 10;

    private static IDictionary<string, string[]> LineErrorMap(IReadOnlyList<ValidationError> errors) =>
        ErrorMap(errors.Count <= MaxErrorsPerLine ? errors :
        [
            .. errors.Take(MaxErrorsPerLine),
            new ValidationError("", $"Only the first {MaxErrorsPerLine} errors of a line are listed; send the line alone to POST /api/v1/cases to see the others."),
        ]);

    private static ValidationProblem Invalid(IReadOnlyList<ValidationError> errors) =>
        TypedResults.ValidationProblem(ErrorMap(errors), title: "The case record is invalid; nothing was stored.",
            type: "https://datatracker.ietf.org/doc/html/rfc9457#section-3",
            detail: "Each key under 'errors' is a JSON Pointer (RFC 6901) to an offending field.");

    private static ProblemHttpResult NotFound() => Problem(404, "Case not found", "No case with this id belongs to your authority.");

    private static ProblemHttpResult TooLarge(string detail) => Problem(413, "Request too large", detail);

    private static ProblemHttpResult UnsupportedMediaType(string expected) =>
        Problem(415, Errors.UnsupportedMediaTypes.Title, Errors.UnsupportedMediaTypes.Detail(expected));

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(detail, statusCode: status, title: title);
}
