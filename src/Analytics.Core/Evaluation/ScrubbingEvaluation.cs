using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Analytics.Core.Pseudonymisation;

namespace Analytics.Core.Evaluation;

/// <summary>A span the scrubber replaced.</summary>
public sealed record DetectedSpan(int Start, int End, string Type);

/// <summary>
/// Scores of one identifier type. An annotated span is found (TP) when any scrubbed span overlaps it, whatever type
/// the scrubber gave it: it no longer appears in clear. A scrubbed span is a false hit (FP) when it overlaps no
/// annotated span. Precision = (hits − false hits) / hits, recall = found / spans.
/// </summary>
/// <param name="Type">Identifier type.</param>
/// <param name="Spans">Annotated occurrences.</param>
/// <param name="Found">Occurrences overlapped by a scrubbed span (true positives).</param>
/// <param name="Missed">Occurrences left in clear (false negatives).</param>
/// <param name="FoundAsType">Occurrences overlapped by a scrubbed span of the same type.</param>
/// <param name="FullyCovered">Occurrences whose every letter and digit was scrubbed.</param>
/// <param name="Hits">Scrubbed spans of this type.</param>
/// <param name="FalseHits">Scrubbed spans of this type overlapping no annotated span (false positives).</param>
/// <param name="RecallGoal">The recall this type should reach.</param>
/// <param name="PrecisionGoal">The precision this type should reach.</param>
public sealed record TypeScore(string Type, int Spans, int Found, int Missed, int FoundAsType, int FullyCovered, int Hits, int FalseHits,
    double RecallGoal, double PrecisionGoal)
{
    public double? Precision => Hits == 0 ? null : (double)(Hits - FalseHits) / Hits;
    public double? Recall => Spans == 0 ? null : (double)Found / Spans;
    public double? F1 => Precision is { } p && Recall is { } r ? (p + r == 0 ? 0 : 2 * p * r / (p + r)) : null;
    public bool? MeetsRecall => Recall is { } r ? r >= RecallGoal : null;
    public bool? MeetsPrecision => Precision is { } p ? p >= PrecisionGoal : null;
}

/// <summary>Recall of one way of writing one type, given in the structured part or not.</summary>
public sealed record VariantScore(string Type, string Variant, bool Known, int Spans, int Found, int FullyCovered)
{
    public double Recall => Spans == 0 ? 0 : (double)Found / Spans;
}

/// <summary>How often one kind of look-alike (amount, year, common word, …) was scrubbed.</summary>
public sealed record NegativeScore(string Kind, int Spans, int Scrubbed);

/// <summary>An annotated span left in clear, or a false hit, with some context (the corpus is synthetic).</summary>
public sealed record ScrubbingExample(int Sample, string Type, string Variant, string Text, string Context);

/// <summary>The outcome of one evaluation run.</summary>
public sealed record ScrubbingReport(
    int Samples, int? Seed, double PrecisionGoal, IReadOnlyList<TypeScore> Types, TypeScore Overall,
    IReadOnlyList<VariantScore> Variants, IReadOnlyList<NegativeScore> Negatives)
{
    /// <summary>Examples of missed spans (for reading, not written to the JSON report).</summary>
    [JsonIgnore] public IReadOnlyList<ScrubbingExample> Misses { get; init; } = [];

    /// <summary>Examples of false hits (for reading, not written to the JSON report).</summary>
    [JsonIgnore] public IReadOnlyList<ScrubbingExample> FalseHitExamples { get; init; } = [];

    /// <summary>True when every type meets its recall and precision goals and the overall precision meets its goal.</summary>
    public bool MeetsGoals => Types.All(t => t.MeetsRecall != false && t.MeetsPrecision != false) && Overall.MeetsPrecision != false;
}

/// <summary>Measures <see cref="TextScrubber"/> on a labelled corpus: precision, recall and F1 per identifier type.</summary>
public static class ScrubbingEvaluation
{
    /// <summary>Recall goal for names (the scrubber only knows them from the structured part).</summary>
    public const double NameRecallGoal = 0.95;

    /// <summary>Recall goal for checksummed and structured types.</summary>
    public const double StructuredRecallGoal = 0.99;

    /// <summary>Precision goal for every type.</summary>
    public const double PrecisionGoal = 0.95;

