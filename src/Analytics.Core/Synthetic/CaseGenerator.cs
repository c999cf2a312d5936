using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Analytics.Core.Cases;

namespace Analytics.Core.Synthetic;

/// <summary>
/// Seeded generator of synthetic judicial cases with planted patterns, planted cross-border identifier links
/// and ground truth. One <see cref="Random"/> drives every choice, so a seed always gives the same bytes.
/// </summary>
public sealed class CaseGenerator
{
    private readonly GeneratorOptions _options;
    private GeneratedDataset? _dataset;

    public CaseGenerator(GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Count < 0) throw new ArgumentOutOfRangeException(nameof(options), "Count must not be negative.");
        if (options.NoiseShare is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(options), "NoiseShare must be within [0, 1].");
        if (options.LinkShare is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(options), "LinkShare must be within [0, 1].");
        if (options.EmergingPatternId is { } id && PlantedPatterns.All.All(p => p.Id != id))
            throw new ArgumentException($"Unknown pattern '{id}'.", nameof(options));
        _ = ParseMonth(options.StartMonth);
        _ = ParseMonth(options.EndMonth);
        _options = options;
    }

    /// <summary>The generated cases, in generation order.</summary>
    public IEnumerable<GeneratedCase> Generate() => Run().Cases;

    /// <summary>What was planted in <see cref="Generate"/>'s cases.</summary>
    public GroundTruth GroundTruth => Run().GroundTruth;

    /// <summary>Generates (once) the cases and their ground truth.</summary>
    public GeneratedDataset Run() => _dataset ??= new Generation(_options).Execute();

    /// <summary>JSON settings of the NDJSON output: camelCase, nulls omitted, non-ASCII written as is.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    /// <summary>Writes one case submission per line (UTF-8, "\n") and the ground truth as one JSON document.</summary>
    public void WriteNdjson(Stream cases, Stream groundTruth)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(groundTruth);
        var data = Run();
        var newline = "\n"u8.ToArray();
        foreach (var c in data.Cases)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(c.Case, JsonOptions);
            cases.Write(bytes);
            cases.Write(newline);
        }
        cases.Flush();
        var truthOptions = new JsonSerializerOptions(JsonOptions) { WriteIndented = true };
        var truth = JsonSerializer.SerializeToUtf8Bytes(data.GroundTruth, truthOptions);
        groundTruth.Write(truth);
        groundTruth.Write(newline);
        groundTruth.Flush();
    }

    internal static DateOnly ParseMonth(string month) =>
        DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new ArgumentException($"Month '{month}' is not yyyy-MM.", nameof(month));

    /// <summary>The state of one generation run.</summary>
    private sealed class Generation(GeneratorOptions options)
    {
        private readonly Random _rng = new(options.Seed);
        // Places in narratives draw from their own stream, so adding them left every other choice (and the ground truth) as it was.
        private readonly Random _placeRng = new(unchecked(options.Seed * 7919 + 104729));
        private readonly SortedSet<string> _addresses = new(StringComparer.Ordinal);
        private readonly SortedSet<string> _cities = new(StringComparer.Ordinal);
        private readonly List<Linkable> _linkables = [];
        private readonly Dictionary<Linkable, List<CaseKey>> _links = new(ReferenceEqualityComparer.Instance);
        private readonly List<Linkable> _linkOrder = [];
        private readonly HashSet<string> _usedKeys = new(StringComparer.Ordinal);
        private readonly HashSet<string> _usedReferences = new(StringComparer.Ordinal);
        private readonly SortedSet<string> _identifiers = new(StringComparer.Ordinal);
        private readonly SortedSet<string> _nameParts = new(StringComparer.Ordinal);

        public GeneratedDataset Execute()
        {
            var months = Months();
            var labels = Labels();
            var linkFlags = LinkFlags();
            var cases = new List<GeneratedCase>(options.Count);
            var truths = new List<CaseTruth>(options.Count);
            for (var i = 0; i < options.Count; i++)
            {
                var pattern = labels[i];
                var month = PickMonth(months, pattern?.Id == options.EmergingPatternId && pattern is not null);
                var c = BuildCase(pattern, month, linkFlags[i]);
                var id = pattern?.Id ?? PlantedPatterns.NoiseId;
                cases.Add(new GeneratedCase(c, id));
                truths.Add(new CaseTruth(c.Authority, c.CaseReference, id));
            }
            var links = _linkOrder.Select(l => new PlantedLink(l.Type, _links[l].ToArray())).ToArray();
            var truth = new GroundTruth
            {
                Seed = options.Seed,
                Count = options.Count,
                EmergingPatternId = options.EmergingPatternId,
                Cases = truths,
                Links = links,
                GeneratedIdentifiers = _identifiers.ToArray(),
                NameParts = _nameParts.ToArray(),
            };
            return new GeneratedDataset(cases, truth)
            {
                Places = new PlantedPlaces(_addresses.ToArray(), _cities.ToArray()),
            };
        }

        // ---- schedule ------------------------------------------------------------------------------

        private List<DateOnly> Months()
        {
            var start = ParseMonth(options.StartMonth);
            var end = ParseMonth(options.EndMonth);
            if (end < start) throw new ArgumentException("EndMonth is before StartMonth.");
            var list = new List<DateOnly>();
            for (var m = start; m <= end; m = m.AddMonths(1)) list.Add(m);
            return list;
        }

        /// <summary>Exact quotas: noise share, the rest split evenly over the patterns; then shuffled.</summary>
        private PlantedPattern?[] Labels()
        {
            var count = options.Count;
            var noise = (int)Math.Round(count * options.NoiseShare, MidpointRounding.AwayFromZero);
            var patterns = PlantedPatterns.All;
            var rest = count - noise;
            var labels = new PlantedPattern?[count];
            var at = 0;
            for (var p = 0; p < patterns.Count; p++)
            {
                var n = rest / patterns.Count + (p < rest % patterns.Count ? 1 : 0);
                for (var k = 0; k < n; k++) labels[at++] = patterns[p];
            }
            Shuffle(labels);
            return labels;
        }

        private bool[] LinkFlags()
        {
            var count = options.Count;
            var flags = new bool[count];
            var linkCount = Math.Min(Math.Max(count - 1, 0), (int)Math.Round(count * options.LinkShare, MidpointRounding.AwayFromZero));
            // The first cases have nothing earlier to link to: draw from the later 90 %.
            var from = Math.Min(count - linkCount, Math.Max(1, count / 10));
            var candidates = Enumerable.Range(from, count - from).ToArray();
            Shuffle(candidates);
            foreach (var i in candidates.Take(linkCount)) flags[i] = true;
            return flags;
        }

        private DateOnly PickMonth(List<DateOnly> months, bool emerging)
        {
            if (!emerging || months.Count <= 3) return months[_rng.Next(months.Count)];
            // Weight 1 per month, 3 in the final quarter: the pattern's rate triples there.
            var total = months.Count - 3 + 3 * 3;
            var r = _rng.Next(total);
            var plain = months.Count - 3;
            return r < plain ? months[r] : months[plain + (r - plain) / 3];
        }

        private void Shuffle<T>(T[] items)
        {
            for (var i = items.Length - 1; i > 0; i--)
            {
                var j = _rng.Next(i + 1);
                (items[i], items[j]) = (items[j], items[i]);
            }
        }

        // ---- attribute helpers --------------------------------------------------------------------

        private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

        private bool Chance(double p) => _rng.NextDouble() < p;

        private bool Noisy => Chance(PlantedPatterns.AttributeNoise);

        private string Attr(PlantedPattern? p, Func<PlantedPattern, string> planted, IReadOnlyList<string> all) =>
            p is null || Noisy ? Pick(all) : planted(p);

        private string[] Subset(IReadOnlyList<string> all, int min, int max)
        {
            var n = _rng.Next(min, max + 1);
            var pool = all.ToArray();
            Shuffle(pool);
            return pool.Take(Math.Min(n, pool.Length)).Order(StringComparer.Ordinal).ToArray();
        }

        private string[] Attrs(PlantedPattern? p, Func<PlantedPattern, IReadOnlyList<string>> planted, IReadOnlyList<string> all, int min = 1, int max = 3)
        {
            if (p is null) return Subset(all, min, max);
            var values = planted(p);
            if (!Noisy) return values.ToArray();
            var count = Math.Max(1, values.Count);
            return Subset(all, count, count);
        }

        // ---- case ---------------------------------------------------------------------------------

        private sealed record Profile(
            string Origin, string Destination, IReadOnlyList<string> Transit, bool HasRoute, string Transport,
            string Channel, string Relation, string[] Means, string[] Exploitation, string[] Sectors,
            string[] Vulnerabilities, string IdentifiedBy, string[] EvidenceKinds, string[] Platforms,
            string[] PaymentChannels, string AmountBand);

        private Profile MakeProfile(PlantedPattern? p)
        {
            string origin, destination;
            if (p is null)
            {
                origin = Pick(SyntheticCatalog.Countries);
                destination = Pick(SyntheticCatalog.Authorities).Jurisdiction;
            }
            else
            {
                origin = Noisy ? Pick(SyntheticCatalog.Countries) : Pick(p.OriginCountries);
                destination = Noisy ? Pick(SyntheticCatalog.Authorities).Jurisdiction : Pick(p.DestinationCountries);
                if (p.DestinationCountries.Count > 1)
                {
                    var guard = 0;
                    while (destination == origin && guard++ < 20) destination = Pick(p.DestinationCountries);
                }
            }
            var exploitation = Attrs(p, x => x.ExploitationTypes, SyntheticCatalog.ExploitationTypes, 1, 2);
            string[] sectors = [];
            if (exploitation.Contains("labour"))
            {
                sectors = p is not null && p.LabourSectors.Count > 0 && !Noisy
                    ? p.LabourSectors.ToArray()
                    : [Pick(SyntheticCatalog.LabourSectors)];
            }
            return new Profile(
                origin, destination,
                p?.TransitCountries ?? (Chance(0.5) ? [Pick(SyntheticCatalog.EuMembers)] : []),
                p?.HasRoute ?? true,
                Attr(p, x => Pick(x.Transport), SyntheticCatalog.Transport),
                Attr(p, x => Pick(x.RecruitmentChannels), SyntheticCatalog.RecruitmentChannels),
                Attr(p, x => x.RecruiterRelation, SyntheticCatalog.Relations),
                Attrs(p, x => x.MeansOfControl, SyntheticCatalog.MeansOfControl),
                exploitation,
                sectors,
                Attrs(p, x => x.Vulnerabilities, SyntheticCatalog.Vulnerabilities, 0, 2),
                Attr(p, x => x.IdentifiedBy, SyntheticCatalog.IdentifiedBy),
                Attrs(p, x => x.EvidenceKinds, SyntheticCatalog.EvidenceKinds),
                Attrs(p, x => x.Platforms, SyntheticCatalog.Platforms, 1, 2),
                Attrs(p, x => x.PaymentChannels, SyntheticCatalog.PaymentChannels, 1, 1),
                Attr(p, x => x.AmountBand, SyntheticCatalog.AmountBands));
        }

        private CaseSubmission BuildCase(PlantedPattern? p, DateOnly month, bool link)
        {
            var profile = MakeProfile(p);

            // Jurisdiction: mostly the country of exploitation, sometimes the country of origin.
            string jurisdiction;
            var destHas = SyntheticCatalog.HasAuthority(profile.Destination);
            var originHas = SyntheticCatalog.HasAuthority(profile.Origin);
            if (destHas && (!originHas || Chance(0.7))) jurisdiction = profile.Destination;
            else if (originHas) jurisdiction = profile.Origin;
            else jurisdiction = Pick(SyntheticCatalog.Authorities).Jurisdiction;
            var authorities = SyntheticCatalog.Authorities.Where(a => a.Jurisdiction == jurisdiction).ToArray();
            var authority = Pick(authorities);

            // Offence period and procedure.
            var from = month.AddDays(_rng.Next(28));
            var lastDay = ParseMonth(options.EndMonth).AddMonths(1).AddDays(-1);
            var to = from.AddDays(_rng.Next(30, 540));
            if (to > lastDay) to = lastDay;
            if (to < from) to = from;
            var registered = to.Year > from.Year && Chance(0.5) ? to.Year : from.Year;
            var reference = NewReference(authority, registered);
            var stage = Pick(SyntheticCatalog.Stages);
            var outcome = stage switch
            {
                "investigation" or "prosecution" => "pending",
                "trial" => Pick(["pending", "convicted", "acquitted"]),
                "appeal" => Pick(["pending", "convicted", "acquitted"]),
                _ => Pick(["convicted", "convicted", "acquitted", "dismissed", "discontinued", "other"]),
            };
            var legal = SyntheticCatalog.LegalBasis[jurisdiction];
            var legalBasis = new List<string> { Pick(legal) };
            if (Chance(0.4)) { var second = Pick(legal); if (!legalBasis.Contains(second)) legalBasis.Add(second); }
            if (Chance(0.3) && SyntheticCatalog.EuMembers.Contains(jurisdiction)) legalBasis.Add(SyntheticCatalog.EuDirective);

            // Victims.
            var victimCount = Chance(0.6) ? 1 : Chance(0.75) ? 2 : 3;
            var victims = new List<Victim>();
            var victimInfo = new List<PersonInfo>();
            for (var v = 0; v < victimCount; v++)
            {
                var (victim, info) = MakeVictim(p, profile, from);
                victims.Add(victim);
                victimInfo.Add(info);
            }

            // Suspects.
            var suspectCount = 1 + (Chance(0.35) ? 0 : _rng.Next(1, 4));
            var roles = SyntheticCatalog.SuspectRoles.ToArray();
            Shuffle(roles);
            var suspects = new List<Suspect>();
            var suspectInfo = new List<PersonInfo>();
            for (var s = 0; s < suspectCount; s++)
            {
                var role = s == 0 ? "recruiter" : roles[(s - 1) % roles.Length];
                var (suspect, info) = MakeSuspect(profile, role);
                suspects.Add(suspect);
                suspectInfo.Add(info);
            }

            // Route and evidence.
            var route = new List<RouteLeg>();
            var exploitationCountry = profile.HasRoute ? profile.Destination : profile.Origin;
            if (profile.HasRoute && profile.Origin != profile.Destination)
            {
                var stops = new List<string> { profile.Origin };
                stops.AddRange(profile.Transit.Where(t => t != profile.Origin && t != profile.Destination));
                stops.Add(profile.Destination);
                for (var k = 0; k + 1 < stops.Count; k++)
                    route.Add(new RouteLeg { From = stops[k], To = stops[k + 1], Transport = profile.Transport });
            }
            var requests = new List<EvidenceRequest>();
            foreach (var country in new[] { profile.Origin, profile.Destination }.Distinct())
            {
                if (country == jurisdiction || requests.Count >= 2) continue;
                var bothEu = SyntheticCatalog.EuMembers.Contains(country) && SyntheticCatalog.EuMembers.Contains(jurisdiction);
                var instrument = bothEu ? (Chance(0.2) ? "jit" : "eio") : "mla";
                requests.Add(new EvidenceRequest { Instrument = instrument, Country = country });
            }
            if (Chance(0.2)) requests.Add(new EvidenceRequest { Instrument = Pick(["preservation-order", "production-order"]), Country = Pick(["IE", "NL", "US"]) });

            // Money.
            var flows = new List<FinancialFlow>();
            var flowInfo = new List<FlowInfo>();
            var flowCount = Chance(0.7) ? 1 : 2;
            for (var f = 0; f < flowCount; f++)
            {
                var channel = f == 0 ? profile.PaymentChannels[0] : Pick(SyntheticCatalog.PaymentChannels);
                var (flow, info) = MakeFlow(channel, profile.AmountBand, jurisdiction, profile.Origin);
                flows.Add(flow);
                flowInfo.Add(info);
            }

            var key = new CaseKey(authority.Id, reference);

            // Planted cross-border link: reuse an identifier of an earlier case of another jurisdiction.
            string? linkedSentence = null;
            if (link)
            {
                var candidates = _linkables.Where(l => l.Jurisdiction != jurisdiction).ToArray();
                if (candidates.Length > 0)
                {
                    var source = candidates[_rng.Next(candidates.Length)];
                    linkedSentence = Reuse(source, suspects, flows, suspectInfo);
                    if (!_links.TryGetValue(source, out var keys))
                    {
                        keys = [source.Key];
                        _links[source] = keys;
                        _linkOrder.Add(source);
                    }
                    keys.Add(key);
                }
            }

            // Register this case's own linkable identifiers for later cases.
            foreach (var info in suspectInfo)
                foreach (var l in info.Linkables) _linkables.Add(l with { Jurisdiction = jurisdiction, Key = key });
            foreach (var info in flowInfo)
                if (info.Linkable is { } l) _linkables.Add(l with { Jurisdiction = jurisdiction, Key = key });

            var summary = Narrative(profile, reference, registered, jurisdiction, from, to, victimInfo, suspectInfo, flowInfo, requests, linkedSentence);

            return new CaseSubmission
            {
                Jurisdiction = jurisdiction,
                Authority = authority.Id,
                CaseReference = reference,
                Stage = stage,
                Outcome = outcome,
                OffencePeriod = new Period { From = Iso(from), To = Iso(to) },
                LegalBasis = legalBasis,
                Victims = victims,
                Suspects = suspects,
                ModusOperandi = new ModusOperandi
                {
                    RecruitmentChannels = [profile.Channel],
                    MeansOfControl = profile.Means,
                    ExploitationTypes = profile.Exploitation,
                    LabourSectors = profile.Sectors,
                },
                Route = route,
                ExploitationCountries = [exploitationCountry],
                DigitalEvidence = new DigitalEvidence
                {
                    Kinds = profile.EvidenceKinds,
                    Platforms = profile.Platforms,
                    CrossBorderRequests = requests,
                },
                FinancialFlows = flows,
                Summary = summary,
            };
        }

        private string NewReference(SyntheticAuthority authority, int year)
        {
            while (true)
            {
                var r = authority.ReferencePrefix + "/" + year.ToString(CultureInfo.InvariantCulture) + "/" + _rng.Next(1, 100000).ToString("D5", CultureInfo.InvariantCulture) + options.ReferenceSuffix;
                if (_usedReferences.Add(authority.Id + "|" + r)) return r;
            }
        }

        // ---- people -------------------------------------------------------------------------------

        /// <summary>What a narrative needs to know about a person.</summary>
        private sealed class PersonInfo
        {
            public required string First { get; init; }
            public required string Surname { get; init; }
            public required string Gender { get; init; }
            public required string Citizenship { get; init; }
            public int? Age { get; init; }
            public DateOnly? DateOfBirth { get; init; }
            public string? Role { get; init; }
            public string? Relation { get; init; }
            public SyntheticPhone? Phone { get; set; }
            public PhoneFormat PhoneFormat { get; set; }
            public string? Email { get; set; }
            public string? Handle { get; set; }
            public string? HandlePlatform { get; set; }
            public string? Passport { get; set; }
            public string? Plate { get; set; }
            public List<Linkable> Linkables { get; } = [];
            public string Full => First + " " + Surname;
        }

        private (Victim, PersonInfo) MakeVictim(PlantedPattern? p, Profile profile, DateOnly from)
        {
            var age = p is null || Noisy ? _rng.Next(6, 56) : _rng.Next(p.VictimAgeMin, p.VictimAgeMax + 1);
            var gender = p is null || Noisy ? (Chance(0.03) ? "other" : Pick(["female", "male"])) : Pick(p.VictimGenders);
            var citizenship = p is null || !Noisy ? profile.Origin : Pick(SyntheticCatalog.Countries);
            var (first, surname) = SyntheticCatalog.Name(_rng, citizenship, gender);
            DateOnly? dob = null;
            if (Chance(0.5))
                dob = from.AddYears(-age).AddDays(-_rng.Next(1, 365));
            var info = new PersonInfo { First = first, Surname = surname, Gender = gender, Citizenship = citizenship, Age = age, DateOfBirth = dob };
            RegisterName(info);
            var ids = new List<Identifier>();
            if (Chance(0.35)) ids.Add(AddPhone(info, citizenship));
            if (Chance(0.3)) ids.Add(AddHandle(info, Pick(profile.Platforms)));
            if (Chance(0.25)) ids.Add(AddPassport(info, citizenship));
            var victim = new Victim
            {
                Name = info.Full,
                Age = dob is null ? age : null,
                DateOfBirth = dob is { } d ? Iso(d) : null,
                Gender = gender,
                Citizenship = citizenship,
                Vulnerabilities = profile.Vulnerabilities,
                IdentifiedBy = profile.IdentifiedBy,
                Identifiers = ids,
            };
            return (victim, info);
        }

        private (Suspect, PersonInfo) MakeSuspect(Profile profile, string role)
        {
            var citizenship = Chance(0.7) ? (profile.HasRoute ? profile.Origin : profile.Destination) : (profile.HasRoute ? profile.Destination : profile.Origin);
            if (!SyntheticCatalog.CountryNames.ContainsKey(citizenship)) citizenship = profile.Origin;
            var gender = Chance(0.75) ? "male" : "female";
            var (first, surname) = SyntheticCatalog.Name(_rng, citizenship, gender);
            var age = _rng.Next(19, 58);
            var relation = role == "recruiter" ? profile.Relation : null;
            var info = new PersonInfo { First = first, Surname = surname, Gender = gender, Citizenship = citizenship, Age = age, Role = role, Relation = relation };
            RegisterName(info);
            var ids = new List<Identifier>();
            if (Chance(0.85)) ids.Add(AddPhone(info, citizenship));
            if (Chance(0.5)) ids.Add(AddEmail(info));
            if (Chance(role == "recruiter" ? 0.8 : 0.3)) ids.Add(AddHandle(info, Pick(profile.Platforms)));
            if (Chance(0.3)) ids.Add(AddPassport(info, citizenship));
            if (role == "transporter" && Chance(0.8)) ids.Add(AddPlate(info, citizenship));
            var suspect = new Suspect
            {
                Name = info.Full,
                Role = role,
                Age = age,
                Gender = gender,
                Citizenship = citizenship,
                RelationToVictim = relation,
                Identifiers = ids,
            };
            return (suspect, info);
        }

        private void RegisterName(PersonInfo info)
        {
            _identifiers.Add(info.Full);
            _identifiers.Add(info.Surname + " " + info.First);
            _nameParts.Add(info.First);
            _nameParts.Add(info.Surname);
            if (info.DateOfBirth is { } d)
            {
                _identifiers.Add(Iso(d));
                _identifiers.Add(LongDate(d));
            }
        }

        private bool Claim(string key) => _usedKeys.Add(key);

        private Identifier AddPhone(PersonInfo info, string country)
        {
            SyntheticPhone phone;
            do phone = IdentifierMaker.Phone(_rng, PhonePlans.Has(country) ? country : Pick(PhonePlans.Countries));
            while (!Claim("phone:" + phone.Format(PhoneFormat.E164)));
            foreach (var f in phone.Formats) _identifiers.Add(phone.Format(f));
            var format = Pick(phone.Formats);
            info.Phone = phone;
            info.PhoneFormat = format;
            info.Linkables.Add(new Linkable("phone", phone.Format(PhoneFormat.E164)) { Phone = phone, PhoneFormat = format });
            return new Identifier { Type = "phone", Value = phone.Format(format), Country = phone.Country };
        }

        private Identifier AddEmail(PersonInfo info)
        {
            string email;
            do
            {
                var local = Chance(0.5)
                    ? SyntheticCatalog.Ascii(info.First) + "." + SyntheticCatalog.Ascii(info.Surname)
                    : SyntheticCatalog.Ascii(info.First)[..1] + SyntheticCatalog.Ascii(info.Surname);
                email = local + _rng.Next(1, 100).ToString(CultureInfo.InvariantCulture) + "@" + Pick(SyntheticCatalog.EmailDomains);
            }
            while (!Claim("email:" + email));
            _identifiers.Add(email);
            _identifiers.Add(EmailVariant(email));
            info.Email = email;
            info.Linkables.Add(new Linkable("email", email));
            return new Identifier { Type = "email", Value = email };
        }

        private Identifier AddHandle(PersonInfo info, string platform)
        {
            string handle;
            do
            {
                handle = Chance(0.5)
                    ? SyntheticCatalog.Ascii(info.First) + "_" + Pick(SyntheticCatalog.HandleWords) + _rng.Next(1, 100).ToString(CultureInfo.InvariantCulture)
                    : Pick(SyntheticCatalog.HandleWords) + "." + SyntheticCatalog.Ascii(info.Surname) + _rng.Next(1, 1000).ToString(CultureInfo.InvariantCulture);
            }
            while (!Claim("handle:" + platform + ":" + handle));
            _identifiers.Add(handle);
            _identifiers.Add("@" + handle);
            info.Handle = handle;
            info.HandlePlatform = platform;
            info.Linkables.Add(new Linkable("handle", platform + ":" + handle) { Platform = platform });
            return new Identifier { Type = "handle", Value = handle, Platform = platform };
        }

        private Identifier AddPassport(PersonInfo info, string country)
        {
            string doc;
            do doc = IdentifierMaker.Passport(_rng);
            while (!Claim("document:" + doc));
            _identifiers.Add(doc);
            info.Passport = doc;
            return new Identifier { Type = "document", Value = doc, Country = country };
        }

        private Identifier AddPlate(PersonInfo info, string country)
        {
            string plate;
            do plate = IdentifierMaker.Plate(_rng, country);
            while (!Claim("plate:" + plate));
            _identifiers.Add(plate);
            info.Plate = plate;
            return new Identifier { Type = "plate", Value = plate, Country = country };
        }

        // ---- money --------------------------------------------------------------------------------

        private sealed record FlowInfo(string Channel, string AmountBand, long Amount, string? Iban, string? Card, string? Wallet, Linkable? Linkable);

        private (FinancialFlow, FlowInfo) MakeFlow(string channel, string band, string jurisdiction, string origin)
        {
            var amount = band switch
            {
                "under-100" => _rng.Next(20, 100),
                "100-999" => _rng.Next(10, 100) * 10L,
                "1000-9999" => _rng.Next(10, 100) * 100L,
                "10000-99999" => _rng.Next(10, 100) * 1000L,
                _ => _rng.Next(10, 100) * 10000L,
            };
            var ids = new List<Identifier>();
            string? iban = null, card = null, wallet = null;
            Linkable? linkable = null;
            switch (channel)
            {
                case "bank-transfer":
                {
                    var country = IdentifierMaker.IbanCountries.Contains(origin) && Chance(0.5) ? origin
                        : IdentifierMaker.IbanCountries.Contains(jurisdiction) ? jurisdiction
                        : Pick(IdentifierMaker.IbanCountries);
                    do iban = IdentifierMaker.Iban(_rng, country);
                    while (!Claim("iban:" + iban));
                    _identifiers.Add(iban);
                    _identifiers.Add(IdentifierMaker.IbanSpaced(iban));
                    ids.Add(new Identifier { Type = "iban", Value = iban, Country = country });
                    linkable = new Linkable("iban", iban);
                    break;
                }
                case "card":
                    do card = IdentifierMaker.Card(_rng);
                    while (!Claim("card:" + card));
                    _identifiers.Add(card);
                    _identifiers.Add(IdentifierMaker.CardSpaced(card));
                    ids.Add(new Identifier { Type = "card", Value = card });
                    break;
                case "crypto":
                    do wallet = Chance(0.6) ? IdentifierMaker.BitcoinAddress(_rng) : IdentifierMaker.EthereumAddress(_rng);
                    while (!Claim("wallet:" + wallet));
                    _identifiers.Add(wallet);
                    ids.Add(new Identifier { Type = "wallet", Value = wallet });
                    linkable = new Linkable("wallet", wallet);
                    break;
            }
            var flow = new FinancialFlow { AmountBand = band, Channel = channel, Identifiers = ids };
            return (flow, new FlowInfo(channel, band, amount, iban, card, wallet, linkable));
        }

        // ---- links --------------------------------------------------------------------------------

        /// <summary>An identifier that later cases may reuse. <see cref="Value"/> is its normalised form.</summary>
        private sealed record Linkable(string Type, string Value)
        {
            public SyntheticPhone? Phone { get; init; }
            public PhoneFormat PhoneFormat { get; init; }
            public string? Platform { get; init; }
            public string Jurisdiction { get; init; } = "";
            public CaseKey Key { get; init; } = new("", "");
        }

        /// <summary>Puts the source identifier into this case in another written form; returns a narrative sentence.</summary>
        private string Reuse(Linkable source, List<Suspect> suspects, List<FinancialFlow> flows, List<PersonInfo> suspectInfo)
        {
            var holder = _rng.Next(suspects.Count);
            var who = suspectInfo[holder];
            Identifier id;
            string sentence;
            switch (source.Type)
            {
                case "phone":
                {
                    var phone = source.Phone!;
                    var others = phone.Formats.Where(f => f != source.PhoneFormat).ToArray();
                    var written = phone.Format(Pick(others));
                    var spoken = phone.Format(Pick(phone.Formats.Where(f => f != source.PhoneFormat && phone.Format(f) != written).ToArray()));
                    id = new Identifier { Type = "phone", Value = written, Country = phone.Country };
                    sentence = $"{who.Surname} was also reachable on {spoken}.";
                    break;
                }
                case "email":
                {
                    var variant = EmailVariant(source.Value);
                    id = new Identifier { Type = "email", Value = variant };
                    sentence = $"{who.First} also used the address {source.Value}.";
                    break;
                }
                case "handle":
                {
                    var handle = source.Value[(source.Platform!.Length + 1)..];
                    id = new Identifier { Type = "handle", Value = "@" + handle, Platform = source.Platform };
                    sentence = $"{who.Surname} also wrote from @{handle} on {PlatformName(source.Platform)}.";
                    break;
                }
                case "iban":
                {
                    var spaced = IdentifierMaker.IbanSpaced(source.Value);
                    flows.Add(new FinancialFlow
                    {
                        AmountBand = Pick(SyntheticCatalog.AmountBands),
                        Channel = "bank-transfer",
                        Identifiers = [new Identifier { Type = "iban", Value = spaced, Country = source.Value[..2] }],
                    });
                    return $"Further payments were traced to the account {spaced}.";
                }
                default:
                    flows.Add(new FinancialFlow
                    {
                        AmountBand = Pick(SyntheticCatalog.AmountBands),
                        Channel = "crypto",
                        Identifiers = [new Identifier { Type = "wallet", Value = source.Value }],
                    });
                    return $"Part of the proceeds went to the wallet {source.Value}.";
            }
            var s = suspects[holder];
            suspects[holder] = s with { Identifiers = [.. s.Identifiers, id] };
            return sentence;
        }

        // ---- narrative ----------------------------------------------------------------------------

        private string Narrative(Profile profile, string reference, int registered, string jurisdiction, DateOnly from, DateOnly to,
            List<PersonInfo> victims, List<PersonInfo> suspects, List<FlowInfo> flows, List<EvidenceRequest> requests, string? linked)
        {
            var sb = new List<string>();
            var v = victims[0];
            var r = suspects[0];
            var vDesc = v.DateOfBirth is { } dob
                ? $"{v.Full}, a national of {SyntheticCatalog.CountryName(v.Citizenship)} born on {LongDate(dob)}"
                : $"{v.Full}, a {v.Age}-year-old national of {SyntheticCatalog.CountryName(v.Citizenship)}";
            var relation = r.Relation switch
            {
                "intimate-partner" => ", who presented himself as her boyfriend",
                "family" => ", a relative",
                "employer" => ", who offered a job",
                "friend" => ", a friend of the family",
                "acquaintance" => ", an acquaintance",
                _ => "",
            };
            if (r.Relation == "intimate-partner" && v.Gender == "male") relation = ", who posed as a romantic partner";
            sb.Add($"Between {MonthYear(from)} and {MonthYear(to)}, {vDesc}, was recruited {ChannelPhrase(profile.Channel)} by {r.Full}{relation}.");

            string? others = null;
            if (victims.Count > 1)
                sb.Add(others = $"{(victims.Count == 2 ? "A second victim" : "Two further victims")}, {string.Join(" and ", victims.Skip(1).Select(x => x.Full))}, {(victims.Count == 2 ? "was" : "were")} identified in the same proceedings.");

            var contact = new List<string>();
            if (r.Phone is { } phone)
            {
                var other = phone.Formats.Where(f => f != r.PhoneFormat).ToArray();
                contact.Add($"the phone number {phone.Format(Pick(other))}");
            }
            if (r.Email is { } email) contact.Add($"the e-mail address {email}");
            if (contact.Count > 0) sb.Add($"{r.Surname} contacted the victim using {string.Join(" and ", contact)}.");
            if (r.Handle is { } handle) sb.Add($"Messages were exchanged with the account @{handle} on {PlatformName(r.HandlePlatform!)}.");
            else if (v.Handle is { } vh) sb.Add($"{v.First} was first approached through @{vh} on {PlatformName(v.HandlePlatform!)}.");

            if (profile.HasRoute && profile.Origin != profile.Destination)
            {
                var via = profile.Transit.Where(t => t != profile.Origin && t != profile.Destination).Select(SyntheticCatalog.CountryName).ToArray();
                var transporter = suspects.FirstOrDefault(s => s.Plate is not null);
                var plate = transporter is null ? "" : $" in a vehicle with registration {transporter.Plate} driven by {transporter.Full}";
                var originCity = _placeRng.NextDouble() < 0.5 ? PlantCity(profile.Origin) : null;
                var origin = originCity is null ? SyntheticCatalog.CountryName(profile.Origin) : $"{originCity} ({SyntheticCatalog.CountryName(profile.Origin)})";
                sb.Add($"{v.First} was taken {TransportPhrase(profile.Transport)} from {origin}{(via.Length > 0 ? " via " + JoinAnd(via) : "")} to {SyntheticCatalog.CountryName(profile.Destination)}{plate}.");
            }

            // Where the victim was exploited, as a case summary would say it: the city, sometimes the street address.
            var exploitedIn = profile.HasRoute ? profile.Destination : profile.Origin;
            var city = _placeRng.NextDouble() < 0.6 ? PlantCity(exploitedIn) : null;
            var address = city is not null && _placeRng.NextDouble() < 0.4 ? PlantAddress(exploitedIn) : null;
            var pronoun = v.Gender == "male" ? "he" : v.Gender == "female" ? "she" : "they";
            var verb = v.Gender == "other" ? "were" : "was";
            var where = city is null ? $"There {pronoun} {verb}"
                : address is null ? $"In {city} {pronoun} {verb}"
                : $"In {city} {pronoun} {verb} kept {(_placeRng.NextDouble() < 0.5 ? "in a flat at" : "at")} {address} and";
            sb.Add($"{where} subjected to {ExploitationPhrase(profile.Exploitation)}{(profile.Means.Length > 0 ? ", controlled through " + JoinAnd(profile.Means.Select(m => m.Replace('-', ' ')).ToArray()) : "")}.");

            var flow = flows[0];
            var amount = "EUR " + flow.Amount.ToString("N0", CultureInfo.InvariantCulture);
            if (flow.Iban is { } iban) sb.Add($"About {amount} was transferred to the account IBAN {IdentifierMaker.IbanSpaced(iban)}.");
            else if (flow.Wallet is { } wallet) sb.Add($"Payments of about {amount} were made in crypto-assets to the wallet {wallet}.");
            else if (flow.Card is { } card) sb.Add($"Payments of about {amount} were made with the card {IdentifierMaker.CardSpaced(card)}.");
            else sb.Add($"The proceeds were estimated at {amount}.");

            string? passport = null;
            var withPassport = victims.Concat(suspects).FirstOrDefault(x => x.Passport is not null);
            if (withPassport is not null)
                sb.Add(passport = withPassport.Role is null
                    ? $"{withPassport.Surname}'s passport no. {withPassport.Passport} was withheld by {r.First}."
                    : $"{withPassport.First} travelled on passport no. {withPassport.Passport}.");

            if (linked is not null) sb.Add(linked);

            var request = requests.FirstOrDefault(q => q.Instrument is "eio" or "mla" or "jit");
            var requestText = request is null ? "" : request.Instrument switch
            {
                "eio" => $"; a European Investigation Order was sent to {SyntheticCatalog.CountryName(request.Country)}",
                "jit" => $"; a joint investigation team was set up with {SyntheticCatalog.CountryName(request.Country)}",
                _ => $"; a request for mutual legal assistance was sent to {SyntheticCatalog.CountryName(request.Country)}",
            };
            sb.Add($"The case was registered under no. {reference} in {registered}{requestText}.");

            // 3-8 sentences.
            if (sb.Count > 8 && others is not null) sb.Remove(others);
            if (sb.Count > 8 && passport is not null) sb.Remove(passport);
            return string.Join(" ", sb);
        }

        private string? PlantCity(string country)
        {
            var city = SyntheticPlaces.City(_placeRng, country);
            if (city is not null) _cities.Add(city);
            return city;
        }

        private string? PlantAddress(string country)
        {
            var address = SyntheticPlaces.Address(_placeRng, country);
            if (address is not null) _addresses.Add(address);
            return address;
        }

        private static string JoinAnd(IReadOnlyList<string> items) =>
            items.Count <= 1 ? string.Join("", items) : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];

        private static string ChannelPhrase(string channel) => channel switch
        {
            "social-media" => "through social media",
            "messaging-app" => "through a messaging app",
            "online-advertisement" => "through an online job advertisement",
            "dating-platform" => "on a dating platform",
            "gaming-platform" => "on an online gaming platform",
            "in-person" => "in person",
            "family" => "within the family",
            _ => "by other means",
        };

        private static string TransportPhrase(string transport) => transport switch
        {
            "car" => "by car",
            "bus" => "by bus",
            "train" => "by train",
            "plane" => "by plane",
            "boat" => "partly by boat",
            "truck" => "by minivan",
            "on-foot" => "partly on foot",
            _ => "by other means",
        };

        private static string ExploitationPhrase(IReadOnlyList<string> types) =>
            string.Join(" and ", types.Select(t => t switch
            {
                "sexual" => "sexual exploitation",
                "labour" => "labour exploitation",
                "forced-criminality" => "forced criminality",
                "begging" => "forced begging",
                "forced-marriage" => "a forced marriage",
                "organ-removal" => "the removal of organs",
                "illegal-adoption" => "an illegal adoption",
                "online-sexual" => "online sexual exploitation",
                "domestic-servitude" => "domestic servitude",
                _ => "other exploitation",
            }));

        private static string PlatformName(string platform) => platform switch
        {
            "facebook" => "Facebook", "instagram" => "Instagram", "tiktok" => "TikTok", "snapchat" => "Snapchat",
            "telegram" => "Telegram", "whatsapp" => "WhatsApp", "signal" => "Signal", "viber" => "Viber", "x" => "X",
            "onlyfans" => "OnlyFans", "discord" => "Discord", "roblox" => "Roblox", "tinder" => "Tinder", "badoo" => "Badoo",
            "vk" => "VK", _ => "another platform",
        };

        private static string EmailVariant(string email)
        {
            var at = email.IndexOf('@');
            var local = email[..at];
            var domain = email[(at + 1)..];
            return char.ToUpperInvariant(local[0]) + local[1..] + "@" + char.ToUpperInvariant(domain[0]) + domain[1..];
        }

        private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        private static string LongDate(DateOnly d) =>
            d.Day.ToString(CultureInfo.InvariantCulture) + " " + SyntheticCatalog.MonthNames[d.Month - 1] + " " + d.Year.ToString(CultureInfo.InvariantCulture);

        private static string MonthYear(DateOnly d) =>
            SyntheticCatalog.MonthNames[d.Month - 1] + " " + d.Year.ToString(CultureInfo.InvariantCulture);
    }
}
