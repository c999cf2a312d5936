using Analytics.Core.Cases;

namespace Analytics.Core.Pseudonymisation;

/// <summary>
/// Turns a submission into the record that may be stored: identifiers to tokens, free text scrubbed,
/// ages to bands, dates to year-month. Pure and in memory; thread-safe.
/// </summary>
public sealed class CasePseudonymiser
{
    private readonly Tokeniser _tokeniser;
    private readonly TextScrubber _scrubber;
    private readonly int _keyCount;

    /// <summary>Creates a pseudonymiser whose tokens chain through <paramref name="keys"/> (last = active).</summary>
    public CasePseudonymiser(KeyRing keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _tokeniser = new Tokeniser(keys);
        _scrubber = new TextScrubber(_tokeniser);
        _keyCount = keys.Keys.Count;
    }

    /// <summary>
    /// The submission's case reference token under each prefix of the key ring, oldest first, the active one last; empty
    /// when the ring has a single key (no earlier generation to look for) or the reference is blank.
    /// </summary>
    public IReadOnlyList<string> CaseReferenceGenerations(CaseSubmission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        return _keyCount < 2 ? [] : _tokeniser.CaseReferenceGenerations(submission.CaseReference, submission.Authority);
    }

    /// <summary>
    /// Pseudonymises one submission. Ages are taken at the start of the offence period, or at
    /// <paramref name="referenceDate"/> when the period has no start.
    /// </summary>
    public PseudonymisedCase Pseudonymise(CaseSubmission submission, DateOnly referenceDate)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var run = new Run(_tokeniser, submission.Jurisdiction);
        var ageDate = Generalisation.TryParseDate(submission.OffencePeriod?.From, out var from, out _) ? from : referenceDate;

        var caseToken = _tokeniser.TokenForCaseReference(submission.CaseReference, submission.Authority) ?? "";
        if (caseToken.Length > 0) run.Count(caseToken);

        var victims = submission.Victims.Select((v, i) => new StoredVictim
        {
            AgeBand = AgeBandOf(v.Age, v.DateOfBirth, v.AgeBand, ageDate),
            Gender = v.Gender,
            Citizenship = v.Citizenship,
            Vulnerabilities = v.Vulnerabilities,
            IdentifiedBy = v.IdentifiedBy,
            Tokens = run.Tokens("/victims/" + Index(i), v.Name, v.Identifiers),
        }).ToList();

        var suspects = submission.Suspects.Select((s, i) => new StoredSuspect
        {
            Role = s.Role,
            AgeBand = AgeBandOf(s.Age, null, s.AgeBand, ageDate),
            Gender = s.Gender,
            Citizenship = s.Citizenship,
            RelationToVictim = s.RelationToVictim,
            Tokens = run.Tokens("/suspects/" + Index(i), s.Name, s.Identifiers),
        }).ToList();

        var flows = submission.FinancialFlows.Select((f, i) => new StoredFinancialFlow
        {
            AmountBand = f.AmountBand,
            Channel = f.Channel,
            Tokens = run.Tokens("/financialFlows/" + Index(i), null, f.Identifiers),
        }).ToList();

        // Every structured name and identifier is looked for in the free text, in whatever form it recurs.
        var context = TextScrubber.Prepare(submission.Jurisdiction, run.Known,
            string.IsNullOrWhiteSpace(submission.CaseReference) ? null : submission.CaseReference, caseToken.Length > 0 ? caseToken : null);
        context.AddRegions(CountriesNamed(submission));
        var scrubbedCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var legalBasis = submission.LegalBasis.Select(text => run.Scrub(_scrubber, text, context, scrubbedCounts)).ToList();
        var summary = submission.Summary is null ? null : run.Scrub(_scrubber, submission.Summary, context, scrubbedCounts);

