using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Analytics.Cli.Import;
using Analytics.Core.Cases;
using Analytics.Core.Ctdc;
using Analytics.Core.Pseudonymisation;
using Analytics.Learning.Classification;
using Analytics.Learning.Patterns;

namespace Analytics.Cli.Report;

public sealed record CtdcReportOptions
{
    /// <summary>Seed of pattern discovery and of the classifiers' split.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Disclosure threshold: counts below it are printed as "&lt; threshold", smaller patterns are left out.</summary>
    public int Threshold { get; init; } = 10;

    /// <summary>The command line printed at the top of the report.</summary>
    public string Command { get; init; } = "";
}

/// <summary>
/// Patterns and classifier quality on a CTDC file, computed in memory: rows → <see cref="CtdcMapper"/> → pseudonymised with
/// a throwaway random key → <see cref="CaseProfile"/> → <see cref="PatternDiscovery"/> and <see cref="ClassifierTraining"/>.
/// The Markdown holds aggregates only: every count below the threshold is printed as "&lt; 10" and patterns smaller than the
/// threshold are left out.
/// </summary>
public static partial class CtdcReport
{
    /// <summary>Hands each phase to the callback on the reporting thread, in order (<see cref="Progress{T}"/> would post it to the thread pool).</summary>
    private sealed class PhaseLines(Action<string> write) : IProgress<string>
    {
        public void Report(string value) => write(value);
    }

    private const string Empty = "(empty)";
    private const string NotKnown = "(not a known value)";

