using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Analytics.Cli.Submit;

/// <summary>Bounded retries with exponential backoff: delay = min(BaseDelay · 2^(attempt-1), MaxDelay), or the server's Retry-After.</summary>
public sealed record RetryPolicy
{
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan DelayBefore(int nextAttempt) =>
        TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, BaseDelay.Ticks * (1L << Math.Clamp(nextAttempt - 2, 0, 20))));
}

/// <summary>The server's answer to a batch (POST /api/v1/cases/batch).</summary>
public sealed record BatchResponse(int Lines, int Created, int Updated, int Unchanged, int Rejected, IReadOnlyList<BatchResponseLine> Results);

/// <summary>One line of a batch answer: line numbers are 1-based within the batch body; errors are keyed by JSON Pointer.</summary>
public sealed record BatchResponseLine(int Line, string Status, IReadOnlyDictionary<string, string[]>? Errors);

public enum BatchFailure
{
    None,
    /// <summary>Connection errors or timeouts on every attempt.</summary>
    Unreachable,
    /// <summary>5xx / 408 / 429 on every attempt.</summary>
    ServerError,
    /// <summary>401 / 403: the key is missing, wrong or not allowed to submit.</summary>
    Unauthorized,
    /// <summary>Any other 4xx: this batch is refused as sent (too large, wrong media type, key reused with another body…).</summary>
    Refused,
    /// <summary>3xx: the server sends the batch elsewhere. It is not followed: the key and the records go to --url only.</summary>
    Redirected,
}

public sealed record BatchOutcome(BatchResponse? Response, BatchFailure Failure, int Attempts, string? Error, bool Replayed)
{
    public bool Succeeded => Response is not null;
}

/// <summary>Sends one batch with its idempotency key, retrying transient failures with the same key and body.</summary>
public sealed class BatchSender(HttpClient http, Uri endpoint, string? apiKey, RetryPolicy retry, Func<TimeSpan, CancellationToken, Task>? delay = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Func<TimeSpan, CancellationToken, Task> _delay = delay ?? Task.Delay;

    public async Task<BatchOutcome> SendAsync(NdjsonBatch batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var failure = BatchFailure.None;
        string? error = null;
        for (var attempt = 1; attempt <= Math.Max(1, retry.MaxAttempts); attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(batch.Body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                request.Headers.Add("Idempotency-Key", batch.IdempotencyKey);
                if (!string.IsNullOrEmpty(apiKey)) request.Headers.Add("X-Api-Key", apiKey);
                using var response = await http.SendAsync(request, ct);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadFromJsonAsync<BatchResponse>(Json, ct)
                        ?? throw new JsonException("empty answer");
                    var replayed = response.Headers.TryGetValues("Idempotent-Replayed", out var v) && v.Contains("true");
                    return new BatchOutcome(body, BatchFailure.None, attempt, null, replayed);
                }
                if (status is >= 300 and < 400)
                {
                    var location = response.Headers.Location is { } l ? $" to {(l.IsAbsoluteUri ? l : new Uri(endpoint, l))}" : "";
                    return new BatchOutcome(null, BatchFailure.Redirected, attempt, $"HTTP {status} redirect{location}: not followed, nothing is sent anywhere but --url", false);
                }
                var detail = await DetailAsync(response, ct);
                if (status is 401 or 403)
                    return new BatchOutcome(null, BatchFailure.Unauthorized, attempt, $"HTTP {status}: {detail}", false);
                if (status is >= 500 or 408 or 429)
                {
                    failure = BatchFailure.ServerError;
                    error = $"HTTP {status}: {detail}";
                    retryAfter = response.Headers.RetryAfter?.Delta;
                }
                else
                {
                    return new BatchOutcome(null, BatchFailure.Refused, attempt, $"HTTP {status}: {detail}", false);
                }
            }
            catch (HttpRequestException e)
            {
                failure = BatchFailure.Unreachable;
                error = e.Message;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                failure = BatchFailure.Unreachable;
                error = "timed out";
            }
            catch (JsonException e)
            {
                return new BatchOutcome(null, BatchFailure.Refused, attempt, $"unreadable answer: {e.Message}", false);
            }
            if (attempt < retry.MaxAttempts)
            {
                var wait = retryAfter is { } ra && ra > TimeSpan.Zero ? TimeSpan.FromTicks(Math.Min(ra.Ticks, retry.MaxDelay.Ticks)) : retry.DelayBefore(attempt + 1);
                await _delay(wait, ct);
            }
        }
        return new BatchOutcome(null, failure, retry.MaxAttempts, error, false);
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (string.IsNullOrWhiteSpace(text)) return response.ReasonPhrase ?? "";
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            string? Get(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            return Get("detail") ?? Get("title") ?? response.ReasonPhrase ?? "";
        }
        catch (JsonException)
        {
            return response.ReasonPhrase ?? "";
        }
    }
}
