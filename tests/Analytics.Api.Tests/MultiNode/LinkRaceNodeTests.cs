using System.Diagnostics;
using System.Net;
using System.Text;
using Analytics.Api.Cases;
using Analytics.Api.Links;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Api.Tests.Links;
using Analytics.Data.ApiKeys;
using Analytics.Data.Links;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.MultiNode;

/// <summary>Node A: the service in this process on a fresh PostgreSQL database, running the link job only when a test calls it.</summary>
public sealed class LinkNodeFactory(PostgresTestDatabase postgres) : AnalyticsFactory(postgres)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Jobs:RunServer", "false");
    }
}

/// <summary>
/// Node A in this process, whose link run the tests stop at its critical moments, and node B, a real service process
/// (API only) on the same database and pseudonymisation key, through which a prosecutor corrects or withdraws a case.
/// Nothing is started where ANALYTICS_TEST_POSTGRES is not set.
/// </summary>
public sealed class TwoLinkNodes : IAsyncLifetime
{
    public LinkNodeFactory? A { get; private set; }
    public ServiceNode? B { get; private set; }

    public async Task InitializeAsync()
    {
        if (TestDatabases.Postgres is not { } server) return;
        A = new LinkNodeFactory(PostgresTestDatabase.Create(server));
        _ = A.Server; // migrations and the key file, before node B starts
        B = ServiceNode.Start("B", A.DataFolder, new Dictionary<string, string>
        {
            ["Node__Role"] = "api",
            ["Database__Provider"] = "postgres",
            ["Database__ConnectionString"] = new Npgsql.NpgsqlConnectionStringBuilder(A.Postgres!.ConnectionString) { Timeout = 60 }.ConnectionString,
            ["Pseudonymisation__KeyFile"] = Path.Combine(A.DataFolder, "keys", "pseudonymisation.json"),
            ["FirstRun__IssueKeys"] = "false",
            ["FirstRun__KeysFile"] = Path.Combine(A.DataFolder, "node-b-keys.txt"),
            ["Learning__ModelsRoot"] = Path.Combine(A.DataFolder, "models"),
            ["Logging__LogLevel__Default"] = "Warning",
        });
        await B.WaitReadyAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (B is not null) await B.DisposeAsync();
        A?.Dispose();
    }
}

/// <summary>
/// A case corrected or withdrawn on another node while node A's link run is under way: the run never writes a link or
/// an alert for it by what it read before the change, and the next run catches up.
/// </summary>
public sealed class LinkRaceNodeTests(TwoLinkNodes nodes, ITestOutputHelper output) : IClassFixture<TwoLinkNodes>
{
    private LinkNodeFactory A => nodes.A!;
    private ServiceNode B => nodes.B!;

    private Task ComputeAsync() => A.Services.GetRequiredService<LinkJobs>().ComputeLinksAsync(CancellationToken.None);

