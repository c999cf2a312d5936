using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Analytics.Core.Cases;
using Analytics.Core.Synthetic;
using PhoneNumbers;

namespace Analytics.Core.Tests.Synthetic;

public sealed class CaseGeneratorTests
{
    private static readonly GeneratedDataset Default = new CaseGenerator(new GeneratorOptions { Count = 1200 }).Run();

    private static IEnumerable<Identifier> AllIdentifiers(CaseSubmission c) =>
        c.Victims.SelectMany(v => v.Identifiers)
            .Concat(c.Suspects.SelectMany(s => s.Identifiers))
            .Concat(c.FinancialFlows.SelectMany(f => f.Identifiers));

    private static byte[] Ndjson(GeneratorOptions options, out byte[] truth)
    {
        using var cases = new MemoryStream();
        using var gt = new MemoryStream();
        new CaseGenerator(options).WriteNdjson(cases, gt);
        truth = gt.ToArray();
        return cases.ToArray();
    }

    [Fact]
    public void WriteNdjson_WritesIdenticalBytes_WhenSeedIsTheSame()
    {
        var a = Ndjson(new GeneratorOptions { Seed = 7, Count = 300 }, out var ta);
        var b = Ndjson(new GeneratorOptions { Seed = 7, Count = 300 }, out var tb);

        Assert.Equal(a, b);
        Assert.Equal(ta, tb);
    }

    [Fact]
    public void WriteNdjson_WritesDifferentBytes_WhenSeedDiffers()
    {
        var a = Ndjson(new GeneratorOptions { Seed = 7, Count = 300 }, out _);
        var b = Ndjson(new GeneratorOptions { Seed = 8, Count = 300 }, out _);

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void WriteNdjson_WritesOneCamelCaseCasePerLine_WithoutNulls()
    {
        var bytes = Ndjson(new GeneratorOptions { Count = 50 }, out var truth);
        var lines = Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(50, lines.Length);
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            Assert.True(doc.RootElement.TryGetProperty("caseReference", out _));
            Assert.True(doc.RootElement.TryGetProperty("victims", out _));
            Assert.DoesNotContain(":null", line, StringComparison.Ordinal);
        }
        using var gt = JsonDocument.Parse(truth);
        Assert.Equal(50, gt.RootElement.GetProperty("cases").GetArrayLength());
    }

    [Fact]
    public void Generate_PlantsEveryPattern_WithAtLeastItsShare()
    {
        var counts = Default.Cases.GroupBy(c => c.PatternId).ToDictionary(g => g.Key, g => g.Count());
        var share = (int)Math.Floor(1200 * 0.9 / PlantedPatterns.All.Count);

        Assert.True(PlantedPatterns.All.Count >= 8);
        foreach (var p in PlantedPatterns.All)
            Assert.True(counts.GetValueOrDefault(p.Id) >= share, $"{p.Id}: {counts.GetValueOrDefault(p.Id)} < {share}");
        Assert.Equal(120, counts[PlantedPatterns.NoiseId]);
    }

    [Fact]
    public void Generate_PlantsPatternAttributes_InMostCasesOfThePattern()
    {
        foreach (var p in PlantedPatterns.All)
        {
            var cases = Default.Cases.Where(c => c.PatternId == p.Id).Select(c => c.Case).ToList();
            var channel = cases.Count(c => p.RecruitmentChannels.Contains(c.ModusOperandi!.RecruitmentChannels[0]));
            var exploitation = cases.Count(c => c.ModusOperandi!.ExploitationTypes.SequenceEqual(p.ExploitationTypes));
            Assert.InRange(channel / (double)cases.Count, 0.8, 1.0);
            Assert.InRange(exploitation / (double)cases.Count, 0.8, 1.0);
        }
    }

    [Fact]
    public void Generate_TriplesEmergingPatternRate_InFinalQuarter()
    {
        const string id = "teens-gaming-crypto-eu";
        var data = new CaseGenerator(new GeneratorOptions { Count = 4000, EmergingPatternId = id }).Run();
        double Rate(string patternId, bool finalQuarter)
        {
            var n = data.Cases.Count(c => c.PatternId == patternId && c.Case.OffencePeriod!.From!.StartsWith("2024-1", StringComparison.Ordinal) == finalQuarter);
            return n / (finalQuarter ? 3.0 : 69.0);
        }

        var emerging = Rate(id, true) / Rate(id, false);
        var steady = Rate("boys-criminality-bg-at", true) / Rate("boys-criminality-bg-at", false);

        Assert.InRange(emerging, 2.0, 4.5);
        Assert.InRange(steady, 0.4, 1.8);
    }

