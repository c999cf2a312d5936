using System.Globalization;
using Analytics.Core.Evaluation;
using Analytics.Core.Pseudonymisation;
using Analytics.Core.Tests.Pseudonymisation;

namespace Analytics.Core.Tests.Evaluation;

public sealed class ScrubbingCorpusTests
{
    private static readonly IReadOnlyList<ScrubbingSample> Corpus = ScrubbingCorpus.Generate(400, 7);

    [Fact]
    public void Generate_IsDeterministicForASeed()
    {
        var again = ScrubbingCorpus.Generate(400, 7);
        Assert.Equal(Corpus.Select(s => s.Text), again.Select(s => s.Text));
        Assert.NotEqual(Corpus.Select(s => s.Text), ScrubbingCorpus.Generate(400, 8).Select(s => s.Text));
    }

    [Fact]
    public void EverySpan_IsTheIdentifierOrAKnownVariantOfIt()
    {
        foreach (var sample in Corpus)
        {
            foreach (var span in sample.Spans)
            {
                var text = sample.TextOf(span);
                Assert.True(IsVariant(span, text), $"sample {sample.Id}: {span.Type} span \"{text}\" is not a variant of \"{span.Value}\"");
            }
        }
    }

    [Fact]
    public void Spans_DoNotOverlapEachOtherOrNegatives_AndKnownItemsMatchTheirFlag()
    {
        foreach (var sample in Corpus)
        {
            var all = sample.Spans.Select(s => (s.Start, s.End)).Concat(sample.Negatives.Select(n => (n.Start, n.End))).OrderBy(x => x.Start).ToList();
            for (var i = 1; i < all.Count; i++) Assert.True(all[i - 1].End <= all[i].Start, $"sample {sample.Id}: overlapping annotations");
            foreach (var span in sample.Spans.Where(s => s.Type != TextScrubber.DateOfBirthType))
            {
                var given = sample.Known.Any(k => k.Type == span.Type && Same(span, k.Value));
                Assert.Equal(span.Known, given);
            }
        }
    }

    [Fact]
    public void Corpus_CoversEveryTypeAndTheTrickyCases()
    {
        var spans = Corpus.SelectMany(s => s.Spans).ToList();
        foreach (var type in ScrubbingCorpus.Types) Assert.Contains(spans, s => s.Type == type);
        foreach (var type in new[] { IdentifierTypes.Name, IdentifierTypes.Phone, IdentifierTypes.Iban, IdentifierTypes.Card })
            Assert.Contains(spans, s => s.Type == type && s.Variant == "split-line");
        Assert.Contains(spans, s => s.Type == IdentifierTypes.Phone && !s.Known);
        Assert.True(spans.Where(s => s.Type == IdentifierTypes.Phone).Select(s => s.Country).Distinct().Count() >= 10);
        foreach (var variant in new[] { "english", "local", "folded", "multi-word", "common-word", "split-line" })
            Assert.Contains(spans, s => s.Type == TextScrubber.PlaceType && s.Variant == variant);
        foreach (var variant in new[] { "ro-strada", "it-via", "es-calle", "fr-rue", "de-strasse", "pl-ulica", "bg-bulevard", "nl-straat", "en-number-first", "split-line" })
            Assert.Contains(spans, s => s.Type == TextScrubber.AddressType && s.Variant == variant);
        Assert.Contains(spans, s => s.Type == TextScrubber.AddressType && s.Variant == "split-line" && s.Value.Length > 0);
        var negatives = Corpus.SelectMany(s => s.Negatives).Select(n => n.Kind).ToHashSet();
        Assert.Contains("city-look-alike", negatives);
        Assert.Contains("country", negatives);
        Assert.Contains("common-word", negatives);
        Assert.Contains("amount", negatives);
        Assert.Contains("case-number", negatives);
    }

    private static bool Same(AnnotatedSpan span, string value) => span.Type switch
    {
        IdentifierTypes.Name => span.Value == value,
        IdentifierTypes.Phone => Normalisers.Phone(value, span.Country) == span.Value,
        IdentifierTypes.Handle => value == span.Value,
        _ => Normalisers.AlphanumericCore(value) == Normalisers.AlphanumericCore(span.Value),
    };

    private static bool IsVariant(AnnotatedSpan span, string text)
    {
        switch (span.Type)
        {
            case IdentifierTypes.Name:
                var words = NameFolding.FoldWords(span.Value);
                var written = NameFolding.FoldWords(text);
                return written.Count > 0 && written.All(words.Contains);
            case IdentifierTypes.Phone:
                return Normalisers.Phone(text.Replace('\n', ' '), span.Country) == span.Value;
            case IdentifierTypes.Email:
                return string.Equals(text, span.Value, StringComparison.OrdinalIgnoreCase);
            case IdentifierTypes.Iban:
                return Normalisers.Iban(text.Replace('\n', ' ')) == span.Value;
            case IdentifierTypes.Card:
                return Normalisers.Card(text.Replace('\n', ' ')) == span.Value;
            case IdentifierTypes.Wallet:
                return text == span.Value && Normalisers.Wallet(text) is not null;
            case IdentifierTypes.Handle:
                return string.Equals(text.TrimStart('@'), span.Value, StringComparison.OrdinalIgnoreCase);
            case IdentifierTypes.Document or IdentifierTypes.Plate:
                return Normalisers.AlphanumericCore(text) == Normalisers.AlphanumericCore(span.Value);
            case TextScrubber.PlaceType:
                // Both the written spelling and the city as listed are in the gazetteer under the span's country.
                return new[] { text, span.Value }.All(name =>
                    Gazetteer.Default.Places.Any(p => p.Country == span.Country && p.Words.SequenceEqual(Gazetteer.Words(name))));
            case TextScrubber.AddressType:
                return text.Replace('\n', ' ') == span.Value && text.Any(char.IsAsciiDigit);
            case TextScrubber.DateOfBirthType:
                string[] formats = ["d MMMM yyyy", "dd.MM.yyyy", "yyyy-MM-dd", "dd/MM/yyyy", "MMMM d, yyyy"];
                return DateOnly.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                    && date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) == span.Value;
            default:
                return false;
        }
    }
}