    private const int MaxExamples = 500;

    /// <summary>Recall goal for cities and street addresses (found from a gazetteer and street patterns, without checksums).</summary>
    public const double PlaceRecallGoal = 0.95;

    public static double RecallGoalFor(string type) => type switch
    {
        IdentifierTypes.Name => NameRecallGoal,
        TextScrubber.PlaceType or TextScrubber.AddressType => PlaceRecallGoal,
        _ => StructuredRecallGoal,
    };

    /// <summary>Runs <paramref name="scrubber"/> on each sample, with the sample's structured identifiers as known items
    /// and the countries it names as the other regions of its phone numbers.</summary>
    public static ScrubbingReport Run(IReadOnlyList<ScrubbingSample> samples, TextScrubber scrubber, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(scrubber);
        return Score(samples, sample =>
        {
            var context = scrubber.Prepare(sample.Jurisdiction, sample.Known, otherRegions: sample.Countries);
            return scrubber.FindSpans(sample.Text, context).Select(s => new DetectedSpan(s.Start, s.End, s.Type)).ToList();
        }, seed);
    }

    /// <summary>Scores the spans <paramref name="detect"/> returns for each sample against the sample's annotations.</summary>
    public static ScrubbingReport Score(IReadOnlyList<ScrubbingSample> samples, Func<ScrubbingSample, IReadOnlyList<DetectedSpan>> detect, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(detect);
        var spans = new Dictionary<string, int[]>(StringComparer.Ordinal);   // type → spans, found, as type, fully covered
        var hits = new Dictionary<string, int[]>(StringComparer.Ordinal);    // type → hits, false hits
        var variants = new Dictionary<(string, string, bool), int[]>();
        var negatives = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var misses = new List<ScrubbingExample>();
        var falseHits = new List<ScrubbingExample>();

        foreach (var sample in samples)
        {
            var detected = detect(sample);
            var covered = new bool[sample.Text.Length];
            foreach (var d in detected) covered.AsSpan(d.Start, d.End - d.Start).Fill(true);

            foreach (var span in sample.Spans)
            {
                var found = detected.Any(d => Overlaps(d.Start, d.End, span.Start, span.End));
                var asType = detected.Any(d => d.Type == span.Type && Overlaps(d.Start, d.End, span.Start, span.End));
                var full = true;
                for (var i = span.Start; i < span.End; i++)
                {
                    if (char.IsLetterOrDigit(sample.Text[i]) && !covered[i]) full = false;
                }
                var row = Row(spans, span.Type, 4);
                row[0]++;
                if (found) row[1]++;
                if (asType) row[2]++;
                if (full) row[3]++;
                var v = Row(variants, (span.Type, span.Variant, span.Known), 3);
                v[0]++;
                if (found) v[1]++;
                if (full) v[2]++;
                if (!found && misses.Count < MaxExamples)
                    misses.Add(new ScrubbingExample(sample.Id, span.Type, span.Variant + (span.Known ? "" : " (text only)"), sample.TextOf(span), Context(sample.Text, span.Start, span.End)));
            }
            foreach (var d in detected)
            {
                var row = Row(hits, d.Type, 2);
                row[0]++;
                if (sample.Spans.Any(s => Overlaps(d.Start, d.End, s.Start, s.End))) continue;
                row[1]++;
                var negative = sample.Negatives.FirstOrDefault(n => Overlaps(d.Start, d.End, n.Start, n.End));
                if (falseHits.Count < MaxExamples)
                    falseHits.Add(new ScrubbingExample(sample.Id, d.Type, negative?.Kind ?? "unlabelled", sample.Text[d.Start..d.End], Context(sample.Text, d.Start, d.End)));
            }
            foreach (var n in sample.Negatives)
            {
                var row = Row(negatives, n.Kind, 2);
                row[0]++;
                if (detected.Any(d => Overlaps(d.Start, d.End, n.Start, n.End))) row[1]++;
            }
        }

        var order = ScrubbingCorpus.Types.Concat(spans.Keys).Concat(hits.Keys).Distinct().ToList();
        var types = order.Where(t => spans.ContainsKey(t) || hits.ContainsKey(t)).Select(t =>
        {
            var s = spans.GetValueOrDefault(t) ?? new int[4];
            var h = hits.GetValueOrDefault(t) ?? new int[2];
            return new TypeScore(t, s[0], s[1], s[0] - s[1], s[2], s[3], h[0], h[1], RecallGoalFor(t), PrecisionGoal);
        }).ToList();
        var overall = new TypeScore("all", types.Sum(t => t.Spans), types.Sum(t => t.Found), types.Sum(t => t.Missed), types.Sum(t => t.FoundAsType),
            types.Sum(t => t.FullyCovered), types.Sum(t => t.Hits), types.Sum(t => t.FalseHits), NameRecallGoal, PrecisionGoal);
        var variantScores = variants
            .Select(kv => new VariantScore(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value[0], kv.Value[1], kv.Value[2]))
            .OrderBy(v => order.IndexOf(v.Type)).ThenBy(v => v.Variant, StringComparer.Ordinal).ThenByDescending(v => v.Known).ToList();
        var negativeScores = negatives.Select(kv => new NegativeScore(kv.Key, kv.Value[0], kv.Value[1]))
            .OrderBy(n => n.Kind, StringComparer.Ordinal).ToList();
        return new ScrubbingReport(samples.Count, seed, PrecisionGoal, types, overall, variantScores, negativeScores)
        {
            Misses = misses,
            FalseHitExamples = falseHits,
        };
    }

