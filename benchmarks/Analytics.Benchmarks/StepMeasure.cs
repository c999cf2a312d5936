using System.Diagnostics;
using System.Globalization;

namespace Analytics.Benchmarks;

/// <summary>What one timed step cost: wall and processor time (the whole process), memory allocated, and the process's peak.</summary>
public sealed record StepCost(double Seconds, double CpuSeconds, double AllocatedMb, double? PeakMb, bool PeakReset);

/// <summary>A named step as a report lists it: what it cost (<see cref="StepCost"/>) and what it said it did.</summary>
public sealed record TimedStep(string Name, double Seconds, double CpuSeconds, double AllocatedMb, double? PeakMb, bool PeakReset, string Detail);

/// <summary>Times one step of a benchmark command in this process, and the few argument and path helpers the commands share.</summary>
public static class StepMeasure
{
    /// <summary>Runs and times a step that says what it did (<see cref="RunAsync{T}"/>), and prints one line for it.</summary>
    public static async Task<TimedStep> TimeAsync(string name, Func<Task<string>> step, int nameWidth = 28)
    {
        var (detail, cost) = await RunAsync(step);
        var run = new TimedStep(name, cost.Seconds, cost.CpuSeconds, cost.AllocatedMb, cost.PeakMb, cost.PeakReset, detail);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name.PadRight(nameWidth)} {cost.Seconds,8:F3} s  cpu {cost.CpuSeconds,7:F3} s  allocated {cost.AllocatedMb,7:N0} MB  peak {(run.PeakMb is { } p ? $"{p:N0} MB" : "n/a")}  {detail}"));
        return run;
    }

    /// <summary>
    /// Runs <paramref name="step"/> after a full collection, with the peak resident size reset first where Linux allows it,
    /// so that the peak is the step's own over what the process already held.
    /// </summary>
    public static async Task<(T Result, StepCost Cost)> RunAsync<T>(Func<Task<T>> step)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var peakReset = ResetPeak();
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(true);
        var watch = Stopwatch.StartNew();
        var result = await step();
        var seconds = watch.Elapsed.TotalSeconds;
        var allocatedMb = (GC.GetTotalAllocatedBytes(true) - allocated) / 1048576.0;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
        var peak = PeakMb();
        return (result, new StepCost(Math.Round(seconds, 3), Math.Round(cpuSeconds, 3), Math.Round(allocatedMb, 1),
            peak is { } p ? Math.Round(p, 1) : null, peakReset));
    }

    /// <summary>Resets VmHWM to the current resident size (Linux: "5" to /proc/self/clear_refs); false where that is not possible.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>The process's peak resident size (VmHWM) in MB, or null where /proc is not there.</summary>
    public static double? PeakMb()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return kb is not null ? double.Parse(kb, CultureInfo.InvariantCulture) / 1024 : null;
        }
        catch (IOException) { return null; }
    }

    /// <summary>The folder holding Analytics.sln, from the working directory or the binary's, or null.</summary>
    public static string? RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Analytics.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>The value after <paramref name="name"/> in the arguments, or null.</summary>
    public static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The integer after <paramref name="name"/>, or <paramref name="fallback"/>; an ArgumentException naming the option for a bad one.</summary>
    public static int Int(string[] args, string name, int fallback) => Arg(args, name) switch
    {
        null => fallback,
        var value when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        var value => throw new ArgumentException($"{name} takes a whole number, not '{value}'."),
    };
}
