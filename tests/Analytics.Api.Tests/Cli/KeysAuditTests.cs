using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Cli;
using Analytics.Cli.Keys;
using Analytics.Data.ApiKeys;
using Analytics.Data.Audit;
using Analytics.Data.Database;
using Microsoft.Data.Sqlite;

namespace Analytics.Api.Tests.Cli;

/// <summary><c>analytics keys create|list|revoke</c> reach the audit trail: the same chain, in the same database, without the secret.</summary>
public sealed class KeysAuditTests
{
    [Fact]
    public async Task KeysCreateAndRevoke_AppendChainedEntries_WithoutTheSecret()
    {
        using var folder = new CliTestFolder();

        var (created, output) = await folder.RunAsync("keys", "create", "--role", "prosecutor", "--jurisdiction", "RO", "--authority", "RO-DIICOT", "--name", "Desk 4");
        var key = KeyOf(output);
        var id = key["ak_".Length..key.IndexOf('.')];
        var (revoked, _) = await folder.RunAsync("keys", "revoke", id);
        var (again, _) = await folder.RunAsync("keys", "revoke", id);

        Assert.Equal((0, 0, 1), (created, revoked, again));
        var entries = await EntriesAsync(folder.Database);
        Assert.Equal(["CreateKey", "RevokeKey", "RevokeKey"], entries.Select(e => e.Action));
        Assert.Equal([201, 204, 404], entries.Select(e => e.Status));
        Assert.All(entries, e => Assert.Equal((AuditedKeyChanges.Principal, "CLI"), (e.Principal, e.Method)));
        Assert.StartsWith("cli", AuditedKeyChanges.Principal, StringComparison.Ordinal);
        using var parameters = JsonDocument.Parse(entries[0].Parameters);
        Assert.Equal(id, parameters.RootElement.GetProperty("created").GetString());
        var described = parameters.RootElement.GetProperty("key");
        Assert.Equal(("prosecutor", "RO", "RO-DIICOT"),
            (described.GetProperty("role").GetString(), described.GetProperty("jurisdiction").GetString(), described.GetProperty("authority").GetString()));
        Assert.Contains($"\"id\":\"{id}\"", entries[1].Parameters, StringComparison.Ordinal);
        Assert.DoesNotContain("Desk 4", entries[0].Parameters, StringComparison.Ordinal);

        await using var db = new Db(new DatabaseOptions { ConnectionString = folder.Database, SqliteBackgroundCheckpoints = false });
        var verification = await new AuditStore(db).VerifyAsync(null, CancellationToken.None);
        Assert.Equal((3L, true), (verification.Entries, verification.Valid));

        // Neither the whole key nor its secret part is anywhere in audit_log's text, nor in the database files.
        var secret = key[(key.IndexOf('.') + 1)..];
        var text = string.Join('\n', await RowsTextAsync(folder.Database));
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(folder.Path, "a.db*"))
            Assert.DoesNotContain(secret, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysList_AppendsAChainedEntry_CountingTheKeysListed_WithoutSecretsHashesOrNames()
    {
        using var folder = new CliTestFolder();
        var (_, first) = await folder.RunAsync("keys", "create", "--role", "analyst", "--name", "Desk 4");
        var (_, second) = await folder.RunAsync("keys", "create", "--role", "steward", "--name", "Night desk");
        var revokedId = KeyOf(second)["ak_".Length..KeyOf(second).IndexOf('.')];
        Assert.Equal(0, (await folder.RunAsync("keys", "revoke", revokedId)).Code);

        var (code, output) = await folder.RunAsync("keys", "list");

        Assert.Equal(0, code);
        Assert.Contains(revokedId, output, StringComparison.Ordinal);
        var entries = await EntriesAsync(folder.Database);
        Assert.Equal(["CreateKey", "CreateKey", "RevokeKey", "ListKeys"], entries.Select(e => e.Action));
        var listed = entries[^1];
        Assert.Equal((AuditedKeyChanges.Principal, (string?)null, "CLI", "CLI analytics keys list", "{}", 200, 2L),
            (listed.Principal, listed.Role, listed.Method, listed.Route, listed.Parameters, listed.Status, listed.ResultSize));
        await using (var db = new Db(new DatabaseOptions { ConnectionString = folder.Database, SqliteBackgroundCheckpoints = false }))
        {
            var verification = await new AuditStore(db).VerifyAsync(null, CancellationToken.None);
            Assert.Equal((4L, true), (verification.Entries, verification.Valid));
        }

        // Neither a key, its secret, the stored hash of a secret nor a key's name is in audit_log.
        var text = string.Join('\n', await RowsTextAsync(folder.Database));
        foreach (var key in new[] { KeyOf(first), KeyOf(second) })
        {
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
            Assert.DoesNotContain(key[(key.IndexOf('.') + 1)..], text, StringComparison.Ordinal);
        }
        foreach (var hash in await HashesAsync(folder.Database)) Assert.DoesNotContain(hash, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Desk 4", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Night desk", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysList_WhenTheAuditEntryCannotBeStored_ListsNoKey_AndSaysWhy()
    {
        using var folder = new CliTestFolder();
        var (_, created) = await folder.RunAsync("keys", "create", "--role", "analyst");
        var id = KeyOf(created)["ak_".Length..KeyOf(created).IndexOf('.')];
        folder.Execute("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END;");

        // As the program runs it: a database error is one line.
        var writer = new StringWriter();
        var code = await CliProgram.RunAsync(["keys", "list", "--database", folder.Database], writer, writer);
        var output = writer.ToString();

        Assert.Equal(1, code);
        Assert.StartsWith("error: database: SqliteException:", output, StringComparison.Ordinal);
        Assert.Contains("audit refused", output, StringComparison.Ordinal);
        Assert.DoesNotContain(id, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.Equal(["CreateKey"], (await EntriesAsync(folder.Database)).Select(e => e.Action));
    }

    [Fact]
    public async Task KeysRevoke_OfSomethingThatIsNotAKeyId_RecordsItRedacted()
    {
        using var folder = new CliTestFolder();
        folder.Execute("SELECT 1"); // the database file exists, as the service leaves it

        var (code, _) = await folder.RunAsync("keys", "revoke", "Ioana Marginean");

        Assert.Equal(1, code);
        var entry = Assert.Single(await EntriesAsync(folder.Database));
        Assert.Equal(("RevokeKey", 404), (entry.Action, entry.Status));
        Assert.DoesNotContain("Ioana", string.Join('\n', await RowsTextAsync(folder.Database)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysCreate_WhenTheAuditEntryCannotBeStored_CreatesNoKey_AndSaysSo()
    {
        using var folder = new CliTestFolder();
        folder.Execute("SELECT 1"); // the database file exists, as the service leaves it
        Assert.Equal(0, (await folder.RunAsync("keys", "list")).Code);
        var listed = folder.Scalar("SELECT COUNT(*) FROM audit_log");
        folder.Execute("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END;");

        var (code, output) = await folder.RunAsync("keys", "create", "--role", "analyst");

        Assert.Equal(1, code);
        Assert.Contains("error: no key was created", output, StringComparison.Ordinal);
        Assert.DoesNotContain("key:  ak_", output, StringComparison.Ordinal);
        Assert.Equal(0, folder.Scalar("SELECT COUNT(*) FROM api_keys"));
        Assert.Equal(listed, folder.Scalar("SELECT COUNT(*) FROM audit_log"));
    }

    [Fact]
    public async Task KeysCreateListAndRevoke_WhileTheServiceAppendsToTheSameDatabase_KeepOneChainThatVerifies()
    {
        using var factory = new AnalyticsFactory();
        var steward = await factory.ClientForAsync(Roles.Steward);
        var anonymous = factory.CreateClient();
        var database = $"Data Source={factory.DatabasePath}";

        using var stop = new CancellationTokenSource();
        var requests = Task.Run(async () =>
        {
            // Spread over the key changes, and bounded so that the entries are read back in one page below.
            var sent = 0;
            while (!stop.IsCancellationRequested && sent < 2_000)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/cases")).StatusCode);
                sent++;
                await Task.Delay(1);
            }
            return sent;
        });
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var (code, output) = await RunAsync("keys", "create", "--role", "analyst", "--database", database);
            Assert.Equal(0, code);
            var key = KeyOf(output);
            ids.Add(key["ak_".Length..key.IndexOf('.')]);
        }
        Assert.Equal(0, (await RunAsync("keys", "list", "--database", database)).Code);
        Assert.Equal(0, (await RunAsync("keys", "revoke", ids[0], "--database", database)).Code);
        await stop.CancelAsync();
        var sent = await requests;
        await factory.FlushAuditAsync();

        var verification = await (await steward.GetAsync("/api/v1/audit/verify?full=true")).ReadAsync<ChainVerification>();
        var entries = await EntriesAsync(database);

        Assert.True(verification.Valid, $"chain broken at {verification.FirstBrokenSeq}");
        Assert.Equal(ids, entries.Where(e => e.Action == "CreateKey" && e.Method == "CLI")
            .Select(e => JsonDocument.Parse(e.Parameters).RootElement.GetProperty("created").GetString()));
        Assert.Single(entries, e => e.Action == "RevokeKey" && e.Method == "CLI");
        // Every key: none was created after the listing, and the revocation deletes none.
        Assert.Equal(await KeyCountAsync(database), Assert.Single(entries, e => e.Action == "ListKeys" && e.Method == "CLI").ResultSize);
        Assert.True(entries.Count < 10_000, $"{entries.Count} entries: more than one page");
        Assert.True(entries.Count(e => e.Method == "GET") >= sent, $"{entries.Count(e => e.Method == "GET")} GET entries for {sent} requests");
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Seq));
    }

    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var writer = new StringWriter();
        var code = await CliProgram.Root().Parse(args).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = writer, Error = writer });
        return (code, writer.ToString());
    }

    private static string KeyOf(string output) =>
        output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("key:", StringComparison.Ordinal))["key:".Length..].Trim();

    private static async Task<List<AuditEntry>> EntriesAsync(string database)
    {
        await using var db = new Db(new DatabaseOptions { ConnectionString = database, SqliteBackgroundCheckpoints = false });
        return [.. await new AuditStore(db).ListAsync(0, 10_000, null, null, CancellationToken.None)];
    }

    private static async Task<long> KeyCountAsync(string database)
    {
        await using var connection = new SqliteConnection(database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM api_keys";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> HashesAsync(string database)
    {
        await using var connection = new SqliteConnection(database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT secret_hash FROM api_keys";
        await using var reader = await command.ExecuteReaderAsync();
        var hashes = new List<string>();
        while (await reader.ReadAsync()) hashes.Add(reader.GetString(0));
        return hashes;
    }

    private static async Task<List<string>> RowsTextAsync(string database)
    {
        await using var connection = new SqliteConnection(database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM audit_log ORDER BY seq";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i)))));
        return rows;
    }
}
