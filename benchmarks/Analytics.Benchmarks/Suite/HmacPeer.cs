using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Analytics.Core.Pseudonymisation;

namespace Analytics.Benchmarks.Suite;

/// <summary>HMAC-SHA256 rates at one input size: the platform's tokeniser, the bare .NET HMAC, and openssl.</summary>
public sealed record HmacResult(int InputBytes, double TokeniserPerSecond, double DotnetHmacPerSecond, double? OpensslPerSecond);

public sealed record HmacReport(IReadOnlyList<HmacResult> Sizes, string? OpensslVersion, string? OpensslCommand, string? OpensslProblem, double Seconds);

/// <summary>
/// The tokeniser's HMAC-SHA256 tokens per second next to <c>openssl speed -hmac sha256</c>, single thread, same
/// machine, same input sizes. openssl reports thousands of bytes per second per block size; a block is one MAC, so
/// MACs per second = rate × 1000 / block size.
/// </summary>
public static class HmacPeer
{
    public static readonly int[] InputSizes = [16, 64];

    public static async Task<HmacReport> RunAsync(double secondsPerSize, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var tokeniser = new Tokeniser(new KeyRing(new PseudonymisationKey("bench", RandomNumberGenerator.GetBytes(32))));
        var measured = new List<(int Size, double Tokens, double Macs)>();
        foreach (var size in InputSizes)
        {
            // Token hashes UTF-8 of type + "\n" + value: "phone\n" plus digits makes exactly `size` bytes.
            var value = new string('7', size - "phone\n".Length);
            if (Encoding.UTF8.GetByteCount("phone\n" + value) != size) throw new InvalidOperationException("input size mismatch");
            var tokens = Rate(() => tokeniser.Token(IdentifierTypes.Phone, value), secondsPerSize);
            using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, RandomNumberGenerator.GetBytes(32));
            var input = Encoding.UTF8.GetBytes("phone\n" + value);
            var mac = new byte[32];
            var macs = Rate(() => { hmac.AppendData(input); hmac.GetHashAndReset(mac); return mac; }, secondsPerSize);
            Console.WriteLine($"  {size,3} bytes: tokeniser {tokens:N0} tokens/s, .NET HMAC {macs:N0} MACs/s");
            measured.Add((size, tokens, macs));
        }

        var seconds = Math.Max(1, (int)Math.Round(secondsPerSize)).ToString(CultureInfo.InvariantCulture);
        var (version, problem) = await OpensslAsync(["version"], ct);
        Dictionary<int, double> openssl = [];
        foreach (var size in InputSizes)
        {
            if (problem is not null) break;
            var (output, speedProblem) = await OpensslAsync(["speed", "-seconds", seconds, "-bytes", size.ToString(CultureInfo.InvariantCulture), "-hmac", "sha256"], ct);
            problem = speedProblem;
            if (output is null) break;
            if (ParseSpeed(output, "hmac(sha256)").TryGetValue(size, out var kbps)) openssl[size] = kbps;
            else problem = $"openssl speed printed no hmac(sha256) figure for {size} bytes";
        }
        var command = $"openssl speed -seconds {seconds} -bytes {{{string.Join(',', InputSizes)}}} -hmac sha256";
        if (problem is not null) Console.WriteLine($"  openssl: {problem}");
        var results = measured.Select(m => new HmacResult(m.Size, Math.Round(m.Tokens), Math.Round(m.Macs),
            openssl.TryGetValue(m.Size, out var kbps) ? Math.Round(kbps * 1000 / m.Size) : null)).ToList();
        foreach (var r in results.Where(r => r.OpensslPerSecond is not null))
            Console.WriteLine($"  {r.InputBytes,3} bytes: openssl {r.OpensslPerSecond:N0} MACs/s");
        return new HmacReport(results, version?.Trim(), problem is null ? command : null, problem, Math.Round(clock.Elapsed.TotalSeconds, 1));
    }

    /// <summary>
    /// Operations per second of user CPU time of <paramref name="op"/> on this thread over about <paramref name="seconds"/>
    /// of wall time. CPU time because that is what <c>openssl speed</c> divides by (unless given -elapsed), and because
    /// on a shared machine wall time mostly measures the other work.
    /// </summary>
    private static double Rate<T>(Func<T> op, double seconds)
    {
        for (var i = 0; i < 20_000; i++) op(); // JIT and caches
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.UserProcessorTime;
        var clock = Stopwatch.StartNew();
        long n = 0;
        var limit = TimeSpan.FromSeconds(seconds);
        while (clock.Elapsed < limit)
        {
            for (var i = 0; i < 1_000; i++) op();
            n += 1_000;
        }
        self.Refresh();
        var cpu = (self.UserProcessorTime - cpuBefore).TotalSeconds;
        return n / Math.Max(cpu, 1e-3);
    }

    private static async Task<(string? Output, string? Problem)> OpensslAsync(IEnumerable<string> args, CancellationToken ct)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (null, "openssl is not installed on this machine (apt-get install openssl); no peer figure");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            var output = await stdout + "\n" + await stderr;
            return process.ExitCode == 0 ? (output, null) : (null, $"openssl {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {FirstLine(await stderr)}");
        }
    }

    private static string FirstLine(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";

    /// <summary>
    /// Block size → thousands of bytes per second, from the table <c>openssl speed</c> prints:
    /// a "type  16 bytes  64 bytes …" header and a row such as "hmac(sha256)  36238.25k  133200.00k …".
    /// </summary>
    public static Dictionary<int, double> ParseSpeed(string output, string algorithm)
    {
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var header = lines.LastOrDefault(l => l.StartsWith("type", StringComparison.Ordinal) && l.Contains("bytes", StringComparison.Ordinal));
        var row = lines.LastOrDefault(l => l.StartsWith(algorithm + " ", StringComparison.Ordinal));
        if (header is null || row is null) return [];
        var sizes = header[4..].Split("bytes", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : -1).ToList();
        var values = row[algorithm.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => double.TryParse(v.TrimEnd('k'), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && v.EndsWith('k') ? d : double.NaN).ToList();
        var result = new Dictionary<int, double>();
        for (var i = 0; i < Math.Min(sizes.Count, values.Count); i++)
            if (sizes[i] > 0 && !double.IsNaN(values[i])) result[sizes[i]] = values[i];
        return result;
    }
}