    [Fact]
    public void GroundTruth_MapsEveryCaseToItsPattern()
    {
        Assert.Equal(Default.Cases.Count, Default.GroundTruth.Cases.Count);
        for (var i = 0; i < Default.Cases.Count; i++)
        {
            var c = Default.Cases[i];
            var t = Default.GroundTruth.Cases[i];
            Assert.Equal((c.Case.Authority, c.Case.CaseReference, c.PatternId), (t.Authority, t.CaseReference, t.PatternId));
        }
        Assert.Equal(Default.Cases.Count, Default.Cases.Select(c => c.Case.Authority + "|" + c.Case.CaseReference).Distinct().Count());
    }

    [Fact]
    public void GroundTruth_LinksSpanJurisdictions_AndEveryCaseHoldsTheIdentifier()
    {
        var byKey = Default.Cases.ToDictionary(c => new CaseKey(c.Case.Authority, c.Case.CaseReference), c => c.Case);
        var links = Default.GroundTruth.Links;

        Assert.NotEmpty(links);
        Assert.True(links.Sum(l => l.CaseKeys.Count - 1) >= 1200 * 0.05 * 0.9);
        foreach (var link in links)
        {
            var cases = link.CaseKeys.Select(k => byKey[k]).ToList();
            Assert.True(cases.Select(c => c.Jurisdiction).Distinct().Count() >= 2, "link within one jurisdiction");
            var shared = cases
                .Select(c => AllIdentifiers(c).Where(i => i.Type == link.IdentifierType).Select(Normalise).ToHashSet())
                .Aggregate((a, b) => { a.IntersectWith(b); return a; });
            Assert.True(shared.Count > 0, link.IdentifierType + " " + string.Join(" / ", cases.Select(c => string.Join(",", AllIdentifiers(c).Where(i => i.Type == link.IdentifierType).Select(i => i.Value)))));
        }
    }

    [Fact]
    public void GroundTruth_WritesLinkedPhones_InAnotherFormat()
    {
        var byKey = Default.Cases.ToDictionary(c => new CaseKey(c.Case.Authority, c.Case.CaseReference), c => c.Case);
        var phoneLinks = Default.GroundTruth.Links.Where(l => l.IdentifierType == "phone").ToList();

        Assert.NotEmpty(phoneLinks);
        foreach (var link in phoneLinks)
        {
            var raw = link.CaseKeys.Select(k => AllIdentifiers(byKey[k]).Where(i => i.Type == "phone").Select(i => i.Value).ToHashSet()).ToList();
            var normalisedShared = link.CaseKeys
                .Select(k => AllIdentifiers(byKey[k]).Where(i => i.Type == "phone").Select(Normalise).ToHashSet())
                .Aggregate((a, b) => { a.IntersectWith(b); return a; });
            var writtenInFirst = AllIdentifiers(byKey[link.CaseKeys[0]]).First(i => i.Type == "phone" && normalisedShared.Contains(Normalise(i))).Value;
            Assert.DoesNotContain(writtenInFirst, raw[1]);
        }
    }

    [Fact]
    public void Generate_ProducesPhones_ValidForLibphonenumber()
    {
        var util = PhoneNumberUtil.GetInstance();
        var phones = Default.Cases.SelectMany(c => AllIdentifiers(c.Case)).Where(i => i.Type == "phone").ToList();

        Assert.True(phones.Count > 500);
        var bad = phones.Where(p => !util.IsValidNumber(util.Parse(p.Value, p.Country))).Select(p => p.Country + ":" + p.Value).ToList();
        Assert.True(bad.Count == 0, string.Join("; ", bad));
        foreach (var p in phones)
        {
            var number = util.Parse(p.Value, p.Country);
            Assert.True(util.IsValidNumber(number), $"{p.Value} ({p.Country}) is not valid");
            Assert.Equal(PhoneNumberType.MOBILE, util.GetNumberType(number));
            Assert.Equal(p.Country, util.GetRegionCodeForNumber(number));
        }
    }

