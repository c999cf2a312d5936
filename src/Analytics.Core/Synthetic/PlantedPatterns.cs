namespace Analytics.Core.Synthetic;

/// <summary>
/// A pattern planted in the synthetic cases: the attribute values every case of the pattern carries
/// (each attribute is replaced by a random value with probability <see cref="PlantedPatterns.AttributeNoise"/>).
/// All values are codes of /data-schemas/codelists.
/// </summary>
public sealed record PlantedPattern
{
    public required string Id { get; init; }
    public required string Description { get; init; }
    public required int VictimAgeMin { get; init; }
    public required int VictimAgeMax { get; init; }
    public required IReadOnlyList<string> VictimGenders { get; init; }
    /// <summary>Victims' citizenship and start of the route.</summary>
    public required IReadOnlyList<string> OriginCountries { get; init; }
    /// <summary>Countries of exploitation and end of the route.</summary>
    public required IReadOnlyList<string> DestinationCountries { get; init; }
    public IReadOnlyList<string> TransitCountries { get; init; } = [];
    /// <summary>Whether the victim is moved at all (online-only patterns have no route).</summary>
    public bool HasRoute { get; init; } = true;
    public required IReadOnlyList<string> Transport { get; init; }
    public required IReadOnlyList<string> RecruitmentChannels { get; init; }
    public required string RecruiterRelation { get; init; }
    public required IReadOnlyList<string> MeansOfControl { get; init; }
    public required IReadOnlyList<string> ExploitationTypes { get; init; }
    public IReadOnlyList<string> LabourSectors { get; init; } = [];
    public required IReadOnlyList<string> Vulnerabilities { get; init; }
    public required string IdentifiedBy { get; init; }
    public required IReadOnlyList<string> EvidenceKinds { get; init; }
    public required IReadOnlyList<string> Platforms { get; init; }
    public required IReadOnlyList<string> PaymentChannels { get; init; }
    public required string AmountBand { get; init; }
}

/// <summary>The patterns planted by <see cref="CaseGenerator"/>.</summary>
public static class PlantedPatterns
{
    /// <summary>Pattern id of cases drawn from no pattern.</summary>
    public const string NoiseId = "noise";

    /// <summary>Probability that one attribute of a patterned case is replaced by a random value.</summary>
    public const double AttributeNoise = 0.1;

    /// <summary>EU member states that have an authority in the generator (for the "any EU" pattern).</summary>
    internal static readonly string[] EuWithAuthority = ["AT", "BG", "DE", "ES", "FR", "GR", "IT", "NL", "PL", "RO"];

