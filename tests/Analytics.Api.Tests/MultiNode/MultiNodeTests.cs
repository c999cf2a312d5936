using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.Api.Cases;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Core.Synthetic;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.MultiNode;

/// <summary>
/// Two real service processes on one fresh PostgreSQL database, with Hangfire's storage and the models folder shared:
/// what a deployment of several nodes relies on. Runs where ANALYTICS_TEST_POSTGRES is set (always in CI).
/// </summary>
public sealed class MultiNodeTests(ITestOutputHelper output)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const string Authority = "RO-DIICOT";

    [Fact]
    public async Task TwoNodes_RunEachJobOnceServeTheSameModelsAndLoseNoSubmission_EvenWhenOneIsKilledMidBatch()
    {
        if (!TestDatabases.PostgresOrSkip(output)) return;
        using var database = PostgresTestDatabase.Create(TestDatabases.Postgres!);
        var folder = Path.Combine(Path.GetTempPath(), "analytics-multinode", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        var clock = Stopwatch.StartNew();
        void Phase(string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  {what}");

        // Everything the nodes share: the database (cases, keys, audit, job runs), Hangfire's storage, the models folder
        // and the pseudonymisation key file. Both nodes run the API and a Hangfire server (role "all").
        var environment = new Dictionary<string, string>
        {
            ["Node__Role"] = "all",
            ["Database__Provider"] = "postgres",
            // Generous connect timeout: on a loaded CI machine a new PostgreSQL backend can take longer than the default 15 s.
            ["Database__ConnectionString"] = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Timeout = 60 }.ConnectionString,
            ["Jobs__Storage"] = "postgres",
            ["Jobs__WorkerCount"] = "2",
            // The recurring-job check below schedules every 2 seconds, which a six-field cron needs.
            ["Jobs__AllowSecondsInCron"] = "true",
            ["Pseudonymisation__KeyFile"] = Path.Combine(folder, "keys", "pseudonymisation.json"),
            ["FirstRun__KeysFile"] = Path.Combine(folder, "first-run-keys.txt"),
            ["Learning__ModelsRoot"] = Path.Combine(folder, "models"),
            ["Learning__ReloadInterval"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        await using var a = ServiceNode.Start("A", folder, environment);
        await a.WaitReadyAsync(TimeSpan.FromSeconds(60));
        // The second node starts once the first has created the key file and issued the first-run keys.
        await using var b = ServiceNode.Start("B", folder, new Dictionary<string, string>(environment) { ["FirstRun__IssueKeys"] = "false" });
        await b.WaitReadyAsync(TimeSpan.FromSeconds(60));
        Phase("both nodes ready");
        try
        {
            var keys = File.ReadAllLines(Path.Combine(folder, "first-run-keys.txt")).Where(l => !l.StartsWith('#'))
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
            var steward = keys.First(k => k[0] == "steward")[2];
            var prosecutor = keys.First(k => k[0] == "prosecutor" && k[1] == Authority)[2];

            var cases = new CaseGenerator(new GeneratorOptions { Seed = 11, Count = 240 }).Run().Cases
                .Select((c, i) => JsonSerializer.Serialize(c.Case with { Jurisdiction = "RO", Authority = Authority, CaseReference = $"MN/{i:D4}" }, CaseGenerator.JsonOptions))
                .ToList();

            // 1. Submissions to both nodes: singles, batches, and replays of each on the other node.
            for (var i = 0; i < 20; i++)
            {
                using var response = await SubmitAsync(i < 10 ? a : b, prosecutor, cases[i], $"single-{i}");
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
            using (var replayed = await SubmitAsync(b, prosecutor, cases[0], "single-0"))
            {
                Assert.Equal(HttpStatusCode.Created, replayed.StatusCode);
                Assert.True(replayed.Headers.Contains("Idempotent-Replayed"), "a single case replayed on the other node is recognised");
            }
            var batch1 = await BatchAsync(a, prosecutor, cases[20..100], "batch-1");
            var batch2 = await BatchAsync(b, prosecutor, cases[100..180], "batch-2");
            Assert.Equal((80, 80), (batch1.Created, batch2.Created));
            using (var replayed = await SendBatchAsync(b, prosecutor, Ndjson(cases[20..100]), "batch-1"))
            {
                Assert.True(replayed.Headers.Contains("Idempotent-Replayed"), "a batch replayed on the other node is recognised");
                Assert.Equal(80, (await replayed.Content.ReadFromJsonAsync<BatchResult>(Json))!.Created);
            }
            await AssertStoredOnceAsync(database, 180);
            Phase("180 cases submitted to both nodes, replays recognised, none duplicated");

            // 2. Jobs: a recurring job every 2 s (two schedulers must not both enqueue an occurrence), one training, then two
            // requests for the same training at once on different nodes (one job between them), and a train-all, which also
            // trains that model (the overlap guard must hold across processes).
            // The child-victim classifier is the quickest model to train; the job path is the same for every model.
            using (var put = await SendAsync(b, HttpMethod.Put, "/api/v1/schedules/compute-links", steward, new { cron = "*/2 * * * * *" }))
                Assert.True(put.IsSuccessStatusCode, $"schedule with seconds accepted: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
            var recurringFrom = DateTimeOffset.UtcNow;
            long firstTraining;
            using (var train = await SendAsync(a, HttpMethod.Post, "/api/v1/models/child-victim/train", steward))
            {
                Assert.Equal(HttpStatusCode.Accepted, train.StatusCode);
                firstTraining = long.Parse(JsonSerializer.Deserialize<JsonElement>(await train.Content.ReadAsStringAsync()).GetProperty("jobId").GetString()!, CultureInfo.InvariantCulture);
            }
            await WaitForRunsAsync(a, steward, "train:child-victim", 1, TimeSpan.FromSeconds(120));
            // The run is recorded just before Hangfire marks the job succeeded; until then a request is answered with it.
            await WaitUntilAsync(async () => await database.ScalarAsync<long>($"SELECT COUNT(*) FROM hangfire.job WHERE id = {firstTraining} AND statename = 'Succeeded'") == 1,
                TimeSpan.FromSeconds(30), "the first training's job succeeded");
            Phase("first training done");
            // The training lock is held here while both requests are made, as a training on a third node would hold it:
            // otherwise the first request's job can train and finish before the second request looks, and a second job
            // is then the right answer.
            JsonElement[] answers;
            var hangfireOptions = new Hangfire.PostgreSql.PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = false };
            var jobStorage = new Hangfire.PostgreSql.PostgreSqlStorage(
                new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(database.ConnectionString, hangfireOptions), hangfireOptions);
            using (var lockConnection = jobStorage.GetConnection())
            using (lockConnection.AcquireDistributedLock("analytics:training", TimeSpan.FromSeconds(30)))
            {
                var twice = await Task.WhenAll(
                    SendAsync(a, HttpMethod.Post, "/api/v1/models/child-victim/train", steward),
                    SendAsync(b, HttpMethod.Post, "/api/v1/models/child-victim/train", steward));
                Assert.All(twice, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
                answers = await Task.WhenAll(twice.Select(async r => JsonSerializer.Deserialize<JsonElement>(await r.Content.ReadAsStringAsync())));
            }
            Assert.Single(answers.Select(x => x.GetProperty("jobId").GetString()).Distinct());
            Assert.Equal([false, true], answers.Select(x => x.GetProperty("alreadyQueued").GetBoolean()).Order());
            using (var all = await SendAsync(b, HttpMethod.Post, "/api/v1/models/all/train", steward))
            {
                Assert.Equal(HttpStatusCode.Accepted, all.StatusCode);
                Assert.False(JsonSerializer.Deserialize<JsonElement>(await all.Content.ReadAsStringAsync()).GetProperty("alreadyQueued").GetBoolean(),
                    "a training of one model in flight does not hold back a train-all");
            }
            var childRuns = await WaitForRunsAsync(a, steward, "train:child-victim", 3, TimeSpan.FromSeconds(120));
            await WaitForRunsAsync(a, steward, "train-all", 1, TimeSpan.FromSeconds(120));
            Phase("child-victim requested on both nodes at once and with train-all: trainings done");

            Assert.Equal(3, childRuns.Count);
            Assert.All(childRuns, r => Assert.Equal("succeeded", r.Outcome));
            var ordered = childRuns.OrderBy(r => r.StartedAt, StringComparer.Ordinal).ToList();
            for (var i = 1; i < ordered.Count; i++)
                Assert.True(string.CompareOrdinal(ordered[i].StartedAt, ordered[i - 1].FinishedAt) >= 0,
                    $"runs of the same job never overlap across nodes: {ordered[i - 1].StartedAt}–{ordered[i - 1].FinishedAt} and {ordered[i].StartedAt}");

            // On a fast machine the trainings can end before three 2-second occurrences have passed: wait for them.
            await WaitUntilAsync(async () => (await RunsAsync(a, steward, "compute-links"))
                .Count(r => DateTimeOffset.Parse(r.StartedAt, CultureInfo.InvariantCulture) >= recurringFrom) >= 3,
                TimeSpan.FromSeconds(30), "the recurring job ran at least three times");
            var links = (await RunsAsync(a, steward, "compute-links"))
                .Where(r => DateTimeOffset.Parse(r.StartedAt, CultureInfo.InvariantCulture) >= recurringFrom).ToList();
            var starts = links.Select(r => DateTimeOffset.Parse(r.StartedAt, CultureInfo.InvariantCulture)).Order().ToList();
            Assert.True(links.Count >= 3, $"the recurring job ran ({links.Count} runs)");
            var span = (starts[^1] - starts[0]).TotalSeconds;
            Assert.True(links.Count <= span / 2 + 2, $"each 2-second occurrence runs once, not once per node: {links.Count} runs in {span:F1} s");
            using (await SendAsync(b, HttpMethod.Put, "/api/v1/schedules/compute-links", steward, new { cron = "* * * * *" })) { }

            // 3. Models: every node serves the active version; a promotion on one node is served by the other.
            await WaitUntilAsync(async () => await ServesActiveAsync(a, steward) && await ServesActiveAsync(b, steward), TimeSpan.FromSeconds(10),
                "both nodes serve the active version, whichever node trained it");
            var active = (await ModelsAsync(b, steward)).Single(m => m.Name == "child-victim").Active;
            Assert.Equal("v3", active);
            using (var activate = await SendAsync(b, HttpMethod.Post, "/api/v1/models/child-victim/v1/activate", steward))
                Assert.Equal(HttpStatusCode.OK, activate.StatusCode);
            await WaitUntilAsync(async () => (await ModelsAsync(a, steward)).Single(m => m.Name == "child-victim").Serving == "v1", TimeSpan.FromSeconds(10),
                "node A serves the version node B promoted");
            var metrics = await GetTextAsync(a, "/metrics", steward);
            Assert.Contains("analytics_model_active{model=\"child-victim\",version=\"v1\"} 1", metrics);
            Phase("promotion on B served by A");

            // 4. Kill node B in the middle of a batch. Acknowledged batches are stored; replaying every batch to node A
            // with the same Idempotency-Key completes the set without a duplicate.
            var rest = cases[180..240];
            var batches = Enumerable.Range(0, 4).Select(i => rest[(i * 15)..((i + 1) * 15)]).ToList();
            var acknowledged = new List<BatchResult>();
            for (var i = 0; i < 2; i++) acknowledged.Add(await BatchAsync(b, prosecutor, batches[i], $"tail-{i}"));
            var halfSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var body = Encoding.UTF8.GetBytes(string.Join('\n', batches[2].Take(8)) + "\n");
            var inFlight = SendPartialAsync(b, prosecutor, body, "tail-2", halfSent, release.Task);
            await halfSent.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(300);
            b.Kill();
            release.TrySetResult();
            var outcome = await inFlight;
            Assert.Null(outcome); // no answer: nothing of this batch was acknowledged
            Phase("node B killed mid-batch");

            for (var i = 0; i < batches.Count; i++)
            {
                using var response = await SendBatchAsync(a, prosecutor, Ndjson(batches[i]), $"tail-{i}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var result = (await response.Content.ReadFromJsonAsync<BatchResult>(Json))!;
                if (i < 2)
                {
                    Assert.True(response.Headers.Contains("Idempotent-Replayed"), $"acknowledged batch tail-{i} is replayed, not stored again");
                    Assert.Equal(acknowledged[i].Results.Select(r => r.Receipt!.CaseId), result.Results.Select(r => r.Receipt!.CaseId));
                }
                else Assert.Equal(15, result.Created + result.Unchanged);
            }
            await AssertStoredOnceAsync(database, 240);
            foreach (var id in acknowledged.SelectMany(r => r.Results).Select(r => r.Receipt!.CaseId))
                Assert.Equal(1L, await database.ScalarAsync<long>($"SELECT COUNT(*) FROM cases WHERE id = '{id}'"));

            var verification = JsonSerializer.Deserialize<JsonElement>(await GetTextAsync(a, "/api/v1/audit/verify", steward));
            Assert.True(verification.GetProperty("valid").GetBoolean(), $"the audit chain written by both nodes holds: {verification}");
            Phase("replayed to A: 240 cases, each once; audit chain valid");
        }
        catch
        {
            output.WriteLine($"--- node A\n{a.LogTail()}\n--- node B\n{b.LogTail()}");
            throw;
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task AssertStoredOnceAsync(PostgresTestDatabase database, long expected)
    {
        Assert.Equal(expected, await database.ScalarAsync<long>($"SELECT COUNT(*) FROM cases WHERE authority = '{Authority}'"));
        Assert.Equal(expected, await database.ScalarAsync<long>(
            $"SELECT COUNT(*) FROM (SELECT DISTINCT authority, case_ref_token FROM cases WHERE authority = '{Authority}') AS distinct_cases"));
    }

    private static string Ndjson(IEnumerable<string> lines) => string.Join('\n', lines) + "\n";

    private static Task<HttpResponseMessage> SubmitAsync(ServiceNode node, string key, string json, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", key);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return node.Http.SendAsync(request);
    }

    private static Task<HttpResponseMessage> SendBatchAsync(ServiceNode node, string key, string ndjson, string idempotencyKey)
    {
        var content = new StringContent(ndjson, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases/batch") { Content = content };
        request.Headers.Add("X-Api-Key", key);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return node.Http.SendAsync(request);
    }

    private static async Task<BatchResult> BatchAsync(ServiceNode node, string key, IEnumerable<string> lines, string idempotencyKey)
    {
        using var response = await SendBatchAsync(node, key, Ndjson(lines), idempotencyKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<BatchResult>(Json))!;
        Assert.Equal(0, result.Rejected);
        return result;
    }

    /// <summary>Sends the first lines of a batch, then holds the request open until released; null when no answer came.</summary>
    private static async Task<HttpResponseMessage?> SendPartialAsync(ServiceNode node, string key, byte[] firstLines, string idempotencyKey,
        TaskCompletionSource halfSent, Task release)
    {
        var content = new PartialContent(firstLines, halfSent, release);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases/batch") { Content = content };
        request.Headers.Add("X-Api-Key", key);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        try
        {
            return await node.Http.SendAsync(request);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    private static Task<HttpResponseMessage> SendAsync(ServiceNode node, HttpMethod method, string path, string key, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", key);
        if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        return node.Http.SendAsync(request);
    }

    private static async Task<string> GetTextAsync(ServiceNode node, string path, string key)
    {
        using var response = await SendAsync(node, HttpMethod.Get, path, key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private sealed record Run(string Id, string JobId, string StartedAt, string? FinishedAt, string Outcome, string? Detail);

    private sealed record Model(string Name, string? Active, string? Serving);

    private static async Task<List<Run>> RunsAsync(ServiceNode node, string key, string job) =>
        JsonSerializer.Deserialize<List<Run>>(await GetTextAsync(node, $"/api/v1/jobs/runs?job={job}&limit=500", key), Json)!;

    private static async Task<List<Model>> ModelsAsync(ServiceNode node, string key) =>
        JsonSerializer.Deserialize<List<Model>>(await GetTextAsync(node, "/api/v1/models", key), Json)!;

    private static async Task<bool> ServesActiveAsync(ServiceNode node, string key) =>
        (await ModelsAsync(node, key)).Single(m => m.Name == "child-victim") is { Active: not null } m && m.Serving == m.Active;

    /// <summary>Waits until <paramref name="count"/> runs of a job have finished; fails at once if one failed.</summary>
    private static async Task<List<Run>> WaitForRunsAsync(ServiceNode node, string key, string job, int count, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var runs = await RunsAsync(node, key, job);
            var failed = runs.FirstOrDefault(r => r.Outcome == "failed");
            Assert.True(failed is null, $"{job} failed: {failed?.Detail}");
            if (runs.Count(r => r.FinishedAt is not null) >= count) return runs;
            if (waited.Elapsed > timeout) throw new TimeoutException($"{job}: {runs.Count} runs after {timeout.TotalSeconds} s, {count} expected.");
            await Task.Delay(250);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > timeout) Assert.Fail($"Not within {timeout.TotalSeconds} s: {what}.");
            await Task.Delay(200);
        }
    }

    /// <summary>A chunked request body that sends some lines, reports it, and then stalls until released (and fails).</summary>
    private sealed class PartialContent : HttpContent
    {
        private readonly byte[] _first;
        private readonly TaskCompletionSource _sent;
        private readonly Task _release;

        public PartialContent(byte[] first, TaskCompletionSource sent, Task release)
        {
            (_first, _sent, _release) = (first, sent, release);
            Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(_first);
            await stream.FlushAsync();
            _sent.TrySetResult();
            await _release;
            throw new IOException("The client stopped sending the batch.");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
