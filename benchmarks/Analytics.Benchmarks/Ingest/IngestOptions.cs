using System.Globalization;

namespace Analytics.Benchmarks.Ingest;

public sealed record IngestOptions
{
    public const string Usage =
        "ingest [--cases N] [--seconds S] [--out DIR] [--seed N] [--concurrency N] [--api PATH/Analytics.Api.dll] [--writer-cache MB]\n" +
        "         [--only in-process]   (pseudonymise + prepare + store in process: no service, nothing written under --out)\n" +
        "         [--database sqlite,postgres] [--nodes 1,2] [--postgres CONNECTION]   (compare databases and node counts; see DatabaseComparison)";

    /// <summary>Distinct generated cases; the HTTP phases cycle through them with fresh case references.</summary>
    public int Cases { get; init; } = 3000;

    /// <summary>Upper bound of each timed phase.</summary>
    public double Seconds { get; init; } = 10;

    public string Out { get; init; } = "docs/benchmarks";

    public int Seed { get; init; } = 42;

    /// <summary>Concurrent single-case workers.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>Explicit path of Analytics.Api.dll; found in the Release build output when absent.</summary>
    public string? Api { get; init; }

    /// <summary>Databases to compare (sqlite, postgres); null runs the single-database benchmark.</summary>
    public IReadOnlyList<string>? Databases { get; init; }

    /// <summary>Numbers of service processes sharing the database (PostgreSQL only beyond 1).</summary>
    public IReadOnlyList<int>? Nodes { get; init; }

    /// <summary>PostgreSQL server connection string (a fresh database is created on it per configuration).</summary>
    public string? Postgres { get; init; }

    /// <summary>Page cache of SQLite's writer connection, in MB, for the in-process store step and the service; null = the service's default.</summary>
    public int? WriterCacheMegabytes { get; init; }

    /// <summary>"in-process" runs only the in-process steps (a quick figure for pseudonymisation work); null runs everything.</summary>
    public string? Only { get; init; }

    public static IngestOptions Parse(string[] args)
    {
        var o = new IngestOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--cases" => o with { Cases = PositiveInt(Next(), "--cases") },
                "--seconds" => o with { Seconds = PositiveDouble(Next(), "--seconds") },
                "--out" => o with { Out = Next() },
                "--seed" => o with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--concurrency" => o with { Concurrency = PositiveInt(Next(), "--concurrency") },
                "--api" => o with { Api = Next() },
                "--database" => o with { Databases = List(Next(), "--database", d => d is "sqlite" or "postgres" ? d : throw new ArgumentException("--database takes sqlite and/or postgres.")) },
                "--nodes" => o with { Nodes = List(Next(), "--nodes", n => PositiveInt(n, "--nodes") is var v and <= 4 ? v : throw new ArgumentException("--nodes is at most 4.")) },
                "--postgres" => o with { Postgres = Next() },
                "--writer-cache" => o with { WriterCacheMegabytes = int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var mb) && mb is >= 0 and <= 4096 ? mb : throw new ArgumentException("--writer-cache takes 0 to 4096 (MB).") },
                "--only" => o with { Only = Next() is "in-process" ? "in-process" : throw new ArgumentException("--only takes in-process.") },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }
        if (o.Seconds > 20) throw new ArgumentException("--seconds is capped at 20 (each phase must stay short on a shared machine).");
        return o;
    }

    private static IReadOnlyList<T> List<T>(string s, string name, Func<string, T> parse)
    {
        var items = s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).Distinct().ToList();
        return items.Count > 0 ? items : throw new ArgumentException($"{name} needs at least one value.");
    }

    private static int PositiveInt(string s, string name) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive integer.");

    private static double PositiveDouble(string s, string name) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive number.");
}
