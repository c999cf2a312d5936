using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Analytics.Api.Tests.MultiNode;

/// <summary>
/// One real service process (<c>dotnet Analytics.Api.dll</c>) on a free 127.0.0.1 port, configured through environment
/// variables like a deployment would be. Its output is kept for failure messages.
/// </summary>
public sealed class ServiceNode : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly Process _process;

    private ServiceNode(string name, Process process, string baseUrl)
    {
        Name = name;
        _process = process;
        BaseUrl = baseUrl;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Name { get; }
    public string BaseUrl { get; }
    public HttpClient Http { get; }
    public bool HasExited => _process.HasExited;

    public static ServiceNode Start(string name, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var baseUrl = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServiceAssembly());
        foreach (var (key, value) in environment) start.Environment[key] = value;
        start.Environment["Urls"] = baseUrl;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the service.");
        var node = new ServiceNode(name, process, baseUrl);
        process.OutputDataReceived += (_, e) => { lock (node._log) node._log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (node._log) node._log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Waits until /health/ready answers 200 (migrations done, database and job storage reachable).</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            if (_process.HasExited) throw new InvalidOperationException($"Node {Name} exited with {_process.ExitCode}.\n{LogTail()}");
            try
            {
                using var response = await Http.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Node {Name} was not ready within {timeout.TotalSeconds} s.\n{LogTail()}");
    }

    /// <summary>Ends the process at once, as a crash or an OOM kill would: no graceful shutdown, nothing flushed.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public string LogTail()
    {
        lock (_log)
        {
            var text = _log.ToString();
            return text.Length > 4000 ? text[^4000..] : text;
        }
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Http.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The service built by the same configuration as these tests (the project reference builds it first).</summary>
    private static string ServiceAssembly()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Analytics.sln"))) folder = folder.Parent;
        var root = folder?.FullName ?? throw new InvalidOperationException("Analytics.sln not found above the test folder.");
        var dll = Path.Combine(root, "src", "Analytics.Api", "bin", configuration, "net10.0", "Analytics.Api.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the service first: {dll} is missing.");
    }
}
