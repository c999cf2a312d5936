using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Analytics.Benchmarks.Ingest;

/// <summary>The real service, started as its own process on 127.0.0.1 with a throw-away database and key files.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Timer _sampler;
    private readonly object _gate = new();
    private readonly List<(TimeSpan At, long RssBytes)> _samples = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _hwmBytes;

    private ServerProcess(Process process, StreamWriter log, Uri baseAddress)
    {
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
        _sampler = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(200));
    }

    public Uri BaseAddress { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static async Task<ServerProcess> StartAsync(string apiDll, string workDir, CancellationToken ct, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(apiDll);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["Database__ConnectionString"] = $"Data Source={Path.Combine(workDir, "bench.db")}";
        start.Environment["Pseudonymisation__KeyFile"] = Path.Combine(workDir, "keys.json");
        start.Environment["FirstRun__KeysFile"] = Path.Combine(workDir, "keys.txt");
        start.Environment["Learning__ModelsRoot"] = Path.Combine(workDir, "models");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;

        var log = new StreamWriter(Path.Combine(workDir, "server.log")) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the service process.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, log, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await server.WaitLiveAsync(Path.Combine(workDir, "server.log"), ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task WaitLiveAsync(string logPath, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The service exited with code {_process.ExitCode} before it was live. Log:\n{Tail(logPath)}");
            try
            {
                using var response = await http.GetAsync("health/live", ct);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(100, ct);
        }
        throw new TimeoutException($"The service did not answer /health/live within 60 s. Log:\n{Tail(logPath)}");
    }

    private static string Tail(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().Split('\n');
            return string.Join('\n', lines.TakeLast(30));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>CPU time (user + system) the service has used so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>
    /// CPU time used so far by each live thread of the runtime's tiered-compilation worker (".NET Tiered Com…"), by
    /// thread id: the JIT recompiling hot methods at higher tiers. Empty where /proc is unavailable.
    /// </summary>
    public IReadOnlyDictionary<int, TimeSpan> TieringCpu()
    {
        var result = new Dictionary<int, TimeSpan>();
        try
        {
            ReadTieringCpu(result);
        }
        finally
        {
            lock (_gate) foreach (var (tid, cpu) in result) _tieringSeen[tid] = cpu;
        }
        return result;
    }

    /// <summary>CPU time the tiered-compilation threads seen by <see cref="TieringCpu"/> have used since the service started.</summary>
    public TimeSpan TieringCpuSeen()
    {
        lock (_gate) return _tieringSeen.Values.Aggregate(TimeSpan.Zero, (a, b) => a + b);
    }

    private readonly Dictionary<int, TimeSpan> _tieringSeen = [];

    private void ReadTieringCpu(Dictionary<int, TimeSpan> result)
    {
        var tasks = $"/proc/{_process.Id}/task";
        if (!Directory.Exists(tasks)) return;
        foreach (var dir in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(');
                var close = stat.LastIndexOf(')');
                if (open < 0 || close < open || !stat[(open + 1)..close].StartsWith(".NET Tiered Com", StringComparison.Ordinal)) continue;
                // Fields after the command: state is the first, utime and stime the 12th and 13th (clock ticks of 1/100 s).
                var fields = stat[(close + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                result[int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture)] = TimeSpan.FromMilliseconds(ticks * 10);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { }
        }
    }

    /// <summary>Resident set size now.</summary>
    public long RssBytes() => ReadStatus().Rss;

    /// <summary>Highest resident set size seen by the kernel (VmHWM) or by sampling.</summary>
    public long PeakBytes()
    {
        var (_, hwm) = ReadStatus();
        lock (_gate) return Math.Max(hwm, _hwmBytes);
    }

    /// <summary>Mean RSS of the samples taken in [from, to) of this object's clock.</summary>
    public long MeanRss(TimeSpan from, TimeSpan to)
    {
        lock (_gate)
        {
            var inRange = _samples.Where(s => s.At >= from && s.At < to).Select(s => s.RssBytes).ToList();
            return inRange.Count == 0 ? RssBytes() : (long)inRange.Average();
        }
    }

    public TimeSpan Now => _clock.Elapsed;

    private void Sample()
    {
        try
        {
            var (rss, hwm) = ReadStatus();
            if (rss == 0) return;
            lock (_gate)
            {
                _samples.Add((_clock.Elapsed, rss));
                _hwmBytes = Math.Max(_hwmBytes, Math.Max(rss, hwm));
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException) { }
    }

    private (long Rss, long Hwm) ReadStatus()
    {
        var path = $"/proc/{_process.Id}/status";
        if (!File.Exists(path))
        {
            if (_process.HasExited) return (0, 0);
            _process.Refresh();
            return (_process.WorkingSet64, _process.PeakWorkingSet64);
        }
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line);
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kb(line);
        }
        return (rss, hwm);
    }

    private static long Kb(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    public async ValueTask DisposeAsync()
    {
        await _sampler.DisposeAsync();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"warning: could not stop the service process {_process.Id}: {e.Message}");
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }
}
