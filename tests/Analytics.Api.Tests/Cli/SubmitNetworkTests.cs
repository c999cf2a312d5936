using System.CommandLine;
using System.Net;
using Analytics.Cli.Submit;

namespace Analytics.Api.Tests.Cli;

/// <summary>The process-wide default proxy is changed by one of these tests: nothing else may send meanwhile.</summary>
[CollectionDefinition(nameof(SubmitNetworkCollection), DisableParallelization = true)]
public sealed class SubmitNetworkCollection;

/// <summary>Where the real HTTP client of <c>analytics submit</c> sends the API key and the records: only to --url.</summary>
[Collection(nameof(SubmitNetworkCollection))]
public sealed class SubmitNetworkTests
{
    private const string Stored = """{"lines":1,"created":1,"updated":0,"unchanged":0,"rejected":0,"results":[{"line":1,"status":"created"}]}""";

    private static async Task<(int Code, string Output)> SubmitAsync(string url, int maxAttempts = 1)
    {
        using var folder = new CliTestFolder();
        var file = folder.File("cases.ndjson");
        await File.WriteAllTextAsync(file, "{\"caseReference\":\"N/1\"}\n");
        var command = new RootCommand { SubmitCommand.Create() };
        var writer = new StringWriter();
        var code = await command.Parse(["submit", file, "--url", url, "--key", "ak_secret.key", "--max-attempts", maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            .InvokeAsync(new InvocationConfiguration { Output = writer, Error = writer });
        return (code, writer.ToString());
    }

    [Fact]
    public async Task Submit_IgnoresTheEnvironmentProxy_AndSendsStraightToTheUrl()
    {
        using var server = new LocalHttpListener(() => LocalHttpListener.Json(200, Stored));
        using var proxy = new LocalHttpListener(() => LocalHttpListener.Json(200, Stored));
        var before = HttpClient.DefaultProxy;
        HttpClient.DefaultProxy = new WebProxy(proxy.Address);
        try
        {
            var (code, output) = await SubmitAsync(server.Address.ToString());

            Assert.True(code == 0, output);
            Assert.Empty(proxy.Requests);
            Assert.Contains("X-Api-Key: ak_secret.key", Assert.Single(server.Requests).Head);
        }
        finally
        {
            HttpClient.DefaultProxy = before;
        }
    }

    [Fact]
    public async Task Submit_DoesNotFollowARedirect_ReportsItAsRefused_AndStops()
    {
        using var elsewhere = new LocalHttpListener(() => LocalHttpListener.Json(200, Stored));
        var target = new Uri(elsewhere.Address, "api/v1/cases/batch");
        using var server = new LocalHttpListener(() =>
            $"HTTP/1.1 307 Temporary Redirect\r\nLocation: {target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        var (code, output) = await SubmitAsync(server.Address.ToString(), maxAttempts: 3);

        Assert.Equal(1, code);
        Assert.Empty(elsewhere.Requests);
        Assert.Single(server.Requests);
        Assert.Contains($"HTTP 307 redirect to {target}", output);
        Assert.Contains("error: stopped:", output);
        Assert.Matches(@"not sent\s+1", output);
    }
}
