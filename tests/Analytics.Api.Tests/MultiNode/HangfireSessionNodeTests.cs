using System.Net;
using Analytics.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.MultiNode;

/// <summary>
/// The job dashboard's session across two real service processes on one fresh PostgreSQL database and one Data
/// Protection key ring: a sign-out on one node ends the session on the other. Runs where ANALYTICS_TEST_POSTGRES is set.
/// </summary>
public sealed class HangfireSessionNodeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SignOut_OnOneNode_EndsTheSessionOnTheOther()
    {
        if (!TestDatabases.PostgresOrSkip(output)) return;
        using var database = PostgresTestDatabase.Create(TestDatabases.Postgres!);
        var folder = Path.Combine(Path.GetTempPath(), "analytics-multinode", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        var environment = new Dictionary<string, string>
        {
            ["Node__Role"] = "api",
            ["Database__Provider"] = "postgres",
            ["Database__ConnectionString"] = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Timeout = 60 }.ConnectionString,
            ["Jobs__Storage"] = "inmemory",
            ["HangfireSession__KeyRingPath"] = Path.Combine(folder, "data-protection"),
            ["Pseudonymisation__KeyFile"] = Path.Combine(folder, "keys", "pseudonymisation.json"),
            ["FirstRun__KeysFile"] = Path.Combine(folder, "first-run-keys.txt"),
            ["Learning__ModelsRoot"] = Path.Combine(folder, "models"),
            ["Logging__LogLevel__Default"] = "Warning",
        };
        await using var a = ServiceNode.Start("A", folder, environment);
        await a.WaitReadyAsync(TimeSpan.FromSeconds(60));
        await using var b = ServiceNode.Start("B", folder, new Dictionary<string, string>(environment) { ["FirstRun__IssueKeys"] = "false" });
        await b.WaitReadyAsync(TimeSpan.FromSeconds(60));
        try
        {
            var steward = File.ReadAllLines(Path.Combine(folder, "first-run-keys.txt")).Where(l => !l.StartsWith('#'))
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(k => k[0] == "steward")[2];
            // No cookie container: each request carries the cookie only where the test puts it.
            using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(60) };
            async Task<HttpResponseMessage> SendAsync(ServiceNode node, HttpMethod method, string path, string? cookie = null)
            {
                var request = new HttpRequestMessage(method, new Uri(new Uri(node.BaseUrl), path));
                if (cookie is null) request.Headers.Add("X-Api-Key", steward);
                else request.Headers.Add("Cookie", cookie);
                return await http.SendAsync(request);
            }

            var opened = await SendAsync(a, HttpMethod.Post, "/api/v1/hangfire-session");
            Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
            var cookie = opened.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(a, HttpMethod.Get, "/hangfire", cookie)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(b, HttpMethod.Get, "/hangfire", cookie)).StatusCode);

            Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(b, HttpMethod.Delete, "/api/v1/hangfire-session")).StatusCode);

            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(a, HttpMethod.Get, "/hangfire", cookie)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(b, HttpMethod.Get, "/hangfire", cookie)).StatusCode);
        }
        catch
        {
            output.WriteLine($"--- node A ---\n{a.LogTail()}\n--- node B ---\n{b.LogTail()}");
            throw;
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
