using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Api.Cases;
using Analytics.Api.Tests.Infrastructure;

namespace Analytics.Api.Tests.Cases;

public sealed class BatchAndBadInputTests : IClassFixture<AnalyticsFactory>
{
    private readonly AnalyticsFactory _factory;

    public BatchAndBadInputTests(AnalyticsFactory factory) => _factory = factory;

    [Fact]
    public async Task Batch_StoresValidLines_AndReportsInvalidOnesByLine()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-BATCH");
        var ndjson = string.Join('\n',
            SampleCases.Json(authority: "RO-BATCH", reference: "B/1"),
            "{\"schemaVersion\":\"1\",\"jurisdiction\":\"RO\"",
            SampleCases.Json(authority: "RO-BATCH", reference: "B/2", age: 200),
            "",
            SampleCases.Json(authority: "RO-BATCH", reference: "B/3").Replace("\"sexual\"", "\"not-a-type\""),
            SampleCases.Json(authority: "RO-BATCH", reference: "B/4"));

        var response = await client.SubmitBatchAsync(ndjson);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsync<BatchResult>();
        Assert.Equal(5, result.Lines);
        Assert.Equal(2, result.Created);
        Assert.Equal(3, result.Rejected);
        Assert.Equal([1, 2, 3, 5, 6], result.Results.Select(r => r.Line));
        Assert.Equal("rejected", result.Results.Single(r => r.Line == 3).Status);
        Assert.Contains("/victims/0/age", result.Results.Single(r => r.Line == 3).Errors!.Keys);
        Assert.Contains("/modusOperandi/exploitationTypes/0", result.Results.Single(r => r.Line == 5).Errors!.Keys);
        var list = await (await client.GetAsync("/api/v1/cases")).ReadAsync<CaseList>();
        Assert.Equal(2, list.Items.Count);
    }

    [Fact]
    public async Task Batch_LongerThanOnePrepareWindow_KeepsEveryResultOnItsOwnLine()
    {
        // 150 lines cross the windows of lines prepared in parallel (64 at a time); every seventh line is invalid.
        var client = await _factory.ProsecutorAsync("RO", "RO-WINDOW");
        var lines = Enumerable.Range(1, 150).Select(i => i % 7 == 0
            ? SampleCases.Json(authority: "RO-WINDOW", reference: $"W/{i}", age: 200)
            : SampleCases.Json(authority: "RO-WINDOW", reference: $"W/{i}")).ToList();

        var response = await client.SubmitBatchAsync(string.Join('\n', lines));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsync<BatchResult>();
        Assert.Equal(150, result.Lines);
        Assert.Equal(21, result.Rejected);
        Assert.Equal(129, result.Created);
        Assert.Equal(Enumerable.Range(1, 150), result.Results.Select(r => r.Line));
        Assert.All(result.Results, r => Assert.Equal(r.Line % 7 == 0 ? "rejected" : "created", r.Status));
        // Each receipt belongs to its line: the same case sent alone is that receipt's case, unchanged.
        foreach (var line in new[] { 1, 64, 65, 128, 129, 150 })
        {
            var alone = await (await client.SubmitCaseAsync(lines[line - 1])).ReadAsync<Receipt>();
            Assert.Equal("unchanged", alone.Status);
            Assert.Equal(result.Results[line - 1].Receipt!.CaseId, alone.CaseId);
            // The batch's compact counts and stored record give the same receipt as the single path.
            Assert.Equal(alone.RecordSha256, result.Results[line - 1].Receipt!.RecordSha256);
            Assert.NotEmpty(alone.Tokens);
            Assert.Equal(alone.Tokens, result.Results[line - 1].Receipt!.Tokens);
            Assert.Equal(alone.Scrubbed, result.Results[line - 1].Receipt!.Scrubbed);
        }
    }

    [Fact]
    public async Task Batch_IsNoOp_WhenReplayedWithIdempotencyKey()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-IDEM");
        var ndjson = SampleCases.Json(authority: "RO-IDEM", reference: "I/1") + "\n" + SampleCases.Json(authority: "RO-IDEM", reference: "I/2") + "\n";

        var first = await client.SubmitBatchAsync(ndjson, "batch-0001");
        var second = await client.SubmitBatchAsync(ndjson, "batch-0001");
        var reused = await client.SubmitBatchAsync(SampleCases.Json(authority: "RO-IDEM", reference: "I/3"), "batch-0001");

        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        var list = await (await client.GetAsync("/api/v1/cases")).ReadAsync<CaseList>();
        Assert.Equal(2, list.Items.Count);
    }

    [Fact]
    public async Task ConcurrentRequestsWithOneKey_AndDifferentBodies_StoreOneCase()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-RACE");

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            client.SubmitCaseAsync(SampleCases.Json(authority: "RO-RACE", reference: $"R/{i}"), "race-key")));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r =>
            Assert.Contains(r.StatusCode, new[] { HttpStatusCode.UnprocessableEntity, HttpStatusCode.Conflict }));
        var list = await (await client.GetAsync("/api/v1/cases")).ReadAsync<CaseList>();
        Assert.Single(list.Items);
    }

    [Fact]
    public async Task AReplayedSingleCase_AnswersAsTheFirstDid_LocationIncluded()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-REPLAY1");
        var json = SampleCases.Json(authority: "RO-REPLAY1", reference: "Y/1");

        var first = await client.SubmitCaseAsync(json, "replay-one");
        var second = await client.SubmitCaseAsync(json, "replay-one");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        Assert.NotNull(first.Headers.Location);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AKeyUsedOnTheSingleCaseRoute_IsAnotherRequest_OnTheBatchRoute()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-ROUTE");
        var line = SampleCases.Json(authority: "RO-ROUTE", reference: "X/1") + "\n";

        var single = await client.SubmitCaseAsync(line, "route-key");
        var batch = await client.SubmitBatchAsync(line, "route-key");

        Assert.Equal(HttpStatusCode.Created, single.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, batch.StatusCode);
        Assert.False(batch.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task TwoIdempotencyKeyHeaders_AreRefused_NotJoinedIntoOneKey()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-TWOKEYS");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases")
        {
            Content = new StringContent(SampleCases.Json(authority: "RO-TWOKEYS", reference: "T/1"), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", ["first", "second"]);

        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most one Idempotency-Key header", body);
        var list = await (await client.GetAsync("/api/v1/cases")).ReadAsync<CaseList>();
        Assert.Empty(list.Items);
    }

    [Fact]
    public async Task AnIdempotencyKeyLongerThan200Characters_IsRefused_NotCut()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-LONGKEY");

        var response = await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-LONGKEY", reference: "L/1"), new string('k', 201));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Idempotency-Key", body);
        var list = await (await client.GetAsync("/api/v1/cases")).ReadAsync<CaseList>();
        Assert.Empty(list.Items);
    }

    [Fact]
    public async Task ARejectedRequest_LeavesItsKeyFreeForTheCorrectedOne()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-RETRY");

        var rejected = await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-RETRY", reference: "   "), "retry-key");
        var corrected = await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-RETRY", reference: "T/1"), "retry-key");

        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Contains("/caseReference", await rejected.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, corrected.StatusCode);
    }

    [Fact]
    public async Task Batch_RefusesALineOverTheSingleCaseLimit_EvenWhenItArrivesWhole_AndStoresNothing()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-LONGLINE");
        var padded = SampleCases.Json(authority: "RO-LONGLINE", reference: "P/1").TrimEnd('}') + new string(' ', CasesApi.MaxCaseBytes) + "}";
        var ndjson = padded + "\n" + SampleCases.Json(authority: "RO-LONGLINE", reference: "P/2") + "\n";

        var response = await client.SubmitBatchAsync(ndjson);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Line 1 exceeds", await response.Content.ReadAsStringAsync());
        var list = await (await client.GetAsync("/api/v1/cases")).ReadAsync<CaseList>();
        Assert.Empty(list.Items);
    }

    [Fact]
    public async Task Batch_ListsAtMostTenErrorsPerRejectedLine_SoAFewKilobytesDoNotGiveMegabytes()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-MANYERR");
        // About 2.4 KB that hold 600 unknown codes: each is an error, and each error names the whole code list.
        var noisy = "{\"victims\":[{\"vulnerabilities\":[" + string.Join(',', Enumerable.Repeat("\"x\"", 600)) + "]}]}";
        var ndjson = string.Join('\n', Enumerable.Repeat(noisy, 50).Append(SampleCases.Json(authority: "RO-MANYERR", reference: "E/1")));

        var response = await client.SubmitBatchAsync(ndjson);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonSerializer.Deserialize<BatchResult>(body, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(50, result.Rejected);
        Assert.Equal(1, result.Created);
        Assert.All(result.Results.Where(r => r.Status == "rejected"), r =>
        {
            Assert.Equal(CasesApi.MaxErrorsPerLine + 1, r.Errors!.Values.Sum(m => m.Length));
            Assert.Contains(r.Errors[""], m => m.Contains("first 10 errors", StringComparison.Ordinal));
            Assert.Contains("/schemaVersion", r.Errors.Keys);
        });
        // Fifty lines of 500 errors each answered with more than six megabytes.
        Assert.True(body.Length < ndjson.Length, $"{body.Length} characters answered {ndjson.Length} sent");
    }

    [Theory]
    [InlineData("application/jsonl")]
    [InlineData("application/ndjson")]
    [InlineData("application/x-ndjson; charset=utf-8")]
    public async Task Batch_TakesEachNdjsonMediaType(string mediaType)
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-NDJSON");
        var content = new StringContent(SampleCases.Json(authority: "RO-NDJSON", reference: "M/" + mediaType) + "\n", Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(mediaType);

        var response = await client.PostAsync("/api/v1/cases/batch", content);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Batch_StoresNothing_WhenOverTenThousandLines()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-HUGE");
        var builder = new StringBuilder();
        var line = SampleCases.Json(authority: "RO-HUGE", reference: "H/1");
        for (var i = 0; i < CasesApi.MaxBatchLines + 1; i++) builder.Append(line.Replace("H/1", $"H/{i}")).Append('\n');

        var response = await client.SubmitBatchAsync(builder.ToString());

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("10,000", await response.Content.ReadAsStringAsync());
        await AssertNothingStoredAsync(client);
    }

    public static TheoryData<string, string> BadBodies() => new()
    {
        { "malformed", "{\"schemaVersion\": \"1\", \"jurisdiction\": " },
        { "wrong-type", SampleCases.Json(authority: "RO-BAD").Replace("\"age\":15", "\"age\":\"fifteen\"") },
        { "unknown-code", SampleCases.Json(authority: "RO-BAD").Replace("\"citizenship\":\"RO\"", "\"citizenship\":\"XX\"") },
        { "unknown-field", SampleCases.Json(authority: "RO-BAD").Replace("\"stage\":", "\"homeAddress\":\"Strada 1\",\"stage\":") },
        { "empty-object", "{}" },
        { "array", "[]" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Submit_ReturnsProblemAndStoresNothing_ForBadInput(string name, string body)
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-BAD");
        var response = await client.SubmitCaseAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").EnumerateObject().Any(), $"{name}: the problem names at least one field");
        Assert.DoesNotContain("Strada", problem.ToString());
        await AssertNothingStoredAsync(client);
    }

    [Fact]
    public async Task Submit_RefusesADateOfBirthGivingAnAgeOver120_InsteadOfDroppingTheVictimsAge()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-DOB");
        string WithBirth(string reference, string date) =>
            SampleCases.Json(authority: "RO-DOB", reference: reference).Replace("\"age\":15", $"\"dateOfBirth\":\"{date}\"", StringComparison.Ordinal);

        var typo = await client.SubmitCaseAsync(WithBirth("D/1", "1008-06-02"));

        Assert.Equal(HttpStatusCode.BadRequest, typo.StatusCode);
        var problem = JsonDocument.Parse(await typo.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["/victims/0/dateOfBirth"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.DoesNotContain("1008", problem.ToString());
        await AssertNothingStoredAsync(client);

        var plausible = await client.SubmitCaseAsync(WithBirth("D/2", "2008-06-02"));
        Assert.Equal(HttpStatusCode.Created, plausible.StatusCode);
        var stored = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/cases/{(await plausible.ReadAsync<Receipt>()).CaseId}")).RootElement;
        Assert.Equal("12-14", stored.GetProperty("record").GetProperty("victims")[0].GetProperty("ageBand").GetString());
    }

    [Fact]
    public async Task Submit_ReturnsProblem_ForInvalidUtf8()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-UTF8");
        var bytes = Encoding.UTF8.GetBytes(SampleCases.Json(authority: "RO-UTF8"));
        var index = Array.IndexOf(bytes, (byte)'M');
        bytes[index] = 0xC3;
        bytes[index + 1] = 0x28; // an invalid two-byte sequence
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");

        var response = await client.PostAsync("/api/v1/cases", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertNothingStoredAsync(client);
    }

    [Fact]
    public async Task Submit_Returns413_ForOversizedBody()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-BIG");
        var body = SampleCases.Json(authority: "RO-BIG", summary: new string('a', CasesApi.MaxCaseBytes + 10));

        var response = await client.SubmitCaseAsync(body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertNothingStoredAsync(client);
    }

    [Fact]
    public async Task Submit_Returns415_ForWrongMediaType()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-MEDIA");
        var response = await client.PostAsync("/api/v1/cases", new StringContent(SampleCases.Json(authority: "RO-MEDIA"), Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await AssertNothingStoredAsync(client);
    }

    private static async Task AssertNothingStoredAsync(HttpClient client)
    {
        var list = await (await client.GetAsync("/api/v1/cases")).ReadAsync<CaseList>();
        Assert.Empty(list.Items);
    }
}
