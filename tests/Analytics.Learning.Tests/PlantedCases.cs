using Analytics.Core.Cases;

namespace Analytics.Learning.Tests;

/// <summary>Synthetic case profiles with clearly separated planted groups and known ground truth.</summary>
internal static class PlantedCases
{
    public sealed record Group(
        string Name,
        string[] Genders,
        string[] AgeBands,
        string Citizenship,
        string Channel,
        string Relation,
        string[] Route,
        string Exploitation,
        string[] Control,
        string[] Evidence,
        string[] Platforms,
        string[] Sectors,
        string[] Jurisdictions);

    public static readonly Group[] Groups =
    [
        new("girls-ro-it", ["female"], ["12-14", "15-17"], "RO", "social-media", "intimate-partner", ["RO", "HU", "AT", "IT"], "sexual",
            ["psychological-abuse", "takes-earnings"], ["chat-logs", "social-media-content"], ["facebook", "instagram"], [], ["IT", "RO"]),
        new("boys-al-gr", ["male"], ["15-17"], "AL", "in-person", "acquaintance", ["AL", "GR"], "forced-criminality",
            ["threats", "physical-abuse"], ["call-records"], ["whatsapp"], [], ["GR"]),
        new("women-ng-es", ["female"], ["21-23", "24-26", "27-29"], "NG", "online-advertisement", "stranger", ["NG", "LY", "IT", "ES"], "sexual",
            ["debt-bondage", "threats"], ["financial-transactions"], ["telegram"], [], ["ES", "IT"]),
        new("men-ua-pl", ["male"], ["30-38", "39-47"], "UA", "online-advertisement", "employer", ["UA", "PL"], "labour",
            ["withholds-documents", "excessive-working-hours"], ["call-records", "geolocation"], ["viber"], ["agriculture", "construction"], ["PL", "DE"]),
        new("children-bg-fr", ["female", "male"], ["0-8", "9-11"], "BG", "family", "family", ["BG", "FR"], "begging",
            ["restricts-movement", "uses-children"], ["geolocation"], [], [], ["FR"]),
        new("girls-de-online", ["female"], ["12-14"], "DE", "gaming-platform", "stranger", ["DE", "NL"], "online-sexual",
            ["psychological-abuse", "sexual-abuse"], ["device-images", "cloud-data"], ["discord", "roblox"], [], ["DE", "NL"]),
    ];

    /// <summary>Profiles of <paramref name="perGroup"/> cases per group, each field replaced by a random code with probability <paramref name="noise"/>.</summary>
    public static (List<CaseProfile> Profiles, List<int> Truth) Generate(int perGroup = 150, double noise = 0.1, int seed = 7, Group[]? groups = null)
    {
        groups ??= Groups;
        var random = new Random(seed);
        var profiles = new List<CaseProfile>();
        var truth = new List<int>();
        string Pick(string[] values) => values[random.Next(values.Length)];
        string Noisy(string value, string list) => random.NextDouble() < noise ? Pick([.. CodeLists.Codes(list)]) : value;
        string[] NoisyList(string[] values, string list) =>
            random.NextDouble() < noise ? [Pick([.. CodeLists.Codes(list)])] : values;

        for (var g = 0; g < groups.Length; g++)
        {
            var group = groups[g];
            for (var i = 0; i < perGroup; i++)
            {
                var victims = Enumerable.Range(0, 1 + random.Next(2)).Select(_ => new ProfileVictim(
                    Noisy(Pick(group.AgeBands), CodeLists.AgeBands),
                    Noisy(Pick(group.Genders), CodeLists.Genders),
                    random.NextDouble() < noise ? Pick(["FR", "ES", "PT", "CZ"]) : group.Citizenship)).ToList();
                var suspects = Enumerable.Range(0, 1 + random.Next(2)).Select(_ => new ProfileSuspect(
                    Pick(["recruiter", "exploiter", "controller"]), Noisy(group.Relation, CodeLists.RelationsToVictim))).ToList();
                var route = random.NextDouble() < noise ? [Pick(["FR", "ES", "PT", "CZ"]), group.Route[^1]] : group.Route;
                profiles.Add(new CaseProfile
                {
                    Jurisdiction = Pick(group.Jurisdictions),
                    PeriodFrom = $"{2019 + random.Next(6)}-{1 + random.Next(12):00}",
                    Victims = victims,
                    Suspects = suspects,
                    RecruitmentChannels = [Noisy(group.Channel, CodeLists.RecruitmentChannels)],
                    MeansOfControl = NoisyList(group.Control, CodeLists.MeansOfControl),
                    ExploitationTypes = [Noisy(group.Exploitation, CodeLists.ExploitationTypes)],
                    LabourSectors = group.Sectors.Length > 0 ? [Pick(group.Sectors)] : [],
                    RouteCountries = route,
                    ExploitationCountries = [route[^1]],
                    EvidenceKinds = NoisyList(group.Evidence, CodeLists.EvidenceKinds),
                    Platforms = group.Platforms.Length > 0 ? NoisyList(group.Platforms, CodeLists.Platforms) : [],
                    PaymentChannels = [Pick(["cash", "bank-transfer"])],
                });
                truth.Add(g);
            }
        }
        return (profiles, truth);
    }
}
