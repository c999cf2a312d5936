using System.Globalization;
using System.Text.Json;
using Analytics.Benchmarks.Suite;
using Microsoft.Data.Sqlite;

namespace Analytics.Benchmarks;

/// <summary>
/// The frame of a benchmark command that measures in this process and writes a report: its options read with the usage
/// printed on a bad one, a work directory (kept when <c>--work</c> names it, otherwise temporary and deleted at the end),
/// the command line, the machine, the start and the load before, and the report pair written into <c>--out</c>.
/// </summary>
public sealed class BenchRun
{
    private readonly bool _kept;

    private BenchRun(string name, string[] args)
    {
        var keep = StepMeasure.Arg(args, "--work");
        _kept = keep is not null;
        OutDir = StepMeasure.Arg(args, "--out") ?? "docs/benchmarks";
        Work = keep is null ? Directory.CreateTempSubdirectory($"analytics-{name}-").FullName : Directory.CreateDirectory(keep).FullName;
        Command = $"dotnet run -c Release --project benchmarks/Analytics.Benchmarks -- {name} " + string.Join(' ', args);
        Machine = MachineInfo.Read(StepMeasure.RepositoryRoot() ?? Directory.GetCurrentDirectory());
        Started = DateTime.UtcNow;
        LoadBefore = LoadSampler.Uptime();
    }

    public string OutDir { get; }
    public string Work { get; }
    public string Command { get; }
    public MachineInfo Machine { get; }
    public DateTime Started { get; }
    public string LoadBefore { get; }

    /// <summary><see cref="Started"/> as the reports' JSON gives it.</summary>
    public string StartedText => Started.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The options <paramref name="read"/> gives, or false after printing its error and <paramref name="usage"/>: an
    /// ArgumentException names the bad option (<see cref="StepMeasure.Int"/> throws one for a bad number).
    /// </summary>
    public static bool TryOptions<T>(string usage, Func<T> read, out T options)
    {
        try
        {
            options = read();
            return true;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(usage);
            options = default!;
            return false;
        }
    }

    public static BenchRun Begin(string name, string[] args) => new(name, args);

    /// <summary>Writes <paramref name="name"/>.md and <paramref name="name"/>.json (indented) into <see cref="OutDir"/>.</summary>
    public async Task WriteReportsAsync(string name, string markdown, object json, CancellationToken ct)
    {
        Directory.CreateDirectory(OutDir);
        await File.WriteAllTextAsync(Path.Combine(OutDir, name + ".md"), markdown, ct);
        await File.WriteAllTextAsync(Path.Combine(OutDir, name + ".json"), JsonSerializer.Serialize(json, Indented) + "\n", ct);
    }

    /// <summary>Closes pooled SQLite handles and deletes a temporary work directory.</summary>
    public void End()
    {
        SqliteConnection.ClearAllPools();
        if (_kept) return;
        try { Directory.Delete(Work, recursive: true); } catch (IOException) { }
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
