using System.Net;
using System.Text.Json;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Cli.Keys;
using Analytics.Data.ApiKeys;
using Analytics.Data.Audit;
using Analytics.Data.Database;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.Postgres;

/// <summary>
/// The audit chain on PostgreSQL: key changes from the command line and the service's requests in one chain; the
/// checkpoint. Each test gets a fresh database, so that sequence numbers are known and one test's tampering stays its own.
/// </summary>
public sealed class PostgresAuditTests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    [Fact]
    public async Task CliKeyChanges_WhileTheServiceAppends_KeepOneChainThatVerifies_OnPostgres()
    {
        if (!TestDatabases.PostgresOrSkip(_output)) return;
        using var factory = new PostgresAnalyticsFactory();
        var steward = await factory.ClientForAsync(Roles.Steward);
        var anonymous = factory.CreateClient();
        // A connection pool of its own, as the command-line tool in another process has: what the keys commands run.
        await using var cliDb = new Db(new DatabaseOptions { Provider = "postgres", ConnectionString = factory.Postgres!.ConnectionString });
        var cliAudit = new AuditStore(cliDb);

        using var stop = new CancellationTokenSource();
        var requests = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            // Spread over the key changes, and bounded: on a busy machine the changes take seconds, and the entries are
            // read back in one page below.
            var sent = 0;
            while (!stop.IsCancellationRequested && sent < 1_000)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/cases")).StatusCode);
                sent++;
                await Task.Delay(1);
            }
            return sent;
        })).ToList();
        var issued = new List<IssuedApiKey>();
        for (var i = 0; i < 8; i++)
        {
            issued.Add(await AuditedKeyChanges.CreateAsync(cliAudit, "pg key", Roles.Prosecutor, "IT", "IT-PG-CLI", CancellationToken.None));
            await Task.Delay(20);
        }
        Assert.True(await AuditedKeyChanges.RevokeAsync(cliAudit, issued[0].Id, CancellationToken.None));
        var listed = await AuditedKeyChanges.ListAsync(cliAudit, CancellationToken.None);
        await stop.CancelAsync();
        var sent = (await Task.WhenAll(requests)).Sum();
        await factory.FlushAuditAsync();

        var verification = await (await steward.GetAsync("/api/v1/audit/verify?full=true")).ReadAsync<ChainVerification>();
        var entries = await new AuditStore(cliDb).ListAsync(0, 10_000, null, null, CancellationToken.None);

        Assert.True(verification.Valid, $"chain broken at {verification.FirstBrokenSeq}");
        Assert.Equal(issued.Select(k => k.Id), entries.Where(e => e.Action == "CreateKey" && e.Method == AuditedKeyChanges.Method)
            .Select(e => JsonDocument.Parse(e.Parameters).RootElement.GetProperty("created").GetString()));
        Assert.Single(entries, e => e.Action == "RevokeKey" && e.Method == AuditedKeyChanges.Method && e.Status == 204);
        Assert.Equal(listed.Count, Assert.Single(entries, e => e.Action == "ListKeys" && e.Method == AuditedKeyChanges.Method).ResultSize);
        Assert.All(issued, k => Assert.Contains(listed, l => l.Id == k.Id && l.SecretHash == ""));
        Assert.True(entries.Count < 10_000, $"{entries.Count} entries: more than one page");
        Assert.True(entries.Count(e => e.Method == "GET") >= sent, $"{entries.Count(e => e.Method == "GET")} GET entries for {sent} requests");
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Seq));
        var text = string.Join('\n', entries.Select(e => e.Parameters + e.Principal + e.Route));
        Assert.All(issued, k => Assert.DoesNotContain(k.Key[(k.Key.IndexOf('.') + 1)..], text, StringComparison.Ordinal));
        _output.WriteLine($"{entries.Count} entries, {sent} requests sent while 9 key changes and a listing were made");
    }

    [Fact]
    public async Task Verify_FromTheCheckpoint_AndAFullWalk_FindTamperingOnEitherSide_OnPostgres()
    {
        if (!TestDatabases.PostgresOrSkip(_output)) return;
        using var factory = new PostgresAnalyticsFactory();
        var steward = await factory.ClientForAsync(Roles.Steward);
        var anonymous = factory.CreateClient();
        for (var i = 0; i < 4; i++) await anonymous.GetAsync("/api/v1/cases");
        await factory.FlushAuditAsync();
        var first = await (await steward.GetAsync("/api/v1/audit/verify")).ReadAsync<ChainVerification>();
        var checkpoint = first.Checkpoint;
        for (var i = 0; i < 3; i++) await anonymous.GetAsync("/api/v1/cases");
        await factory.FlushAuditAsync();

        await using var db = new Db(new DatabaseOptions { Provider = "postgres", ConnectionString = factory.Postgres!.ConnectionString });
        await using (var connection = await db.OpenAsync(CancellationToken.None))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"UPDATE audit_log SET status = 299 WHERE seq = {checkpoint + 2}; UPDATE audit_log SET status = 298 WHERE seq = {checkpoint - 1}";
            await command.ExecuteNonQueryAsync();
        }
        var incremental = await (await steward.GetAsync("/api/v1/audit/verify")).ReadAsync<ChainVerification>();
        var full = await (await steward.GetAsync("/api/v1/audit/verify?full=true")).ReadAsync<ChainVerification>();

        Assert.True(first.Valid);
        Assert.Equal((false, checkpoint + 2, checkpoint), (incremental.Valid, incremental.FirstBrokenSeq!.Value, incremental.After));
        Assert.Equal((false, checkpoint - 1, 0L), (full.Valid, full.FirstBrokenSeq!.Value, full.After));
        Assert.Equal(checkpoint - 2, full.Checkpoint);
    }
}