    private sealed class Tally
    {
        public Dictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);
        public void Add(string key) => Counts[key] = Counts.GetValueOrDefault(key) + 1;
        public IEnumerable<KeyValuePair<string, int>> Ordered() =>
            Counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal);
    }

    /// <summary>
    /// Builds the report; <paramref name="progress"/> receives one line per finished step, and, indented, the phases of the
    /// long steps (pattern discovery and the two classifiers) as they start.
    /// </summary>
    /// <exception cref="ImportFileException">The file is not a CTDC layout, or not text.</exception>
    public static string Build(TextReader reader, string fileName, CtdcReportOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        var timings = new List<(string Step, double Seconds)>();
        var total = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        void Done(string step)
        {
            timings.Add((step, clock.Elapsed.TotalSeconds));
            progress?.Invoke($"{step}: {clock.Elapsed.TotalSeconds:F1} s");
            clock.Restart();
        }
        IProgress<string>? Phases(string step) => progress is null ? null : new PhaseLines(line => progress($"  {step}: {line}"));

        // 1. Read and map.
        var header = CtdcImporter.ReadHeader(reader, fileName, out var rows);
        var dataSourceColumn = IndexOf(header, "Datasource");
        var ageColumn = IndexOf(header, "ageBroad");
        var countryColumn = IndexOf(header, "CountryOfExploitation");
        int read = 0, rejectedRows = 0;
        var reasons = new Tally();
        var notes = new Tally();
        var sourceAll = new Tally();
        var sourceMapped = new Tally();
        var ageAll = new Tally();
        var countryAll = new Tally();
        var submissions = new List<CaseSubmission>();
        foreach (var (row, fields) in rows)
        {
            read++;
            // Only values that are codes are tallied, as the mapper reads them: a cell out of place (a name, a phone
            // number) is counted under one fixed label and never written to the report.
            string Known(int i, Func<string, string?> code) =>
                i < 0 || i >= fields.Length || string.IsNullOrWhiteSpace(fields[i]) ? Empty : code(fields[i]) ?? NotKnown;
            var source = Known(dataSourceColumn, CtdcMapper.KnownDataSource);
            sourceAll.Add(source);
            ageAll.Add(Known(ageColumn, CtdcMapper.KnownAgeBand));
            countryAll.Add(Known(countryColumn, c => CtdcMapper.KnownCountry(c, header.Format)));
            var mapped = CtdcMapper.Map(fields, header, row);
            if (mapped.Case is null)
            {
                rejectedRows++;
                foreach (var r in mapped.Reasons)
                    reasons.Add(RowPrefix().Replace(r, ""));
                continue;
            }
            foreach (var n in mapped.Notes)
                notes.Add(RowPrefix().Replace(n, ""));
            sourceMapped.Add(source);
            submissions.Add(mapped.Case);
        }
        Done("read and map");

        // 2. Pseudonymise in memory with a key that is never stored, then keep the categorical profile only.
        var pseudonymiser = new CasePseudonymiser(new KeyRing(new PseudonymisationKey("report-throwaway", RandomNumberGenerator.GetBytes(32))));
        var reference = DateOnly.FromDateTime(DateTime.UtcNow);
        var profiles = submissions.Select(s => CaseProfile.From(pseudonymiser.Pseudonymise(s, reference).Record)).ToList();
        submissions.Clear();
        Done("pseudonymise and profile");

        // 3. Patterns.
        PatternDiscoveryResult? patterns = null;
        string? patternError = null;
        try { patterns = PatternDiscovery.Discover(profiles, new PatternDiscoveryOptions { Seed = options.Seed, SuppressionThreshold = options.Threshold }, Phases("pattern discovery")); }
        catch (ArgumentException e) { patternError = e.Message; }
        Done("pattern discovery");

        // 4. Classifiers.
        var classifierOptions = new ClassifierOptions { Seed = options.Seed };
        (CaseClassifier? Model, string? Error) Train(string step, Func<IReadOnlyList<CaseProfile>, ClassifierOptions, IProgress<string>?, CaseClassifier> train)
        {
            try { return (train(profiles, classifierOptions, Phases(step)), null); }
            catch (ArgumentException e) { return (null, e.Message); }
        }
        var exploitation = Train("exploitation-type classifier", ClassifierTraining.TrainExploitationType);
        Done("exploitation-type classifier");
        var child = Train("child-victim classifier", ClassifierTraining.TrainChildVictim);
        Done("child-victim classifier");

        // 5. Write.
        var t = options.Threshold;
        string N(long n) => n < t ? $"< {t}" : n.ToString("N0", CultureInfo.InvariantCulture);
        string Share(long n, long of) => n < t || of == 0 ? "–" : (n / (double)of).ToString("P1", CultureInfo.InvariantCulture);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# CTDC report: patterns and classifier quality");
        md.AppendLine();
        md.AppendLine("```");
        md.AppendLine(options.Command);
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"""
            Source: Counter-Trafficking Data Collaborative (CTDC), file `{fileName}` (layout {header.Format}). Rows are mapped with
            `CtdcMapper` (data-schemas/mappings/ctdc.md), pseudonymised in memory with a throwaway random key, reduced to case profiles
            and analysed with the platform's pattern discovery (k-means, automatic k, seed {options.Seed}) and FastTree classifiers
            (held-out stratified 20 % split, seed {options.Seed}). Disclosure control: every count below {t} is shown as "< {t}",
            shares of such counts as "–", and patterns with fewer than {t} cases are left out.
            """);
        md.AppendLine();

        md.AppendLine("## Data overview");
        md.AppendLine();
        md.AppendLine("| | cases |");
        md.AppendLine("|---|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| rows read | {N(read)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| mapped to cases | {N(profiles.Count)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| rejected | {N(rejectedRows)} |");
        md.AppendLine();
        if (reasons.Counts.Count > 0)
        {
            md.AppendLine("Rejected rows by reason (a row can have several reasons):");
            md.AppendLine();
            md.AppendLine("| reason | cases |");
            md.AppendLine("|---|---:|");
            foreach (var (reason, count) in reasons.Ordered().Take(15))
                md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(reason)} | {N(count)} |");
            if (reasons.Counts.Count > 15)
                md.AppendLine(CultureInfo.InvariantCulture, $"| {reasons.Counts.Count - 15} other reasons | {N(reasons.Ordered().Skip(15).Sum(kv => kv.Value))} |");
            md.AppendLine();
        }
        if (notes.Counts.Count > 0)
        {
            md.AppendLine("Notes on mapped rows:");
            md.AppendLine();
            md.AppendLine("| note | cases |");
            md.AppendLine("|---|---:|");
            foreach (var (note, count) in notes.Ordered())
                md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(note)} | {N(count)} |");
            md.AppendLine();
        }

        md.AppendLine("## Skews of the data");
        md.AppendLine();
        md.AppendLine("CTDC pools what its partners record; it is not a sample of trafficking. Whatever dominates the sources dominates the patterns.");
        md.AppendLine();
        md.AppendLine("| data source | cases (all rows) | share | cases (mapped) | share |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var (source, count) in sourceAll.Ordered())
        {
            var m = sourceMapped.Counts.GetValueOrDefault(source);
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(source)} | {N(count)} | {Share(count, read)} | {N(m)} | {Share(m, profiles.Count)} |");
        }
        md.AppendLine();
        md.AppendLine("| country of exploitation (all rows) | cases | share |");
        md.AppendLine("|---|---:|---:|");
        var countries = countryAll.Ordered().ToList();
        foreach (var (country, count) in countries.Take(10))
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(country)} | {N(count)} | {Share(count, read)} |");
        if (countries.Count > 10)
        {
            var rest = countries.Skip(10).Sum(kv => kv.Value);
            md.AppendLine(CultureInfo.InvariantCulture, $"| {countries.Count - 10} other countries | {N(rest)} | {Share(rest, read)} |");
        }
        md.AppendLine();
        var ageMissing = ageAll.Counts.GetValueOrDefault(Empty);
        var minors917 = ageAll.Counts.GetValueOrDefault("9-17");
        var profileAgeUnknown = profiles.Count(p => p.Victims.All(v => v.AgeBand is null));
        md.AppendLine(CultureInfo.InvariantCulture, $"""
            Age: `ageBroad` is empty in {N(ageMissing)} cases ({Share(ageMissing, read)} of rows read) and is `9--17` in {N(minors917)} more,
            which the mapping cannot place in one child band and leaves empty. After mapping, {N(profileAgeUnknown)} of {N(profiles.Count)} cases
            ({Share(profileAgeUnknown, profiles.Count)}) have no age band, so "child victim" below means "0–8" only and is known for few cases.
            """);
        md.AppendLine();

        md.AppendLine("## Patterns");
        md.AppendLine();
        if (patterns is null)
            md.AppendLine(CultureInfo.InvariantCulture, $"Pattern discovery did not run: {patternError}");
        else
            WritePatterns(md, patterns, N, t);
        md.AppendLine();

        md.AppendLine("## Classifiers (held-out split)");
        md.AppendLine();
        WriteClassifier(md, "Primary exploitation type (FastTree one-versus-all)", exploitation, N);
        WriteClassifier(md, "Child victim, any victim aged 0–8 (binary FastTree)", child, N);

        md.AppendLine("## Time per step");
        md.AppendLine();
        md.AppendLine("| step | seconds |");
        md.AppendLine("|---|---:|");
        foreach (var (step, seconds) in timings)
            md.AppendLine(CultureInfo.InvariantCulture, $"| {step} | {seconds:F1} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| total | {total.Elapsed.TotalSeconds:F1} |");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}. Times vary from run to run; the aggregates do not (fixed seeds).");
        return md.ToString();
    }

    private static void WritePatterns(StringBuilder md, PatternDiscoveryResult result, Func<long, string> n, int threshold)
    {
        var model = result.Model;
        var released = model.Patterns.Where(p => !p.Suppressed && p.Profile is { } pr && pr.Size >= threshold).ToList();
        md.AppendLine(CultureInfo.InvariantCulture, $"""
            k = {model.K} patterns chosen from k = {result.KScores.Min(s => s.K)}…{result.KScores.Max(s => s.K)} by mean silhouette
            (ties within 0.005 broken by the lower Davies–Bouldin index); silhouette {model.Silhouette:F3}, Davies–Bouldin {model.DaviesBouldin:F3}.
            {released.Count} patterns are shown; {model.K - released.Count} have fewer than {threshold} cases and are left out.
            """);
        md.AppendLine();
        md.AppendLine("| k | silhouette | Davies–Bouldin |");
        md.AppendLine("|---:|---:|---:|");
        foreach (var s in result.KScores)
            md.AppendLine(CultureInfo.InvariantCulture, $"| {s.K}{(s.K == model.K ? " (chosen)" : "")} | {s.Silhouette:F3} | {s.DaviesBouldin:F3} |");
        md.AppendLine();
        foreach (var p in released.OrderByDescending(p => p.Profile!.Size).ThenBy(p => p.Id))
        {
            var pr = p.Profile!;
            md.AppendLine(CultureInfo.InvariantCulture, $"### Pattern {p.Id}: {pr.Label}");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"{n(pr.Size)} cases; registered {pr.FirstSeen ?? "?"} to {pr.LastSeen ?? "?"}.");
            md.AppendLine();
            // An attribute held by fewer than threshold cases of the pattern is left out: its share would give the count away.
            var attributes = pr.Attributes.Where(a => Math.Round(a.ShareInPattern * pr.Size) >= threshold).ToList();
            if (attributes.Count > 0)
            {
                md.AppendLine("| attribute | share in pattern | share overall | lift |");
                md.AppendLine("|---|---:|---:|---:|");
                foreach (var a in attributes)
                    md.AppendLine(CultureInfo.InvariantCulture, $"| `{a.Feature}` | {a.ShareInPattern:P1} | {a.ShareOverall:P1} | {a.Lift:F2} |");
                md.AppendLine();
            }
            var shown = pr.Jurisdictions.Take(8).Select(j => $"{j.Jurisdiction} {n(j.Cases)} cases").ToList();
            var others = pr.Jurisdictions.Skip(8).ToList();
            if (others.Count > 0)
                shown.Add($"{others.Count} other jurisdictions {n(others.Sum(j => j.Cases))} cases");
            md.AppendLine(CultureInfo.InvariantCulture, $"Jurisdictions (country of exploitation): {string.Join("; ", shown)}.");
            md.AppendLine();
        }
    }

    private static void WriteClassifier(StringBuilder md, string title, (CaseClassifier? Model, string? Error) trained, Func<long, string> n)
    {
        md.AppendLine(CultureInfo.InvariantCulture, $"### {title}");
        md.AppendLine();
        if (trained.Model is not { } model)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Not trained: {trained.Error}");
            md.AppendLine();
            return;
        }
        var m = model.Metrics;
        md.AppendLine(CultureInfo.InvariantCulture, $"""
            Macro-F1 **{m.MacroF1:F3}**, accuracy {m.Accuracy:F3}; trained on {n(m.TrainCount)} cases, tested on {n(m.TestCount)} cases;
            {model.Features.Count} features (columns that encode the answer are left out).
            """);
        md.AppendLine();
        md.AppendLine("| class | test cases | AUC (one vs rest) |");
        md.AppendLine("|---|---:|---:|");
        for (var c = 0; c < m.Classes.Count; c++)
        {
            var support = m.Confusion[c].Sum();
            var auc = m.Auc.TryGetValue(m.Classes[c], out var a) ? a.ToString("F3", CultureInfo.InvariantCulture) : "–";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {m.Classes[c]} | {n(support)} | {auc} |");
        }
        md.AppendLine();
        md.AppendLine("Confusion matrix (rows: actual, columns: predicted; test cases):");
        md.AppendLine();
        md.AppendLine("| actual \\ predicted | " + string.Join(" | ", m.Classes) + " |");
        md.AppendLine("|---|" + string.Concat(m.Classes.Select(_ => "---:|")));
        for (var c = 0; c < m.Classes.Count; c++)
            md.AppendLine(CultureInfo.InvariantCulture, $"| {m.Classes[c]} | {string.Join(" | ", m.Confusion[c].Select(x => n(x)))} |");
        md.AppendLine();
        if (model.Indicators.Count > 0)
        {
            md.AppendLine("Top indicators (permutation importance on the test set):");
            md.AppendLine();
            md.AppendLine("| feature | macro-F1 drop | probability drop |");
            md.AppendLine("|---|---:|---:|");
            foreach (var i in model.Indicators)
                md.AppendLine(CultureInfo.InvariantCulture, $"| `{i.Feature}` | {i.MacroF1Drop:F4} | {i.ProbabilityDrop:F4} |");
            md.AppendLine();
        }
    }

    private static int IndexOf(CtdcHeader header, string column)
    {
        for (var i = 0; i < header.Columns.Count; i++)
            if (string.Equals(header.Columns[i], column, StringComparison.OrdinalIgnoreCase))
                return i;
        return -1;
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    [GeneratedRegex(@"^row \d+: ")]
    private static partial Regex RowPrefix();
}