    private static bool Overlaps(int aStart, int aEnd, int bStart, int bEnd) => aStart < bEnd && bStart < aEnd;

    private static int[] Row<TKey>(Dictionary<TKey, int[]> rows, TKey key, int width) where TKey : notnull
    {
        if (!rows.TryGetValue(key, out var row)) rows[key] = row = new int[width];
        return row;
    }

    private static string Context(string text, int start, int end)
    {
        var from = Math.Max(0, start - 30);
        var to = Math.Min(text.Length, end + 30);
        return text[from..to].Replace('\n', '⏎');
    }

    // ---- reports ----

    /// <summary>JSON settings of the report: camelCase, indented.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    /// <summary>The report as JSON.</summary>
    public static string ToJson(ScrubbingReport report) => JsonSerializer.Serialize(report, JsonOptions);

    /// <summary>Formats a ratio for reports: three decimals, "–" when undefined.</summary>
    public static string Ratio(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    /// <summary>The report as Markdown: the per-type table, goals, the per-variant breakdown and look-alikes.</summary>
    public static string ToMarkdown(ScrubbingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        string I(int n) => n.ToString(CultureInfo.InvariantCulture);
        md.AppendLine("# Free-text scrubbing quality").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Generated by `analytics eval scrubbing --samples {report.Samples}{(report.Seed is { } s ? " --seed " + I(s) : "")}`: ")
          .AppendLine("labelled synthetic narratives (`Analytics.Core.Evaluation.ScrubbingCorpus`) scrubbed by `TextScrubber` with the structured")
          .AppendLine("identifiers of each sample as known items and the countries it names (its people's citizenships) as the other")
          .AppendLine("regions of its phone numbers. An annotated span counts as found when any scrubbed span overlaps it")
          .AppendLine("(whatever type the scrubber gave it); a scrubbed span overlapping no annotated span is a false hit.")
          .AppendLine("\"Fully covered\" counts spans whose every letter and digit was scrubbed.").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Goals: recall ≥ {StructuredRecallGoal:0.00} for checksummed and structured types, ≥ {NameRecallGoal:0.00} for names, ≥ {PlaceRecallGoal:0.00} for places and addresses; precision ≥ {PrecisionGoal:0.00}.").AppendLine();
        md.AppendLine("| type | spans | TP (found) | FN (missed) | same type | fully covered | hits | FP | precision | recall | F1 | goals |");
        md.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
        foreach (var t in report.Types.Append(report.Overall))
        {
            var goal = t.Type == "all"
                ? (t.MeetsPrecision == false ? "precision missed" : "precision met")
                : string.Join(", ", new[]
                {
                    t.MeetsRecall switch { true => "recall met", false => $"recall MISSED (goal {t.RecallGoal:0.00})", _ => null },
                    t.MeetsPrecision switch { true => "precision met", false => "precision MISSED", _ => null },
                }.Where(x => x is not null));
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {(t.Type == "all" ? "**all**" : t.Type)} | {I(t.Spans)} | {I(t.Found)} | {I(t.Missed)} | {I(t.FoundAsType)} | {I(t.FullyCovered)} | {I(t.Hits)} | {I(t.FalseHits)} | {Ratio(t.Precision)} | {Ratio(t.Recall)} | {Ratio(t.F1)} | {goal} |");
        }
        md.AppendLine();
        md.AppendLine(report.MeetsGoals ? "All goals are met." : "**Not all goals are met**: see the rows marked MISSED and the breakdown below.").AppendLine();

        md.AppendLine("## Places and addresses").AppendLine();
        md.AppendLine("Cities and towns come from the gazetteer `data-schemas/gazetteer/places.json` (capitals and large or trafficking-relevant")
          .AppendLine("cities of the EU, EEA, UK, Western Balkans, Ukraine, Moldova, Türkiye and the main origin countries, with local, English,")
          .AppendLine("diacritics-free and German ae/oe/ue spellings). Each capitalised word of a text is looked up once in a dictionary of first")
          .AppendLine("words; multi-word names (\"Reggio Emilia\", \"Cluj-Napoca\", \"Frankfurt am Main\") are matched word by word across spaces,")
          .AppendLine("hyphens and a line break. A hit becomes `[place:<country>]`: only the country is kept, and nothing links places. Rules:")
          .AppendLine()
          .AppendLine("- whole words with a capital first letter (or all capitals from four letters: \"MILANO\"); \"milan\" and \"Milanese\" stay;")
          .AppendLine("- names that are also ordinary words or given names (\"Nice\", \"Split\", \"Bath\", \"Reading\", \"Sofia\", \"Florence\", listed")
          .AppendLine("  under `contextOnly`) are places only after *in, to, from, at, near, into, towards, outside, around, via, through, of, between, reached, left, visited*")
          .AppendLine("  or right after a postcode (\"21000 Split\");")
          .AppendLine("- a country name is never a city (\"Luxembourg\", \"Monaco\"): countries stay in the record;")
          .AppendLine("- a name given in the structured part of the same submission wins over a city of the same spelling (a Dutch victim called Milan).")
          .AppendLine()
          .AppendLine("Street addresses become `[address]` with their house number, block/flat details and an adjacent postcode: street word + name")
          .AppendLine("+ number (\"Str. Libertății nr. 12\", \"Via Padova 12\", \"Calle Mayor, 5\", \"ul. Długa 15/4\", \"bul. Vitosha 20\", \"rue de la Paix 3\"),")
          .AppendLine("compounds (\"Hauptstraße 7\", \"Keizersgracht 123\"), name + street word + number (\"Berliner Straße 5\"), number first")
          .AppendLine("(\"12 Baker Street\", \"3 rue de la Paix\") and British postcodes on their own. A house number is never a year nor a quantity")
          .AppendLine("(\"via Hungary 3 days\" is not an address). Limits: a street without a street word or suffix (\"Damrak 1\", Czech \"Nádražní 15\"),")
          .AppendLine("a city missing from the gazetteer, or a lower-case city is left in clear; the corpus measures only what it writes.").AppendLine();

        md.AppendLine("## Recall by way of writing").AppendLine();
        md.AppendLine("\"known\" = the identifier was also given in the structured part of the submission; \"text only\" = it was not.").AppendLine();
        md.AppendLine("| type | variant | given | spans | found | recall | fully covered |");
        md.AppendLine("|---|---|---|--:|--:|--:|--:|");
        foreach (var v in report.Variants)
            md.AppendLine(CultureInfo.InvariantCulture, $"| {v.Type} | {v.Variant} | {(v.Known ? "known" : "text only")} | {I(v.Spans)} | {I(v.Found)} | {Ratio(v.Recall)} | {I(v.FullyCovered)} |");
        md.AppendLine();

        md.AppendLine("## Look-alikes (should not be scrubbed)").AppendLine();
        md.AppendLine("| kind | occurrences | scrubbed |");
        md.AppendLine("|---|--:|--:|");
        foreach (var n in report.Negatives) md.AppendLine(CultureInfo.InvariantCulture, $"| {n.Kind} | {I(n.Spans)} | {I(n.Scrubbed)} |");
        return md.ToString();
    }
}
