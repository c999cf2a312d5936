using System.Net;
using System.Text.Json;
using Analytics.Api.Cases;
using Analytics.Api.Links;
using Analytics.Api.Pseudonymisation;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Api.Tests.Links;
using Analytics.Data.ApiKeys;
using Analytics.Data.Jobs;
using Analytics.Data.Pseudonymisation;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.Keys;

/// <summary>
/// A node of the service without a job server (the tests run the jobs themselves), on a data folder of its own or on
/// another node's folder, optionally with a key file of its own.
/// </summary>
public sealed class RotationNode : AnalyticsFactory
{
    private readonly string? _keyFile;

    public RotationNode() { }

    public RotationNode(string dataFolder, string? keyFile = null) : base(dataFolder) => _keyFile = keyFile;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Jobs:RunServer", "false");
        if (_keyFile is not null) builder.UseSetting("Pseudonymisation:KeyFile", _keyFile);
    }
}

/// <summary>
/// Key rotation through the service: a key added to the key file, a node restarted with it, the stored cases moved to it by
/// the rekey-tokens job, links and replays kept across the move, and the node left running with the old key stopped from
/// writing. Two nodes share one SQLite file, as two processes of one host would.
/// </summary>
public sealed class KeyRotationApiTests(ITestOutputHelper output)
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static async Task<Receipt> SubmitAsync(HttpClient client, string json)
    {
        var response = await client.SubmitCaseAsync(json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<Receipt>();
    }

    [Fact]
    public async Task Rotation_MovesTheStoredCases_KeepsLinksAndReplays_AndStopsTheNodeLeftWithTheOldKey()
    {
        using var first = new RotationNode();
        var ro = await first.ProsecutorAsync("RO", "RO-ROT");
        var it = await first.ProsecutorAsync("IT", "IT-ROT");
        var roJson = LinkTestData.CaseWithPhone("RO", "RO-ROT", "DIICOT/2025/00301", "+40 721 555 301");
        var roCase = await SubmitAsync(ro, roJson);
        var itCase = await SubmitAsync(it, LinkTestData.CaseWithPhone("IT", "IT-ROT", "DDA-MI/2025/301", "0040 721 555 301"));
        await first.Services.GetRequiredService<LinkJobs>().ComputeLinksAsync(None);
        Assert.True((await (await ro.GetAsync($"/api/v1/links/cases/{roCase.CaseId}")).ReadAsync<CaseLinks>()).Hit);

        // The rotation: a key added to the file; a second node starts with it while the first runs on.
        var keyFile = Path.Combine(first.DataFolder, "keys", "pseudonymisation.json");
        var oldKeyFile = Path.Combine(first.DataFolder, "keys", "before-rotation.json");
        File.Copy(keyFile, oldKeyFile);
        var newKey = KeyFile.AppendNew(keyFile);
        using var second = new RotationNode(first.DataFolder);
        var steward = await second.ClientForAsync(Roles.Steward);
        var ring = await (await steward.GetAsync("/api/v1/pseudonymisation/keys")).ReadAsync<KeyRingView>();
        Assert.Equal((newKey, true, 2L), (ring.ActiveKeyId, ring.Moving, ring.CasesToMove));
        Assert.Equal([(roCase.KeyId, false, 2L), (newKey, true, 0L)], ring.Keys.Select(k => (k.KeyId, k.Active, k.Cases)));

        // The node left with the old key writes nothing: its tokens would match nothing stored from now on.
        var refused = await ro.SubmitCaseAsync(LinkTestData.CaseWithPhone("RO", "RO-ROT", "DIICOT/2025/00302", "+40 721 555 302"));
        var problem = await refused.Content.ReadAsStringAsync();
        output.WriteLine(problem);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("Pseudonymisation key ring out of date", JsonDocument.Parse(problem).RootElement.GetProperty("title").GetString());
        Assert.Contains(first.Logs, l => l.Contains("Case write refused", StringComparison.Ordinal) && l.Contains(newKey, StringComparison.Ordinal));

        // Until every case is moved, link runs wait; a case sent again meanwhile is found under its old key and moved.
        var waiting = await second.Services.GetRequiredService<LinkJobs>().ComputeLinksAsync(None);
        Assert.True(waiting.Deferred);
        var runs = await second.Services.GetRequiredService<JobStore>().RunsAsync(LinkJobs.ComputeJob, 1, None);
        Assert.StartsWith("deferred:", runs[0].Detail);
        var roOnSecond = await second.ProsecutorAsync("RO", "RO-ROT");
        var replay = await SubmitAsync(roOnSecond, roJson);
        Assert.Equal((roCase.CaseId, "unchanged", 1, newKey), (replay.CaseId, replay.Status, replay.Version, replay.KeyId));

        // A steward may queue the move at once; nobody else may.
        var queued = await steward.PostAsync("/api/v1/pseudonymisation/rekey", null);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        Assert.False(string.IsNullOrEmpty((await queued.ReadAsync<RekeyQueued>()).JobId));
        Assert.Equal(HttpStatusCode.Forbidden, (await roOnSecond.PostAsync("/api/v1/pseudonymisation/rekey", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await roOnSecond.GetAsync("/api/v1/pseudonymisation/keys")).StatusCode);

        var detail = await second.Services.GetRequiredService<RekeyJobs>().RekeyTokensAsync(None);
        output.WriteLine(detail);
        Assert.StartsWith($"1 cases moved to key {newKey}", detail);
        ring = await (await steward.GetAsync("/api/v1/pseudonymisation/keys")).ReadAsync<KeyRingView>();
        Assert.Equal((false, 0L), (ring.Moving, ring.CasesToMove));
        Assert.All(ring.Keys, k => Assert.NotNull(k.RekeyedAt));
        Assert.StartsWith("nothing to move", await second.Services.GetRequiredService<RekeyJobs>().RekeyTokensAsync(None));

        // A third authority gives the same number under the new key: it links to the cases stored under the old one.
        var fr = await second.ProsecutorAsync("FR", "FR-ROT");
        var frCase = await SubmitAsync(fr, LinkTestData.CaseWithPhone("FR", "FR-ROT", "PNF/2025/301", "+40721555301"));
        await second.Services.GetRequiredService<LinkJobs>().ComputeLinksAsync(None);
        var links = await (await fr.GetAsync($"/api/v1/links/cases/{frCase.CaseId}")).ReadAsync<CaseLinks>();
        Assert.Equal(["IT", "RO"], links.Jurisdictions.Select(j => j.Jurisdiction).Order(StringComparer.Ordinal));
        var itOnSecond = await second.ProsecutorAsync("IT", "IT-ROT");
        Assert.True((await (await itOnSecond.GetAsync($"/api/v1/links/cases/{itCase.CaseId}")).ReadAsync<CaseLinks>()).Hit);

        // A node given the key file from before the rotation does not start.
        using var stale = new RotationNode(first.DataFolder, oldKeyFile);
        var error = Assert.ThrowsAny<Exception>(() => stale.Server);
        Assert.IsType<KeyRingMismatchException>(error.GetBaseException());
        Assert.Contains(newKey, error.GetBaseException().Message);
    }

    [Fact]
    public async Task IdempotencyKey_UsedBeforeTheRotation_IsStillRecognisedAfterIt()
    {
        using var first = new RotationNode();
        var ro = await first.ProsecutorAsync("RO", "RO-IDEM");
        // Two cases as NDJSON lines, one line each.
        var lines = string.Join('\n', new[] { ("DIICOT/2025/00401", "+40 721 555 401"), ("DIICOT/2025/00402", "+40 721 555 402") }
            .Select(c => JsonSerializer.Serialize(JsonDocument.Parse(LinkTestData.CaseWithPhone("RO", "RO-IDEM", c.Item1, c.Item2)).RootElement))) + "\n";
        var sent = await ro.SubmitBatchAsync(lines, "nightly-export-2025-11-25");
        var answer = await sent.Content.ReadAsStringAsync();
        Assert.True(sent.IsSuccessStatusCode, answer);

        var keyFile = Path.Combine(first.DataFolder, "keys", "pseudonymisation.json");
        KeyFile.AppendNew(keyFile);
        using var second = new RotationNode(first.DataFolder);
        // The same prosecutor's key: an Idempotency-Key belongs to the key that used it.
        var roOnSecond = second.CreateClient();
        roOnSecond.DefaultRequestHeaders.Add("X-Api-Key", ro.DefaultRequestHeaders.GetValues("X-Api-Key").Single());

        // Sent again to the node with the new key, before and after the cases are moved: the first answer, as it was.
        foreach (var moved in new[] { false, true })
        {
            if (moved) await second.Services.GetRequiredService<RekeyJobs>().RekeyTokensAsync(None);
            var again = await roOnSecond.SubmitBatchAsync(lines, "nightly-export-2025-11-25");
            Assert.Equal(sent.StatusCode, again.StatusCode);
            Assert.True(again.Headers.TryGetValues("Idempotent-Replayed", out var replayed), $"not a replay (moved: {moved})");
            Assert.Equal(["true"], replayed);
            Assert.Equal(answer, await again.Content.ReadAsStringAsync());
        }

        // The same key with another body is still refused, and a new key still works under the new key.
        var other = await roOnSecond.SubmitBatchAsync(lines.Replace("00402", "00403", StringComparison.Ordinal), "nightly-export-2025-11-25");
        Assert.Equal((HttpStatusCode)422, other.StatusCode);
        var fresh = await roOnSecond.SubmitBatchAsync(lines, "nightly-export-2025-11-26");
        Assert.True(fresh.IsSuccessStatusCode);
        Assert.False(fresh.Headers.Contains("Idempotent-Replayed"));
    }
}