    /// <summary>A client of node A and one of node B for the same prosecutor's key.</summary>
    private async Task<(HttpClient OnA, HttpClient OnB)> ProsecutorAsync(string jurisdiction, string authority)
    {
        _ = A.Server;
        var key = (await A.Services.GetRequiredService<ApiKeyStore>()
            .CreateAsync($"test {authority}", Roles.Prosecutor, jurisdiction, authority, CancellationToken.None)).Key;
        var onA = A.CreateClient();
        onA.DefaultRequestHeaders.Add("X-Api-Key", key);
        var onB = new HttpClient { BaseAddress = new Uri(B.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        onB.DefaultRequestHeaders.Add("X-Api-Key", key);
        return (onA, onB);
    }

    private static async Task<string> SubmitAsync(HttpClient client, string json)
    {
        var response = await client.SubmitCaseAsync(json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.ReadAsync<Receipt>()).CaseId;
    }

    private static async Task<HttpStatusCode> ChangeAsync(HttpClient client, string change, string caseId, string corrected)
    {
        using var response = change == "withdraw"
            ? await client.DeleteAsync($"/api/v1/cases/{caseId}")
            : await client.PutAsync($"/api/v1/cases/{caseId}", new StringContent(corrected, Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }

    private static async Task<bool> HitAsync(HttpClient client, string caseId) =>
        (await (await client.GetAsync($"/api/v1/links/cases/{caseId}")).ReadAsync<CaseLinks>()).Hit;

    private static async Task<List<LinkAlert>> AlertsAsync(HttpClient client) =>
        (await (await client.GetAsync("/api/v1/links/alerts")).ReadAsync<LinkAlertPage>()).Items.ToList();

    private async Task<bool> InGroupAsync(string caseId) =>
        (await A.Services.GetRequiredService<LinkStore>().GroupMembersAsync(CancellationToken.None)).Values.Any(m => m.Contains(caseId));

    [Fact]
    public async Task ACaseCorrectedOnAnotherNodeWhileARunReads_IsNotLinkedByItsOldTokens_AndIsLinkedByItsNewOnesInTheNextRun()
    {
        if (!TestDatabases.PostgresOrSkip(output)) return;
        var (ro, roOnB) = await ProsecutorAsync("RO", "RO-NODE-K");
        var (it, _) = await ProsecutorAsync("IT", "IT-NODE-K");
        var (de, _) = await ProsecutorAsync("DE", "DE-NODE-K");
        var corrected = LinkTestData.CaseWithIdentifiers("RO", "RO-NODE-K", "DIICOT/2024/00941", ("phone", "+49 151 2345 9410"));
        var r = await SubmitAsync(ro, LinkTestData.CaseWithIdentifiers("RO", "RO-NODE-K", "DIICOT/2024/00941", ("phone", "+40 721 555 941")));
        var i = await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", "IT-NODE-K", "DDA-MI/2024/941", ("phone", "0040 721 555 941")));
        var d = await SubmitAsync(de, LinkTestData.CaseWithIdentifiers("DE", "DE-NODE-K", "STA-B/2024/941", ("phone", "+49 151 2345 9410")));

        // Corrected on node B after node A's run has read the graph with the old phone.
        var store = A.Services.GetRequiredService<LinkStore>();
        store.AfterGraphRead = async _ => Assert.Equal(HttpStatusCode.OK, await ChangeAsync(roOnB, "correct", r, corrected));
        try
        {
            await ComputeAsync();
        }
        finally
        {
            store.AfterGraphRead = null;
        }

        Assert.False(await InGroupAsync(r));
        Assert.False(await HitAsync(it, i));
        Assert.Empty(await AlertsAsync(it));
        Assert.Empty(await AlertsAsync(ro));

        await ComputeAsync();

        Assert.Contains((await store.GroupMembersAsync(CancellationToken.None)).Values, m => m.Order().SequenceEqual(new[] { r, d }.Order()));
        Assert.False(await HitAsync(it, i));
        Assert.Empty(await AlertsAsync(it));
        Assert.Equal(["DE-NODE-K"], Assert.Single(await AlertsAsync(ro)).NewAuthorities);
    }

    [Theory]
    [InlineData("withdraw")]
    [InlineData("correct")]
    public async Task ACaseChangedOnAnotherNodeWhileARunWrites_LandsAfterTheCommit_AndTheNextRunCatchesUp(string change)
    {
        if (!TestDatabases.PostgresOrSkip(output)) return;
        var suffix = change == "withdraw" ? "W" : "C";
        var (ro, roOnB) = await ProsecutorAsync("RO", $"RO-NODE-{suffix}");
        var (it, _) = await ProsecutorAsync("IT", $"IT-NODE-{suffix}");
        var (de, _) = await ProsecutorAsync("DE", $"DE-NODE-{suffix}");
        var n = change == "withdraw" ? 951 : 961;
        var corrected = LinkTestData.CaseWithIdentifiers("RO", $"RO-NODE-{suffix}", $"DIICOT/2024/00{n}", ("phone", $"+49 151 2345 {n}0"));
        var r = await SubmitAsync(ro, LinkTestData.CaseWithIdentifiers("RO", $"RO-NODE-{suffix}", $"DIICOT/2024/00{n}", ("phone", $"+40 721 555 {n}")));
        var i = await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", $"IT-NODE-{suffix}", $"DDA-MI/2024/{n}", ("phone", $"0040 721 555 {n}")));
        var d = await SubmitAsync(de, LinkTestData.CaseWithIdentifiers("DE", $"DE-NODE-{suffix}", $"STA-B/2024/{n}", ("phone", $"+49 151 2345 {n}0")));

        // Node A's run has looked for changed cases and found none; before it writes, the prosecutor changes the case on
        // node B. Were that change to commit first, the run would commit a link by a phone the case no longer
        // holds (or of a withdrawn case), and nothing would look again until the next run.
        var store = A.Services.GetRequiredService<LinkStore>();
        Task<HttpStatusCode>? changing = null;
        var landedBeforeCommit = false;
        store.AfterChangeCheck = async _ =>
        {
            changing = ChangeAsync(roOnB, change, r, corrected);
            var waited = Stopwatch.StartNew();
            // Until node B's request is answered, or is seen waiting for a lock (then it would wait as long as the run).
            while (!changing.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(20) && await WaitingForALockAsync() == 0)
                await Task.Delay(50);
            await Task.Delay(200);
            landedBeforeCommit = changing.IsCompleted;
        };
        try
        {
            await ComputeAsync();
        }
        finally
        {
            store.AfterChangeCheck = null;
        }

        Assert.False(landedBeforeCommit, $"the {change} on node B committed between the run's look for changed cases and its commit");
        Assert.Equal(change == "withdraw" ? HttpStatusCode.NoContent : HttpStatusCode.OK, await changing!.WaitAsync(TimeSpan.FromSeconds(30)));
        // The run committed first: it linked the case as it was then, and the change is the next run's to see.
        Assert.True(await InGroupAsync(r));

        await ComputeAsync();

        Assert.False(await HitAsync(it, i));
        Assert.True(Assert.Single(await AlertsAsync(it)).Ended);
        if (change == "withdraw")
        {
            Assert.False(await InGroupAsync(r));
            Assert.Empty(await AlertsAsync(de));
        }
        else
        {
            Assert.Contains((await store.GroupMembersAsync(CancellationToken.None)).Values, m => m.Order().SequenceEqual(new[] { r, d }.Order()));
            Assert.Equal([$"RO-NODE-{suffix}"], Assert.Single(await AlertsAsync(de)).NewAuthorities);
        }
    }

    // Lock requests not granted yet in this test's database, or on a transaction (node B's writer waiting for the run).
    private Task<long> WaitingForALockAsync() => A.Postgres!.ScalarAsync<long>("""
        SELECT COUNT(*) FROM pg_locks
        WHERE NOT granted AND (database IS NULL OR database = (SELECT oid FROM pg_database WHERE datname = current_database()))
        """);
}