    [Fact]
    public void Generate_ProducesIbans_PassingMod97()
    {
        var ibans = Default.Cases.SelectMany(c => AllIdentifiers(c.Case)).Where(i => i.Type == "iban").ToList();
        var lengths = new Dictionary<string, int> { ["RO"] = 24, ["IT"] = 27, ["BG"] = 22, ["DE"] = 22, ["ES"] = 24, ["PL"] = 28 };

        Assert.True(ibans.Count > 50);
        foreach (var i in ibans)
        {
            var iban = i.Value.Replace(" ", "", StringComparison.Ordinal);
            Assert.Equal(lengths[iban[..2]], iban.Length);
            var rearranged = iban[4..] + iban[..4];
            var digits = string.Concat(rearranged.Select(ch => char.IsLetter(ch) ? (ch - 'A' + 10).ToString(CultureInfo.InvariantCulture) : ch.ToString()));
            Assert.Equal(1, (int)(BigInteger.Parse(digits, CultureInfo.InvariantCulture) % 97));
        }
    }

    [Fact]
    public void Generate_ProducesCards_PassingLuhn()
    {
        var cards = Default.Cases.SelectMany(c => AllIdentifiers(c.Case)).Where(i => i.Type == "card").ToList();

        Assert.NotEmpty(cards);
        foreach (var c in cards)
        {
            Assert.Matches("^[45][0-9]{15}$", c.Value);
            var sum = 0;
            for (var i = 0; i < c.Value.Length; i++)
            {
                var d = c.Value[c.Value.Length - 1 - i] - '0';
                if (i % 2 == 1) { d *= 2; if (d > 9) d -= 9; }
                sum += d;
            }
            Assert.Equal(0, sum % 10);
        }
    }

    [Fact]
    public void Generate_ProducesWallets_WithValidChecksums()
    {
        const string alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        var wallets = Default.Cases.SelectMany(c => AllIdentifiers(c.Case)).Where(i => i.Type == "wallet").Select(i => i.Value).Distinct().ToList();

        Assert.Contains(wallets, w => w.StartsWith('1'));
        Assert.Contains(wallets, w => w.StartsWith("0x", StringComparison.Ordinal));
        foreach (var w in wallets)
        {
            if (w.StartsWith("0x", StringComparison.Ordinal))
            {
                Assert.Matches("^0x[0-9a-f]{40}$", w);
                continue;
            }
            BigInteger value = 0;
            foreach (var ch in w)
            {
                var k = alphabet.IndexOf(ch, StringComparison.Ordinal);
                Assert.True(k >= 0, $"{w} is not base58");
                value = value * 58 + k;
            }
            var body = value.ToByteArray(isUnsigned: true, isBigEndian: true);
            var leading = w.TakeWhile(ch => ch == '1').Count();
            var bytes = new byte[leading].Concat(body).ToArray();
            Assert.Equal(25, bytes.Length);
            Assert.Equal(0x00, bytes[0]);
            var check = SHA256.HashData(SHA256.HashData(bytes[..21]));
            Assert.Equal(check[..4], bytes[21..]);
        }
    }

    private static readonly Dictionary<string, string[]> Codes = new()
    {
        ["gender"] = ["female", "male", "other"],
        ["stage"] = ["investigation", "prosecution", "trial", "appeal", "closed"],
        ["outcome"] = ["pending", "convicted", "acquitted", "dismissed", "discontinued", "other"],
        ["exploitation"] = ["sexual", "labour", "forced-criminality", "begging", "forced-marriage", "organ-removal", "illegal-adoption", "online-sexual", "domestic-servitude", "other"],
        ["sector"] = ["agriculture", "construction", "manufacturing", "domestic-work", "hospitality", "fishing", "mining", "transportation", "other"],
        ["means"] = ["debt-bondage", "takes-earnings", "restricts-financial-access", "threats", "psychological-abuse", "physical-abuse", "sexual-abuse", "false-promises", "psychoactive-substances", "restricts-movement", "restricts-medical-care", "excessive-working-hours", "uses-children", "threat-of-law-enforcement", "withholds-necessities", "withholds-documents", "other"],
        ["channel"] = ["social-media", "messaging-app", "online-advertisement", "dating-platform", "gaming-platform", "in-person", "family", "other"],
        ["relation"] = ["intimate-partner", "friend", "family", "acquaintance", "stranger", "employer", "other"],
        ["platform"] = ["facebook", "instagram", "tiktok", "snapchat", "telegram", "whatsapp", "signal", "viber", "x", "onlyfans", "discord", "roblox", "tinder", "badoo", "vk", "other"],
        ["role"] = ["recruiter", "transporter", "exploiter", "controller", "financier", "other"],
        ["kind"] = ["chat-logs", "social-media-content", "call-records", "geolocation", "financial-transactions", "crypto", "cloud-data", "device-images", "other"],
        ["vulnerability"] = ["unaccompanied-minor", "in-care", "homeless", "disability", "substance-dependence", "domestic-violence", "poverty", "irregular-migration-status", "school-dropout", "prior-abuse", "other"],
        ["identifiedBy"] = ["law-enforcement", "ngo", "social-services", "self-referral", "family", "hotline", "labour-inspection", "health-services", "other"],
        ["transport"] = ["car", "bus", "train", "plane", "boat", "truck", "on-foot", "other"],
        ["payment"] = ["cash", "bank-transfer", "money-transfer-service", "card", "crypto", "mobile-payment", "other"],
        ["amount"] = ["under-100", "100-999", "1000-9999", "10000-99999", "100000-plus"],
        ["instrument"] = ["eio", "mla", "jit", "production-order", "preservation-order", "other"],
        ["idType"] = ["name", "phone", "email", "iban", "card", "wallet", "handle", "document", "plate"],
    };

