using System.Net;
using System.Text;
using Analytics.Api.Cases;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Cli.Submit;

namespace Analytics.Api.Tests.Cli;

public sealed class SubmitBatchingTests
{
    [Fact]
    public void Batches_AreCutDeterministically_SkipEmptyLines_AndKeepFileLineNumbers()
    {
        var text = "{\"a\":1}\n\n{\"a\":2}\r\n{\"a\":3}\n   \n{\"a\":4}\n{\"a\":5}";
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        List<NdjsonBatch> Cut() => NdjsonBatches.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), sha, 2).ToList();

        var batches = Cut();

        Assert.Equal([2, 2, 1], batches.Select(b => b.Count));
        Assert.Equal([1, 3], batches[0].FileLines);
        Assert.Equal([4, 6], batches[1].FileLines);
        Assert.Equal([7], batches[2].FileLines);
        Assert.Equal("{\"a\":1}\n{\"a\":2}\n", Encoding.UTF8.GetString(batches[0].Body));
        Assert.Equal(3, batches.Select(b => b.IdempotencyKey).Distinct().Count());
        var again = Cut();
        Assert.Equal(batches.Select(b => b.IdempotencyKey), again.Select(b => b.IdempotencyKey));
        Assert.Equal(batches.Select(b => Convert.ToBase64String(b.Body)), again.Select(b => Convert.ToBase64String(b.Body)));
        Assert.NotEqual(NdjsonBatches.IdempotencyKey(sha, 2, 0), NdjsonBatches.IdempotencyKey(sha, 3, 0));
        Assert.NotEqual(NdjsonBatches.IdempotencyKey(sha, 2, 0), NdjsonBatches.IdempotencyKey(new string('0', 64), 2, 0));
    }

    [Fact]
    public async Task Scan_CountsNonEmptyLines_AndHashesTheFile()
    {
        var bytes = Encoding.UTF8.GetBytes("a\n\nb\r\n  \nc");
        var (sha, lines) = await NdjsonBatches.ScanAsync(new MemoryStream(bytes), CancellationToken.None);
        Assert.Equal(3, lines);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), sha);
    }

    [Fact]
    public async Task Scan_CountsBlankLinesAsTheBatchesDo_WhateverTheWhiteSpace()
    {
        // A form feed, a vertical tab, a no-break space, an em space and a byte order mark alone on their lines.
        var bytes = "\uFEFF\n{\"a\":1}\n\f\n{\"a\":2}\n\v\t\n\u00A0\n{\"a\":3}\n \u2003 \n"u8.ToArray();

        var (_, lines) = await NdjsonBatches.ScanAsync(new MemoryStream(bytes), CancellationToken.None);
        var batches = NdjsonBatches.Read(new MemoryStream(bytes), new string('0', 64), 1).ToList();

        Assert.Equal([2, 4, 7], batches.SelectMany(b => b.FileLines));
        Assert.Equal(3, lines);
        Assert.False(NdjsonBatches.IsBlank("{}"));
        Assert.True(NdjsonBatches.IsBlank("\f\u00A0 "));
    }

    [Fact]
    public async Task Scan_EndsLinesAsTheBatchesDo_OnCrAlone_AndCrLf()
    {
        var (_, lines) = await NdjsonBatches.ScanAsync(new MemoryStream("a\rb\r\nc\rd"u8.ToArray()), CancellationToken.None);
        var batches = NdjsonBatches.Read(new MemoryStream("a\rb\r\nc\rd"u8.ToArray()), new string('0', 64), 10).ToList();

        Assert.Equal(4, lines);
        Assert.Equal([1, 2, 3, 4], batches.Single().FileLines);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Scan_NamesTheLineThatIsNotUtf8_WithoutItsContent(int badLine)
    {
        var text = new MemoryStream();
        for (var line = 1; line <= 4; line++)
        {
            text.Write(line == badLine ? [0x7B, 0xC3, 0x28, 0x7D] : "{\"ok\":1}"u8.ToArray());
            text.Write(line % 2 == 0 ? "\r\n"u8 : "\n"u8);
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => NdjsonBatches.ScanAsync(new MemoryStream(text.ToArray()), CancellationToken.None));

        Assert.StartsWith($"line {badLine} is not UTF-8 text", error.Message);
    }

    internal sealed class ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] steps) : HttpMessageHandler
    {
        public List<(string? Key, string Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add((request.Headers.TryGetValues("Idempotency-Key", out var k) ? k.Single() : null, await request.Content!.ReadAsStringAsync(cancellationToken)));
            return steps[Math.Min(Requests.Count - 1, steps.Length - 1)](request);
        }
    }

    private static readonly NdjsonBatch Batch = new(0, Encoding.UTF8.GetBytes("{}\n"), [1], "key-0");

    [Fact]
    public async Task Sender_RetriesTransientFailures_WithTheSameKeyAndBody_AndBacksOffExponentially()
    {
        var handler = new ScriptedHandler(
            _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable),
            _ => throw new HttpRequestException("connection refused"),
            _ => new HttpResponseMessage(HttpStatusCode.BadGateway),
            _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"lines":1,"created":1,"updated":0,"unchanged":0,"rejected":0,"results":[{"line":1,"status":"created"}]}""", Encoding.UTF8, "application/json") });
        var delays = new List<TimeSpan>();
        var sender = new BatchSender(new HttpClient(handler), new Uri("http://127.0.0.1:5080/api/v1/cases/batch"), "k",
            new RetryPolicy { MaxAttempts = 5, BaseDelay = TimeSpan.FromMilliseconds(100) }, (d, _) => { delays.Add(d); return Task.CompletedTask; });

        var outcome = await sender.SendAsync(Batch, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal(4, outcome.Attempts);
        Assert.Equal(1, outcome.Response!.Created);
        Assert.All(handler.Requests, r => Assert.Equal(("key-0", "{}\n"), r));
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], delays);
    }

    [Fact]
    public async Task Sender_GivesUpAfterMaxAttempts_AndDoesNotRetryClientErrors()
    {
        var down = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.InternalServerError));
        var sender = new BatchSender(new HttpClient(down), new Uri("http://127.0.0.1:5080/x"), "k", new RetryPolicy { MaxAttempts = 3 }, (_, _) => Task.CompletedTask);
        var outcome = await sender.SendAsync(Batch, CancellationToken.None);
        Assert.Equal(BatchFailure.ServerError, outcome.Failure);
        Assert.Equal(3, down.Requests.Count);

        var refused = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.UnsupportedMediaType));
        sender = new BatchSender(new HttpClient(refused), new Uri("http://127.0.0.1:5080/x"), "k", new RetryPolicy { MaxAttempts = 3 }, (_, _) => Task.CompletedTask);
        outcome = await sender.SendAsync(Batch, CancellationToken.None);
        Assert.Equal(BatchFailure.Refused, outcome.Failure);
        Assert.Single(refused.Requests);
    }
}

public sealed class SubmitAgainstServiceTests : IClassFixture<AnalyticsFactory>
{
    private readonly AnalyticsFactory _factory;

    public SubmitAgainstServiceTests(AnalyticsFactory factory) => _factory = factory;

    [Fact]
    public async Task Submit_StoresBatches_ReportsRejectedLinesByPointer_AndAReRunIsReplayedNotDuplicated()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-CLI");
        using var folder = new CliTestFolder();
        var file = folder.File("cases.ndjson");
        var lines = Enumerable.Range(1, 5).Select(i => SampleCases.Json(authority: "RO-CLI", reference: $"CLI/{i}")).ToList();
        lines.Insert(2, SampleCases.Json(authority: "RO-CLI", reference: "CLI/bad", age: 200));
        await File.WriteAllTextAsync(file, string.Join('\n', lines) + "\n");

        var sender = new BatchSender(client, new Uri(client.BaseAddress!, "/api/v1/cases/batch"), apiKey: null, new RetryPolicy { MaxAttempts = 2 });
        var first = await new SubmitRunner(sender).RunAsync(file, 2, progress: null, CancellationToken.None);

        Assert.Equal(3, first.Batches);
        Assert.Equal(3, first.BatchesSent);
        Assert.Equal(5, first.Created);
        Assert.Equal(1, first.Rejected);
        var rejected = Assert.Single(first.FirstRejected);
        Assert.Equal(3, rejected.FileLine);
        Assert.Contains("/victims/0/age", rejected.Errors.Keys);

        var second = await new SubmitRunner(sender).RunAsync(file, 2, progress: null, CancellationToken.None);
        Assert.Equal(3, second.BatchesReplayed);
        var list = await (await client.GetAsync("/api/v1/cases")).ReadAsync<CaseList>();
        Assert.Equal(5, list.Items.Count);

        // Another batch size cuts other batches (other keys): the server answers 'unchanged', still nothing duplicated.
        var third = await new SubmitRunner(sender).RunAsync(file, 4, progress: null, CancellationToken.None);
        Assert.Equal(5, third.Unchanged);
        list = await (await client.GetAsync("/api/v1/cases")).ReadAsync<CaseList>();
        Assert.Equal(5, list.Items.Count);
    }

    [Fact]
    public async Task SubmitCommand_ThroughAnInjectedClient_ExitsOneWhenLinesAreRejected()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-CLI2");
        var key = client.DefaultRequestHeaders.GetValues("X-Api-Key").Single();
        using var folder = new CliTestFolder();
        var file = folder.File("cases.ndjson");
        await File.WriteAllTextAsync(file, SampleCases.Json(authority: "RO-CLI2", reference: "X/1") + "\n{\"broken\":\n");
        var plain = _factory.CreateClient();

        var command = new System.CommandLine.RootCommand { SubmitCommand.Create(() => plain) };
        var writer = new StringWriter();
        var code = await command.Parse(["submit", file, "--url", plain.BaseAddress!.ToString(), "--key", key, "--batch-size", "10"])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = writer, Error = writer });

        var output = writer.ToString();
        Assert.True(code == 1, output);
        Assert.Matches(@"created\s+1", output);
        Assert.Matches(@"rejected\s+1", output);
        Assert.Contains("JSON Pointer", output);
    }

    [Fact]
    public async Task SubmitCommand_Cancelled_PrintsTheSummaryOfWhatWasSent_AndExitsOne()
    {
        using var folder = new CliTestFolder();
        var file = folder.File("cases.ndjson");
        await File.WriteAllTextAsync(file, string.Join('\n', Enumerable.Range(1, 6).Select(i => $"{{\"n\":{i}}}")) + "\n");
        using var cancel = new CancellationTokenSource();
        // The first batch is stored; Ctrl+C arrives while the second is on its way.
        var handler = new SubmitBatchingTests.ScriptedHandler(
            _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"lines":2,"created":2,"updated":0,"unchanged":0,"rejected":0,"results":[]}""", Encoding.UTF8, "application/json") },
            _ =>
            {
                cancel.Cancel();
                throw new TaskCanceledException();
            });

        var command = new System.CommandLine.RootCommand { SubmitCommand.Create(() => new HttpClient(handler)) };
        var writer = new StringWriter();
        var code = await command.Parse(["submit", file, "--url", "http://127.0.0.1:9", "--key", "ak_x.y", "--batch-size", "2"])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = writer, Error = writer }, cancel.Token);

        var output = writer.ToString();
        Assert.True(code == 1, output);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Matches(@"batches sent\s+1 of 3", output);
        Assert.Matches(@"created\s+2", output);
        Assert.Matches(@"not sent\s+4", output);
        Assert.Contains("error: stopped: cancelled; 4 lines not sent.", output);
    }

    [Fact]
    public async Task SubmitCommand_RefusesAFileThatIsNotUtf8_AndSendsNothing()
    {
        using var folder = new CliTestFolder();
        var file = folder.File("bad.ndjson");
        await File.WriteAllBytesAsync(file, [.. "{}\n"u8, 0xC3, 0x28, (byte)'\n']);
        var handler = new SubmitBatchingTests.ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.OK));

        var command = new System.CommandLine.RootCommand { SubmitCommand.Create(() => new HttpClient(handler)) };
        var writer = new StringWriter();
        var code = await command.Parse(["submit", file, "--url", "http://127.0.0.1:9", "--key", "ak_x.y"])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = writer, Error = writer });

        Assert.Equal(2, code);
        Assert.Contains("line 2 is not UTF-8 text; nothing was sent", writer.ToString());
        Assert.Empty(handler.Requests);
    }
}
