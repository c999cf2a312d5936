using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Analytics.Core.Tests.Pseudonymisation;

// CPU time of the calling thread, so that other processes and background threads (JIT, GC) on a shared
// machine do not count against the code under test. Falls back to process CPU time off Linux.
internal static class ThreadCpu
{
    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    public static TimeSpan Now()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTime, out var t) == 0)
            return TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100);
        return Process.GetCurrentProcess().TotalProcessorTime;
    }
}
