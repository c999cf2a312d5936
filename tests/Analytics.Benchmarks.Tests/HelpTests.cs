using System.Diagnostics;
using Analytics.Benchmarks.Ingest;

namespace Analytics.Benchmarks.Tests;

public sealed class HelpTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(IngestOptions).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    [Theory]
    [InlineData("ingest", "--seconds")]
    [InlineData("queries", "--concurrency")]
    [InlineData("training", "--sizes")]
    [InlineData("bulk", "--batch")]
    [InlineData("links", "--cases")]
    [InlineData("refresh", "--runs")]
    [InlineData("rekey", "--cases")]
    [InlineData("all", "--parts")]
    public async Task EveryCommand_PrintsItsOptions_OnHelp(string command, string option)
    {
        var (code, output, error) = await RunAsync(command, "--help");

        Assert.Equal(0, code);
        Assert.Contains(option, output);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("queries", "--seconds")]
    [InlineData("bulk", "--cases")]
    [InlineData("links", "--new")]
    [InlineData("refresh", "--runs")]
    [InlineData("rekey", "--cases")]
    public async Task ANumberOptionGivenText_FailsWithTheOptionAndTheUsage(string command, string option)
    {
        var (code, output, error) = await RunAsync(command, option, "ten");

        Assert.Equal(2, code);
        Assert.Contains($"{option} takes a whole number, not 'ten'.", error);
        Assert.Contains(command + " [", error);
        Assert.DoesNotContain("Unhandled exception", error);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task AnUnknownOption_StillFails_WithTheUsage()
    {
        var (code, _, error) = await RunAsync("ingest", "--no-such-option");

        Assert.Equal(2, code);
        Assert.Contains("Unknown option '--no-such-option'", error);
        Assert.Contains("--seconds", error);
    }
}
