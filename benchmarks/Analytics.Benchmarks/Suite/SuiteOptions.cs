using System.Globalization;
using Analytics.Benchmarks.Training;

namespace Analytics.Benchmarks.Suite;

/// <summary>Options of <c>all</c>: which parts run, at what sizes, and where the combined report goes.</summary>
public sealed record SuiteOptions
{
    public const string Usage =
        "all [--quick] [--sizes 10k,100k[,1m]] [--query-cases 10000] [--parts hmac,ingest,queries,training] [--budget-scale 1] [--out docs/benchmarks]";

    public static readonly string[] AllParts = ["hmac", "ingest", "queries", "training"];

    /// <summary>Short phases and small sizes: checks that every part runs, in about two minutes; figures are rough.</summary>
    public bool Quick { get; init; }

    /// <summary>Training sizes. 1M is opt-in: its budget, sized for a busy machine, does not fit the suite's ten-minute target.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [10_000, 100_000];

    /// <summary>Cases the query benchmark's service loads before it is queried.</summary>
    public int QueryCases { get; init; } = 10_000;

    public IReadOnlyList<string> Parts { get; init; } = AllParts;

    public string Out { get; init; } = "docs/benchmarks";

    /// <summary>Multiplies every part's budget: for a machine much busier or slower than the one the budgets were set on.</summary>
    public double BudgetScale { get; init; } = 1;

    public static SuiteOptions Parse(string[] args)
    {
        var o = new SuiteOptions();
        var sizesGiven = false;
        var casesGiven = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--quick":
                    o = o with { Quick = true };
                    break;
                case "--sizes":
                    o = o with { Sizes = ParseList(Next()).Select(ParseSize).ToList() };
                    sizesGiven = true;
                    break;
                case "--query-cases":
                    o = o with { QueryCases = ParseSize(Next()) };
                    casesGiven = true;
                    break;
                case "--parts":
                    var parts = ParseList(Next());
                    var unknown = parts.Except(AllParts).ToList();
                    if (unknown.Count > 0) throw new ArgumentException($"Unknown part(s) {string.Join(", ", unknown)}; parts are {string.Join(", ", AllParts)}.");
                    o = o with { Parts = AllParts.Where(parts.Contains).ToList() };
                    break;
                case "--budget-scale":
                    var scaleText = Next();
                    o = o with
                    {
                        BudgetScale = double.TryParse(scaleText, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) && scale > 0
                            ? scale : throw new ArgumentException("--budget-scale must be a positive number."),
                    };
                    break;
                case "--out":
                    o = o with { Out = Next() };
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }
        if (o.Parts.Count == 0) throw new ArgumentException("--parts names no part.");
        if (o.Quick && !sizesGiven) o = o with { Sizes = [10_000] };
        if (o.Quick && !casesGiven) o = o with { QueryCases = 3_000 };
        return o;
    }

    private static List<string> ParseList(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToList();

    private static int ParseSize(string text)
    {
        try
        {
            var n = TrainingBenchmark.ParseSize(text);
            return n >= 100 ? n : throw new ArgumentException($"Size '{text}' is below 100.");
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArgumentException($"'{text}' is not a size (e.g. 10k, 100k, 1m).");
        }
    }

    /// <summary>"10k", "1M", "2500".</summary>
    public static string SizeText(int n) =>
        n % 1_000_000 == 0 ? $"{n / 1_000_000}M" : n % 1_000 == 0 ? $"{n / 1_000}k" : n.ToString(CultureInfo.InvariantCulture);
}