    [Fact]
    public void Generate_UsesOnlyAgreedCodes()
    {
        var country = new Regex("^[A-Z]{2}$");
        void Code(string list, string? value)
        {
            if (value is null) return;
            Assert.True(Codes[list].Contains(value), $"{list}: '{value}' is not an agreed code");
        }

        foreach (var c in Default.Cases.Select(x => x.Case))
        {
            Assert.Matches(country, c.Jurisdiction);
            Assert.NotEqual("UK", c.Jurisdiction);
            Code("stage", c.Stage);
            Code("outcome", c.Outcome);
            Assert.InRange(c.Victims.Count, 1, 3);
            Assert.InRange(c.Suspects.Count, 1, 4);
            foreach (var v in c.Victims)
            {
                Code("gender", v.Gender);
                Code("identifiedBy", v.IdentifiedBy);
                Assert.Matches(country, v.Citizenship!);
                Assert.True(v.Age is not null ^ v.DateOfBirth is not null);
                foreach (var x in v.Vulnerabilities) Code("vulnerability", x);
            }
            foreach (var s in c.Suspects) { Code("role", s.Role); Code("relation", s.RelationToVictim); Code("gender", s.Gender); }
            foreach (var x in c.ModusOperandi!.ExploitationTypes) Code("exploitation", x);
            foreach (var x in c.ModusOperandi.LabourSectors) Code("sector", x);
            foreach (var x in c.ModusOperandi.MeansOfControl) Code("means", x);
            foreach (var x in c.ModusOperandi.RecruitmentChannels) Code("channel", x);
            foreach (var x in c.DigitalEvidence!.Platforms) Code("platform", x);
            foreach (var x in c.DigitalEvidence.Kinds) Code("kind", x);
            foreach (var x in c.DigitalEvidence.CrossBorderRequests) { Code("instrument", x.Instrument); Assert.Matches(country, x.Country); }
            foreach (var r in c.Route) { Code("transport", r.Transport); Assert.Matches(country, r.From); Assert.Matches(country, r.To); }
            foreach (var f in c.FinancialFlows) { Code("payment", f.Channel); Code("amount", f.AmountBand); }
            foreach (var i in AllIdentifiers(c)) Code("idType", i.Type);
            foreach (var x in c.ExploitationCountries) Assert.Matches(country, x);
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", c.OffencePeriod!.From!);
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", c.OffencePeriod.To!);
            Assert.InRange(string.CompareOrdinal(c.OffencePeriod.From, "2019-01-01"), 0, int.MaxValue);
            Assert.InRange(string.CompareOrdinal(c.OffencePeriod.To, "2024-12-31"), int.MinValue, 0);
            Assert.InRange(string.CompareOrdinal(c.OffencePeriod.From, c.OffencePeriod.To), int.MinValue, 0);
        }
    }