        var record = new StoredCase
        {
            SchemaVersion = submission.SchemaVersion,
            Jurisdiction = submission.Jurisdiction,
            Authority = submission.Authority,
            CaseReferenceToken = caseToken,
            KeyId = _tokeniser.KeyId,
            Stage = submission.Stage,
            Outcome = submission.Outcome,
            PeriodFrom = Generalisation.YearMonth(submission.OffencePeriod?.From),
            PeriodTo = Generalisation.YearMonth(submission.OffencePeriod?.To),
            LegalBasis = legalBasis,
            Victims = victims,
            Suspects = suspects,
            ModusOperandi = submission.ModusOperandi ?? new ModusOperandi(),
            Route = submission.Route,
            ExploitationCountries = submission.ExploitationCountries,
            DigitalEvidence = submission.DigitalEvidence ?? new DigitalEvidence(),
            FinancialFlows = flows,
            Summary = summary,
        };
        return new PseudonymisedCase(record, run.AllTokens, run.StructuredCounts(), scrubbedCounts)
        {
            UnvalidatedCounts = run.Unvalidated,
            // Most cases have none: one shared empty map, not one per case a batch holds until its commit.
            Warnings = run.Warnings.Count > 0 ? run.Warnings : NoWarnings,
        };
    }

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoWarnings =
        new Dictionary<string, IReadOnlyList<string>>().AsReadOnly();

    private static string Index(int i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // The countries a case names besides its jurisdiction, in the order a narrative most likely quotes their numbers:
    // the route, where the exploitation took place, citizenships, then the countries given with identifiers.
    private static IEnumerable<string?> CountriesNamed(CaseSubmission submission)
    {
        foreach (var leg in submission.Route) { yield return leg.From; yield return leg.To; }
        foreach (var country in submission.ExploitationCountries) yield return country;
        foreach (var victim in submission.Victims) yield return victim.Citizenship;
        foreach (var suspect in submission.Suspects) yield return suspect.Citizenship;
        foreach (var identifier in submission.Victims.SelectMany(v => v.Identifiers).Concat(submission.Suspects.SelectMany(s => s.Identifiers)))
            yield return identifier.Country;
    }

    // Exact age first, then date of birth, then a band the source already had; anything else is dropped.
    private static string? AgeBandOf(int? age, string? dateOfBirth, string? band, DateOnly at) =>
        age is { } a ? Generalisation.AgeBand(a)
        : dateOfBirth is not null ? Generalisation.AgeBandFromDateOfBirth(dateOfBirth, at) ?? Generalisation.ValidAgeBand(band)
        : Generalisation.ValidAgeBand(band);

    // Per-call state: the tokens made so far and the known items for the scrubber.
    private sealed class Run(Tokeniser tokeniser, string jurisdiction)
    {
        private readonly List<string> _allTokens = [];
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private readonly HashSet<string> _structured = new(StringComparer.Ordinal);

        public List<ResolvedIdentifier> Known { get; } = [];
        public Dictionary<string, int> Unvalidated { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, IReadOnlyList<string>> Warnings { get; } = new(StringComparer.Ordinal);
        public IReadOnlyList<string> AllTokens => _allTokens;

        // owner is the JSON Pointer of the victim, suspect or flow the name and identifiers belong to.
        public IReadOnlyList<string> Tokens(string owner, string? name, IReadOnlyList<Identifier> identifiers)
        {
            var tokens = new List<string>();
            if (!string.IsNullOrWhiteSpace(name)) Add(tokens, owner, -1, IdentifierTypes.Name, name, null, null);
            for (var i = 0; i < identifiers.Count; i++)
            {
                var id = identifiers[i];
                if (!string.IsNullOrWhiteSpace(id.Value)) Add(tokens, owner, i, id.Type, id.Value, id.Country, id.Platform);
            }
            return tokens;
        }

        // index is the identifier's place in its owner's list, or -1 for the owner's name.
        private void Add(List<string> tokens, string owner, int index, string type, string value, string? country, string? platform)
        {
            var token = tokeniser.TokenAndNormalise(type, value, country, platform, jurisdiction, out var normalised);
            if (normalised is null)
            {
                var t = Tokeniser.TypeOf(token)!;
                Unvalidated[t] = Unvalidated.GetValueOrDefault(t) + 1;
                var region = string.IsNullOrWhiteSpace(country) ? jurisdiction : country;
                var pointer = index < 0 ? owner + "/name" : owner + "/identifiers/" + Index(index) + "/value";
                Warnings[pointer] = [IdentifierWarnings.Reason(type.Trim().ToLowerInvariant(), value, region)];
            }
            if (!tokens.Contains(token)) tokens.Add(token);
            Count(token);
            Known.Add(new ResolvedIdentifier(new KnownIdentifier(type, value, country, platform), normalised, token));
        }

        public void Count(string token)
        {
            _structured.Add(token);
            if (_seen.Add(token)) _allTokens.Add(token);
        }

        public string Scrub(TextScrubber scrubber, string text, ScrubContext context, Dictionary<string, int> counts)
        {
            var result = scrubber.Scrub(text, context);
            foreach (var (type, n) in result.Counts) counts[type] = counts.GetValueOrDefault(type) + n;
            foreach (var token in result.Tokens)
            {
                if (_seen.Add(token)) _allTokens.Add(token);
            }
            return result.Text;
        }

        // Distinct structured tokens by type: the same phone on a victim and a suspect counts once.
        // Types in the order they first occur, as a grouping would give them.
        public Dictionary<string, int> StructuredCounts()
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var token in _structured)
            {
                var type = Tokeniser.TypeOf(token)!;
                counts[type] = counts.GetValueOrDefault(type) + 1;
            }
            return counts;
        }
    }
}
