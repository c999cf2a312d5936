using Analytics.Core.Cases;
using Analytics.Core.Pseudonymisation;
using Analytics.Core.Synthetic;

namespace Analytics.Benchmarks.Training;

/// <summary>
/// Case profiles for the training benchmark, built without the storage path.
/// </summary>
/// <remarks>
/// Pseudonymisation (HMAC tokens, text scrubbing) is not what this benchmark measures and a profile only carries
/// categorical fields, so profiles are built straight from the generated <see cref="CaseSubmission"/>s, with the same
/// generalisation the pseudonymiser applies (age → age band, dates → year-month, route → ordered countries).
/// At most <see cref="BaseCount"/> cases are generated with <see cref="CaseGenerator"/>; larger sizes replicate
/// them with seeded jitter: each further profile copies a random base profile and, with probability
/// <see cref="JitterShare"/> per field group, takes that group (victims, suspects, recruitment, means of control,
/// route, evidence, payment) from another random base profile. Exploitation types and sectors are never jittered,
/// so the classifier's label stays tied to the rest of its profile.
/// </remarks>
public static class BenchmarkProfiles
{
    /// <summary>Cases generated in full; sizes above are replicated with jitter.</summary>
    public const int BaseCount = 20_000;

    /// <summary>Chance that one field group of a replicated profile comes from another base profile.</summary>
    public const double JitterShare = 0.15;

    public static List<CaseProfile> Build(int count, int seed)
    {
        var generated = new CaseGenerator(new GeneratorOptions { Seed = seed, Count = Math.Min(count, BaseCount) }).Generate();
        var profiles = new List<CaseProfile>(count);
        foreach (var g in generated)
            profiles.Add(FromSubmission(g.Case));
        var baseCount = profiles.Count;
        var rng = new Random(seed + 1);
        while (profiles.Count < count)
        {
            var p = profiles[rng.Next(baseCount)];
            CaseProfile Other() => profiles[rng.Next(baseCount)];
            bool Jitter() => rng.NextDouble() < JitterShare;
            if (Jitter()) p = p with { Victims = Other().Victims };
            if (Jitter()) p = p with { Suspects = Other().Suspects };
            if (Jitter()) p = p with { RecruitmentChannels = Other().RecruitmentChannels };
            if (Jitter()) p = p with { MeansOfControl = Other().MeansOfControl };
            if (Jitter())
            {
                var o = Other();
                p = p with { RouteCountries = o.RouteCountries, ExploitationCountries = o.ExploitationCountries, Jurisdiction = o.Jurisdiction };
            }
            if (Jitter())
            {
                var o = Other();
                p = p with { EvidenceKinds = o.EvidenceKinds, Platforms = o.Platforms };
            }
            if (Jitter()) p = p with { PaymentChannels = Other().PaymentChannels };
            profiles.Add(p);
        }
        return profiles;
    }

    /// <summary>The profile <see cref="CaseProfile.From"/> would give for the stored form of <paramref name="c"/>.</summary>
    public static CaseProfile FromSubmission(CaseSubmission c)
    {
        var ageDate = Generalisation.TryParseDate(c.OffencePeriod?.From, out var from, out _) ? from : new DateOnly(2024, 1, 1);
        var mo = c.ModusOperandi ?? new ModusOperandi();
        var evidence = c.DigitalEvidence ?? new DigitalEvidence();
        return new CaseProfile
        {
            Jurisdiction = c.Jurisdiction,
            PeriodFrom = Generalisation.YearMonth(c.OffencePeriod?.From),
            Victims = c.Victims.Select(v => new ProfileVictim(AgeBand(v.Age, v.DateOfBirth, v.AgeBand, ageDate), v.Gender, v.Citizenship)).ToList(),
            Suspects = c.Suspects.Select(s => new ProfileSuspect(s.Role, s.RelationToVictim)).ToList(),
            RecruitmentChannels = mo.RecruitmentChannels,
            MeansOfControl = mo.MeansOfControl,
            ExploitationTypes = mo.ExploitationTypes,
            LabourSectors = mo.LabourSectors,
            RouteCountries = c.Route.Count == 0 ? [] : c.Route.Select(l => l.From).Append(c.Route[^1].To).Distinct().ToList(),
            ExploitationCountries = c.ExploitationCountries,
            EvidenceKinds = evidence.Kinds,
            Platforms = evidence.Platforms,
            PaymentChannels = c.FinancialFlows.Select(f => f.Channel).Distinct().ToList(),
        };
    }

    private static string? AgeBand(int? age, string? dateOfBirth, string? band, DateOnly at) =>
        age is { } a ? Generalisation.AgeBand(a)
        : dateOfBirth is not null ? Generalisation.AgeBandFromDateOfBirth(dateOfBirth, at) ?? Generalisation.ValidAgeBand(band)
        : Generalisation.ValidAgeBand(band);
}
