using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Analytics.Benchmarks.Suite;

/// <summary>What the figures were measured on.</summary>
public sealed record MachineInfo(int Cores, string Cpu, double MemoryGb, string Os, string Dotnet, string Commit)
{
    public static MachineInfo Read(string repositoryRoot) => new(
        Environment.ProcessorCount,
        ProcField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Math.Round(MemTotalKb() / 1048576.0, 1),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        ReadCommit(repositoryRoot));

    public override string ToString() =>
        $"{Cores} cores ({Cpu}), {MemoryGb.ToString("F1", CultureInfo.InvariantCulture)} GB, {Os}, {Dotnet}, commit {Commit}";

    private static string? ProcField(string file, string name)
    {
        try
        {
            return File.ReadLines(file).Where(l => l.StartsWith(name, StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':') + 1)..].Trim()).FirstOrDefault();
        }
        catch (IOException) { return null; }
    }

    private static double MemTotalKb()
    {
        var v = ProcField("/proc/meminfo", "MemTotal")?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return v is not null && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var kb) ? kb : double.NaN;
    }

    /// <summary>Short commit id, with "+changes" when the working tree differs from it.</summary>
    private static string ReadCommit(string root)
    {
        var head = Git(root, "rev-parse", "--short=12", "HEAD");
        if (head is null) return "unknown";
        var status = Git(root, "status", "--porcelain", "--untracked-files=no");
        return string.IsNullOrWhiteSpace(status) ? head : head + "+changes";
    }

    private static string? Git(string root, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) start.ArgumentList.Add(a);
            using var p = Process.Start(start)!;
            var output = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }
}

/// <summary>
/// The 1-minute load average, sampled through the run: the machine is shared with other builds, and a load above
/// the core count means the figures are upper bounds of times (lower bounds of rates) a quiet machine would give.
/// </summary>
public sealed class LoadSampler : IAsyncDisposable
{
    private readonly List<double> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoadSampler()
    {
        Start = Current();
        _loop = Task.Run(async () =>
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    lock (_samples) _samples.Add(Current());
                    await Task.Delay(TimeSpan.FromSeconds(5), _stop.Token);
                }
            }
            catch (OperationCanceledException) { }
        });
    }

    public double Start { get; }

    public double Max { get { lock (_samples) return _samples.Count == 0 ? Start : _samples.Max(); } }

    public double Mean { get { lock (_samples) return _samples.Count == 0 ? Start : Math.Round(_samples.Average(), 2); } }

    public static double Current()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException) { return double.NaN; }
    }

    /// <summary>The output of <c>uptime</c>, as a reader would check it.</summary>
    public static string Uptime()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("uptime") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return s;
        }
        catch (System.ComponentModel.Win32Exception) { return "uptime not available"; }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