    [Fact]
    public void Generate_WritesNarratives_MentioningIdentifiersInOtherForms()
    {
        var util = PhoneNumberUtil.GetInstance();
        foreach (var c in Default.Cases.Select(x => x.Case))
        {
            var summary = c.Summary!;
            var sentences = Regex.Split(summary, @"(?<=\.)(?<!no\.)\s+(?=[A-Z])").Length;
            Assert.InRange(sentences, 3, 8);
            Assert.Contains(c.Victims[0].Name!, summary, StringComparison.Ordinal);
            Assert.Contains(c.Suspects[0].Name!, summary, StringComparison.Ordinal);
            Assert.Contains(c.CaseReference, summary, StringComparison.Ordinal);
            if (c.Victims[0].DateOfBirth is { } dob)
            {
                var d = DateOnly.ParseExact(dob, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                Assert.Contains("born on " + d.ToString("d MMMM yyyy", CultureInfo.InvariantCulture), summary, StringComparison.Ordinal);
            }
            var recruiterPhone = c.Suspects[0].Identifiers.FirstOrDefault(i => i.Type == "phone");
            if (recruiterPhone is not null)
            {
                var e164 = Normalise(recruiterPhone);
                var mentioned = Regex.Matches(summary, @"(?:\+|00)?[0-9][0-9 ]{7,}[0-9]")
                    .Select(m => m.Value)
                    .Where(m => { try { return util.Format(util.Parse(m, recruiterPhone.Country), PhoneNumberFormat.E164) == e164; } catch (NumberParseException) { return false; } })
                    .ToList();
                Assert.True(mentioned.Count > 0, recruiterPhone.Value + " | " + summary);
                Assert.DoesNotContain(recruiterPhone.Value, mentioned);
            }
            foreach (var iban in c.FinancialFlows.Take(1).SelectMany(f => f.Identifiers).Where(i => i.Type == "iban"))
                Assert.Contains(Regex.Replace(iban.Value, ".{4}(?!$)", "$0 "), summary, StringComparison.Ordinal);
        }
        Assert.Contains(Default.Cases, c => Regex.IsMatch(c.Case.Summary!, @"EUR \d{1,3}(,\d{3})+"));
        Assert.Contains(Default.Cases, c => c.Case.Summary!.Contains("passport no. ", StringComparison.Ordinal));
        Assert.Contains(Default.Cases, c => Regex.IsMatch(c.Case.Summary!, @"@\S+ on Instagram"));
    }

    [Fact]
    public void GroundTruth_IsTheSameBytes_AsBeforeNarrativesNamedPlaces()
    {
        // Places draw from their own random stream: patterns, identifiers and links are exactly what they were.
        Ndjson(new GeneratorOptions { Seed = 7, Count = 300 }, out var truth);

        Assert.Equal("de4de0638f279ffb5721e85ca6714d097ee8dc922ff7b2331fc804b8edb18ebd", Convert.ToHexStringLower(SHA256.HashData(truth)));
    }

    [Fact]
    public void Generate_NamesCitiesAndStreetAddresses_InNarratives()
    {
        var summaries = Default.Cases.Select(c => c.Case.Summary!).ToList();
        var places = Default.Places;

        Assert.True(places.Cities.Count >= 30, $"{places.Cities.Count} cities");
        Assert.True(places.Addresses.Count >= 100, $"{places.Addresses.Count} addresses");
        var withCity = summaries.Count(s => places.Cities.Any(c => s.Contains(c, StringComparison.Ordinal)));
        Assert.InRange(withCity / (double)summaries.Count, 0.3, 0.9);
        foreach (var address in places.Addresses) Assert.Contains(summaries, s => s.Contains(address, StringComparison.Ordinal));
        Assert.Contains(summaries, s => Regex.IsMatch(s, @"kept (in a flat )?at \d+ Baker Street"));
        Assert.Contains(summaries, s => s.Contains("In Milan she was", StringComparison.Ordinal) || s.Contains("In Milan he was", StringComparison.Ordinal));
        Assert.Contains(summaries, s => Regex.IsMatch(s, @"from [\p{L} -]+ \(Romania\)"));
    }

    [Fact]
    public void Generate_NamesTheSamePlaces_ForTheSameSeed()
    {
        var again = new CaseGenerator(new GeneratorOptions { Count = 1200 }).Run();

        Assert.Equal(Default.Places.Addresses, again.Places.Addresses);
        Assert.Equal(Default.Places.Cities, again.Places.Cities);
    }

    [Fact]
    public void GroundTruth_ListsEveryStructuredIdentifier()
    {
        var listed = Default.GroundTruth.GeneratedIdentifiers.ToHashSet(StringComparer.Ordinal);

        foreach (var c in Default.Cases.Select(x => x.Case))
        {
            foreach (var i in AllIdentifiers(c)) Assert.Contains(i.Value, listed);
            foreach (var v in c.Victims) { Assert.Contains(v.Name!, listed); if (v.DateOfBirth is { } d) Assert.Contains(d, listed); }
            foreach (var s in c.Suspects) Assert.Contains(s.Name!, listed);
        }
    }

    private static string Normalise(Identifier i) => i.Type switch
    {
        "phone" => PhoneNumberUtil.GetInstance().Format(PhoneNumberUtil.GetInstance().Parse(i.Value, i.Country), PhoneNumberFormat.E164),
        "email" => i.Value.ToLowerInvariant(),
        "iban" => i.Value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant(),
        "handle" => i.Platform + ":" + i.Value.TrimStart('@').ToLowerInvariant(),
        _ => i.Value,
    };
}