public sealed class ScrubbingEvaluationTests
{
    // "Call Ana Pop on 0721 234 567 about EUR 500." with the name and the phone annotated, the amount a look-alike.
    private static ScrubbingSample Tiny()
    {
        const string text = "Call Ana Pop on 0721 234 567 about EUR 500.";
        var name = text.IndexOf("Ana Pop", StringComparison.Ordinal);
        var phone = text.IndexOf("0721", StringComparison.Ordinal);
        var amount = text.IndexOf("EUR", StringComparison.Ordinal);
        return new ScrubbingSample(0, "RO", text, [new KnownIdentifier(IdentifierTypes.Name, "Ana Pop")],
            [
                new AnnotatedSpan(name, name + 7, IdentifierTypes.Name, "Ana Pop", "full", true),
                new AnnotatedSpan(phone, phone + 12, IdentifierTypes.Phone, "+40721234567", "national", false, "RO"),
            ],
            [new NegativeSpan(amount, amount + 7, "amount")]);
    }

    [Fact]
    public void Score_CountsOverlapsAsFound_AndHitsOutsideSpansAsFalse()
    {
        var sample = Tiny();
        var name = sample.Spans[0];
        var amount = sample.Negatives[0];
        // The name found in part (its surname only), the phone missed, one false phone hit on the amount, one false name hit on "Call".
        DetectedSpan[] detected =
        [
            new(name.Start + 4, name.End, IdentifierTypes.Name),
            new(0, 4, IdentifierTypes.Name),
            new(amount.Start + 4, amount.End, IdentifierTypes.Phone),
        ];
        var report = ScrubbingEvaluation.Score([sample], _ => detected);

        var names = report.Types.Single(t => t.Type == IdentifierTypes.Name);
        Assert.Equal((1, 1, 0, 1, 0, 2, 1), (names.Spans, names.Found, names.Missed, names.FoundAsType, names.FullyCovered, names.Hits, names.FalseHits));
        Assert.Equal(0.5, names.Precision);
        Assert.Equal(1.0, names.Recall);
        Assert.Equal(2 * 0.5 / 1.5, names.F1!.Value, 12);
        Assert.False(names.MeetsPrecision);
        Assert.True(names.MeetsRecall);

        var phones = report.Types.Single(t => t.Type == IdentifierTypes.Phone);
        Assert.Equal((1, 0, 1, 1, 1), (phones.Spans, phones.Found, phones.Missed, phones.Hits, phones.FalseHits));
        Assert.Equal(0.0, phones.Precision);
        Assert.Equal(0.0, phones.Recall);
        Assert.Equal(0.0, phones.F1);

        Assert.Equal((2, 1, 1, 3, 2), (report.Overall.Spans, report.Overall.Found, report.Overall.Missed, report.Overall.Hits, report.Overall.FalseHits));
        Assert.Equal(1.0 / 3, report.Overall.Precision!.Value, 12);
        Assert.Equal(new NegativeScore("amount", 1, 1), Assert.Single(report.Negatives));
        Assert.False(report.MeetsGoals);
        Assert.Contains(report.Variants, v => v is { Type: IdentifierTypes.Phone, Variant: "national", Known: false, Spans: 1, Found: 0 });
    }

    [Fact]
    public void Score_WithNoHits_LeavesPrecisionUndefined_AndAWrongTypeStillCountsAsFound()
    {
        var sample = Tiny();
        var phone = sample.Spans[1];
        var report = ScrubbingEvaluation.Score([sample], _ => [new DetectedSpan(phone.Start, phone.End, IdentifierTypes.Card)]);

        var names = report.Types.Single(t => t.Type == IdentifierTypes.Name);
        Assert.Null(names.Precision);
        Assert.Null(names.F1);
        Assert.Equal(0.0, names.Recall);
        var phones = report.Types.Single(t => t.Type == IdentifierTypes.Phone);
        Assert.Equal((1, 0, 1), (phones.Found, phones.FoundAsType, phones.FullyCovered));
        var cards = report.Types.Single(t => t.Type == IdentifierTypes.Card);
        Assert.Equal((0, 1, 0), (cards.Spans, cards.Hits, cards.FalseHits));
        Assert.Equal(1.0, cards.Precision);
    }

    [Fact]
    public void Run_OnTheTinyCase_FindsTheKnownNameAndTheNationalPhone()
    {
        var report = ScrubbingEvaluation.Run([Tiny()], new TextScrubber(TestKeys.Tokeniser()));
        Assert.Equal(2, report.Overall.Found);
        Assert.Equal(0, report.Overall.FalseHits);
        Assert.Contains("| name |", ScrubbingEvaluation.ToMarkdown(report), StringComparison.Ordinal);
        Assert.Contains("\"precisionGoal\": 0.95", ScrubbingEvaluation.ToJson(report), StringComparison.Ordinal);
    }
}