    public static IReadOnlyList<PlantedPattern> All { get; } =
    [
        new()
        {
            Id = "girls-social-media-ro-it",
            Description = "Girls 12-17 recruited via social media by an intimate partner (\"lover boy\"), moved RO→IT, sexual exploitation with live-streaming; evidence: social-media content and chat logs.",
            VictimAgeMin = 12, VictimAgeMax = 17, VictimGenders = ["female"],
            OriginCountries = ["RO"], DestinationCountries = ["IT"], TransitCountries = ["HU", "SI"],
            Transport = ["car"], RecruitmentChannels = ["social-media"], RecruiterRelation = "intimate-partner",
            MeansOfControl = ["psychological-abuse", "false-promises", "sexual-abuse"],
            ExploitationTypes = ["sexual", "online-sexual"], Vulnerabilities = ["school-dropout", "domestic-violence"],
            IdentifiedBy = "law-enforcement", EvidenceKinds = ["social-media-content", "chat-logs"],
            Platforms = ["instagram", "tiktok"], PaymentChannels = ["money-transfer-service"], AmountBand = "1000-9999",
        },
        new()
        {
            Id = "boys-criminality-bg-at",
            Description = "Boys 15-17 moved BG→AT by bus for forced criminality (pickpocketing) and begging; threats, physical abuse, earnings taken; evidence: call records and geolocation.",
            VictimAgeMin = 15, VictimAgeMax = 17, VictimGenders = ["male"],
            OriginCountries = ["BG"], DestinationCountries = ["AT"], TransitCountries = ["RS", "HU"],
            Transport = ["bus"], RecruitmentChannels = ["in-person"], RecruiterRelation = "acquaintance",
            MeansOfControl = ["threats", "physical-abuse", "takes-earnings"],
            ExploitationTypes = ["forced-criminality", "begging"], Vulnerabilities = ["poverty", "unaccompanied-minor"],
            IdentifiedBy = "law-enforcement", EvidenceKinds = ["call-records", "geolocation"],
            Platforms = ["viber"], PaymentChannels = ["cash"], AmountBand = "100-999",
        },
        new()
        {
            Id = "adults-agriculture-ua-pl",
            Description = "Adults 21-38 recruited in person by an employer for agricultural labour UA→PL; debt bondage, documents withheld, excessive hours; evidence: financial transactions and call records.",
            VictimAgeMin = 21, VictimAgeMax = 38, VictimGenders = ["male", "male", "female"],
            OriginCountries = ["UA"], DestinationCountries = ["PL"],
            Transport = ["truck"], RecruitmentChannels = ["in-person"], RecruiterRelation = "employer",
            MeansOfControl = ["debt-bondage", "withholds-documents", "excessive-working-hours"],
            ExploitationTypes = ["labour"], LabourSectors = ["agriculture"], Vulnerabilities = ["poverty", "irregular-migration-status"],
            IdentifiedBy = "labour-inspection", EvidenceKinds = ["financial-transactions", "call-records"],
            Platforms = ["telegram"], PaymentChannels = ["bank-transfer"], AmountBand = "1000-9999",
        },
        new()
        {
            Id = "women-online-ads-ng-es",
            Description = "Women 18-26 recruited through online advertisements (fake jobs) NG→ES via NE, LY and IT; sexual exploitation under debt bondage and threats; evidence: chat logs and call records.",
            VictimAgeMin = 18, VictimAgeMax = 26, VictimGenders = ["female"],
            OriginCountries = ["NG"], DestinationCountries = ["ES"], TransitCountries = ["NE", "LY", "IT"],
            Transport = ["boat"], RecruitmentChannels = ["online-advertisement"], RecruiterRelation = "stranger",
            MeansOfControl = ["debt-bondage", "threats", "withholds-documents"],
            ExploitationTypes = ["sexual"], Vulnerabilities = ["poverty", "irregular-migration-status"],
            IdentifiedBy = "ngo", EvidenceKinds = ["chat-logs", "call-records"],
            Platforms = ["whatsapp", "facebook"], PaymentChannels = ["money-transfer-service"], AmountBand = "10000-99999",
        },
        new()
        {
            Id = "children-adoption-md-de",
            Description = "Children 9-14 handed over by family for illegal adoption MD→DE via RO and HU by car; false promises, movement restricted; evidence: financial transactions and device images.",
            VictimAgeMin = 9, VictimAgeMax = 14, VictimGenders = ["female", "male"],
            OriginCountries = ["MD"], DestinationCountries = ["DE"], TransitCountries = ["RO", "HU"],
            Transport = ["car"], RecruitmentChannels = ["family"], RecruiterRelation = "family",
            MeansOfControl = ["false-promises", "restricts-movement"],
            ExploitationTypes = ["illegal-adoption"], Vulnerabilities = ["in-care", "poverty"],
            IdentifiedBy = "social-services", EvidenceKinds = ["financial-transactions", "device-images"],
            Platforms = ["viber"], PaymentChannels = ["bank-transfer"], AmountBand = "10000-99999",
        },
        new()
        {
            Id = "men-construction-ro-gb",
            Description = "Men 24-47 recruited with false promises of work for construction labour RO→GB by plane; earnings taken, necessities withheld; evidence: call records and financial transactions.",
            VictimAgeMin = 24, VictimAgeMax = 47, VictimGenders = ["male"],
            OriginCountries = ["RO"], DestinationCountries = ["GB"],
            Transport = ["plane"], RecruitmentChannels = ["messaging-app"], RecruiterRelation = "acquaintance",
            MeansOfControl = ["false-promises", "takes-earnings", "withholds-necessities"],
            ExploitationTypes = ["labour"], LabourSectors = ["construction"], Vulnerabilities = ["poverty", "homeless"],
            IdentifiedBy = "hotline", EvidenceKinds = ["call-records", "financial-transactions"],
            Platforms = ["whatsapp"], PaymentChannels = ["bank-transfer"], AmountBand = "1000-9999",
        },
        new()
        {
            Id = "girls-forced-marriage-al-gr",
            Description = "Girls 15-17 married off by their family AL→GR by car; threats, movement restricted, psychological abuse; evidence: call records.",
            VictimAgeMin = 15, VictimAgeMax = 17, VictimGenders = ["female"],
            OriginCountries = ["AL"], DestinationCountries = ["GR"],
            Transport = ["car"], RecruitmentChannels = ["family"], RecruiterRelation = "family",
            MeansOfControl = ["threats", "restricts-movement", "psychological-abuse"],
            ExploitationTypes = ["forced-marriage", "domestic-servitude"], Vulnerabilities = ["school-dropout", "domestic-violence"],
            IdentifiedBy = "ngo", EvidenceKinds = ["call-records"],
            Platforms = ["viber"], PaymentChannels = ["cash"], AmountBand = "1000-9999",
        },
        new()
        {
            Id = "teens-gaming-crypto-eu",
            Description = "Teenagers 12-17 groomed on gaming platforms by strangers in another EU country for online sexual exploitation (sextortion), paid in crypto; evidence: crypto, chat logs, device images.",
            VictimAgeMin = 12, VictimAgeMax = 17, VictimGenders = ["female", "male"],
            OriginCountries = EuWithAuthority, DestinationCountries = EuWithAuthority, HasRoute = false,
            Transport = ["other"], RecruitmentChannels = ["gaming-platform"], RecruiterRelation = "stranger",
            MeansOfControl = ["threats", "psychological-abuse"],
            ExploitationTypes = ["online-sexual"], Vulnerabilities = ["prior-abuse"],
            IdentifiedBy = "family", EvidenceKinds = ["crypto", "chat-logs", "device-images"],
            Platforms = ["discord", "roblox"], PaymentChannels = ["crypto"], AmountBand = "100-999",
        },
    ];
}
