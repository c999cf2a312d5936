using Analytics.Core.Cases;

namespace Analytics.Core.Privacy;

/// <summary>The quasi-identifiers of one victim record; a missing value is its own value, <see cref="Unknown"/>.</summary>
public sealed record QuasiIdentifiers(string AgeBand, string Gender, string Citizenship, string ExploitationCountry, string Year)
{
    public const string Unknown = "unknown";

    public static readonly IReadOnlyList<string> Names = ["ageBand", "gender", "citizenship", "exploitationCountry", "year"];

    /// <summary>One record per victim: the victim's age band, gender and citizenship, the case's first country of exploitation and first year.</summary>
    public static IEnumerable<QuasiIdentifiers> Of(CaseProfile profile)
    {
        var country = Value(profile.ExploitationCountries.FirstOrDefault());
        var year = profile.PeriodFrom is { Length: >= 4 } from ? from[..4] : Unknown;
        return profile.Victims.Select(v => new QuasiIdentifiers(Value(v.AgeBand), Value(v.Gender), Value(v.Citizenship), country, year));
    }

    private static string Value(string? value) => string.IsNullOrWhiteSpace(value) ? Unknown : value;
}

/// <param name="Threshold">The individual risk above which a record counts as at risk (1/k).</param>
/// <param name="HighestRisk">1 / size of the smallest equivalence class.</param>
/// <param name="AverageRisk">Mean of 1/class size over records = classes / records.</param>
/// <param name="RecordsAtRisk">Share of records whose risk exceeds the threshold (records in classes smaller than k).</param>
public sealed record RiskModel(double Threshold, double HighestRisk, double AverageRisk, double RecordsAtRisk);

/// <param name="Size">The bucket of class sizes: "1", "2-4", "5-9" or "10+".</param>
public sealed record ClassSizeBucket(string Size, int Classes, long Records);

public sealed record RiskSummary(
    int K,
    long Records,
    int Classes,
    int SmallestClassSize,
    int KAchieved,
    bool SatisfiesK,
    int ClassesBelowK,
    long RecordsBelowK,
    double ShareOfRecordsBelowK,
    RiskModel Prosecutor,
    RiskModel Journalist,
    double MarketerRisk,
    IReadOnlyList<ClassSizeBucket> ClassSizes);

/// <summary>
/// k-anonymity and re-identification risk over equivalence classes of quasi-identifiers, with ARX's definitions.
/// Without a population table the journalist model is computed on the sample, where it equals the prosecutor model.
/// Only aggregate numbers leave this class; the classes themselves are never returned.
/// </summary>
public sealed class ReidentificationRisk
{
    private readonly Dictionary<QuasiIdentifiers, int> _classes = [];

    public long Records { get; private set; }

    public void Add(QuasiIdentifiers record)
    {
        _classes[record] = _classes.GetValueOrDefault(record) + 1;
        Records++;
    }

    public void AddRange(IEnumerable<QuasiIdentifiers> records)
    {
        foreach (var record in records) Add(record);
    }

    public RiskSummary Summarise(int k) => Summarise(_classes.Values.ToList(), k);

    public static RiskSummary Summarise(IReadOnlyCollection<int> classSizes, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        long records = classSizes.Sum(s => (long)s);
        var classes = classSizes.Count;
        var smallest = classes == 0 ? 0 : classSizes.Min();
        var below = classSizes.Where(s => s < k).ToList();
        long recordsBelow = below.Sum(s => (long)s);
        var shareBelow = records == 0 ? 0 : (double)recordsBelow / records;
        var prosecutor = new RiskModel(
            Threshold: 1.0 / k,
            HighestRisk: smallest == 0 ? 0 : 1.0 / smallest,
            AverageRisk: records == 0 ? 0 : (double)classes / records,
            RecordsAtRisk: shareBelow);
        return new RiskSummary(
            k, records, classes, smallest, smallest, records > 0 && smallest >= k, below.Count, recordsBelow, shareBelow,
            prosecutor, prosecutor, records == 0 ? 0 : (double)classes / records, Buckets(classSizes));
    }

    private static IReadOnlyList<ClassSizeBucket> Buckets(IReadOnlyCollection<int> sizes)
    {
        (string Label, int From, int To)[] buckets = [("1", 1, 1), ("2-4", 2, 4), ("5-9", 5, 9), ("10+", 10, int.MaxValue)];
        return buckets.Select(b =>
        {
            var inBucket = sizes.Where(s => s >= b.From && s <= b.To).ToList();
            return new ClassSizeBucket(b.Label, inBucket.Count, inBucket.Sum(s => (long)s));
        }).ToList();
    }
}
