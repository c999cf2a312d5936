using System.Globalization;
using System.Text;
using Analytics.Core.Cases;

namespace Analytics.Core.Ctdc;

/// <summary>
/// Outcome of mapping one CTDC row: a case, or the reasons the row is rejected.
/// <see cref="Notes"/> lists information of an accepted row that the case model cannot carry.
/// </summary>
public sealed record CtdcMapResult
{
    public CaseSubmission? Case { get; init; }
    public IReadOnlyList<string> Reasons { get; init; } = [];
    public IReadOnlyList<string> Notes { get; init; } = [];
    public bool IsAccepted => Case is not null;
}

/// <summary>
/// Maps one row of a public CTDC file to a single-victim <see cref="CaseSubmission"/>.
/// The full column-by-column mapping and its decisions are in data-schemas/mappings/ctdc.md.
/// Empty cells are unknown and stay unknown; "0" flags are known absences; any other unexpected value rejects the row.
/// </summary>
public static class CtdcMapper
{
    private enum Target { Means, Exploitation, Sector, Relation, None }

    private sealed record Flag(string Column, Target Target, params string[] Codes);

    private static readonly Flag[] Flags2021 =
    [
        new("meansOfControlDebtBondage", Target.Means, "debt-bondage"),
        new("meansOfControlTakesEarnings", Target.Means, "takes-earnings"),
        new("meansOfControlRestrictsFinancialAccess", Target.Means, "restricts-financial-access"),
        new("meansOfControlThreats", Target.Means, "threats"),
        new("meansOfControlPsychologicalAbuse", Target.Means, "psychological-abuse"),
        new("meansOfControlPhysicalAbuse", Target.Means, "physical-abuse"),
        new("meansOfControlSexualAbuse", Target.Means, "sexual-abuse"),
        new("meansOfControlFalsePromises", Target.Means, "false-promises"),
        new("meansOfControlPsychoactiveSubstances", Target.Means, "psychoactive-substances"),
        new("meansOfControlRestrictsMovement", Target.Means, "restricts-movement"),
        new("meansOfControlRestrictsMedicalCare", Target.Means, "restricts-medical-care"),
        new("meansOfControlExcessiveWorkingHours", Target.Means, "excessive-working-hours"),
        new("meansOfControlUsesChildren", Target.Means, "uses-children"),
        new("meansOfControlThreatOfLawEnforcement", Target.Means, "threat-of-law-enforcement"),
        new("meansOfControlWithholdsNecessities", Target.Means, "withholds-necessities"),
        new("meansOfControlWithholdsDocuments", Target.Means, "withholds-documents"),
        new("meansOfControlOther", Target.Means, "other"),
        new("meansOfControlNotSpecified", Target.Means),
        new("isForcedLabour", Target.Exploitation, "labour"),
        new("isSexualExploit", Target.Exploitation, "sexual"),
        new("isOtherExploit", Target.Exploitation, "other"),
        new("isSexAndLabour", Target.Exploitation, "sexual", "labour"),
        new("isForcedMarriage", Target.Exploitation, "forced-marriage"),
        new("isForcedMilitary", Target.Exploitation, "other"),
        new("isOrganRemoval", Target.Exploitation, "organ-removal"),
        new("isSlaveryAndPractices", Target.Exploitation, "other"),
        new("typeOfLabourAgriculture", Target.Sector, "agriculture"),
        new("typeOfLabourAquafarming", Target.Sector, "fishing"),
        new("typeOfLabourBegging", Target.Exploitation, "begging"),
        new("typeOfLabourConstruction", Target.Sector, "construction"),
        new("typeOfLabourDomesticWork", Target.Sector, "domestic-work"),
        new("typeOfLabourHospitality", Target.Sector, "hospitality"),
        new("typeOfLabourIllicitActivities", Target.Exploitation, "forced-criminality"),
        new("typeOfLabourManufacturing", Target.Sector, "manufacturing"),
        new("typeOfLabourMiningOrDrilling", Target.Sector, "mining"),
        new("typeOfLabourPeddling", Target.Sector, "other"),
        new("typeOfLabourTransportation", Target.Sector, "transportation"),
        new("typeOfLabourOther", Target.Sector, "other"),
        new("typeOfLabourNotSpecified", Target.Sector),
        new("typeOfSexProstitution", Target.Exploitation, "sexual"),
        new("typeOfSexPornography", Target.Exploitation, "sexual"),
        new("typeOfSexRemoteInteractiveServices", Target.Exploitation, "sexual", "online-sexual"),
        new("typeOfSexPrivateSexualServices", Target.Exploitation, "sexual"),
        new("isAbduction", Target.None),
        new("recruiterRelationIntimatePartner", Target.Relation, "intimate-partner"),
        new("recruiterRelationFriend", Target.Relation, "friend"),
        new("recruiterRelationFamily", Target.Relation, "family"),
        new("recruiterRelationOther", Target.Relation, "other"),
        new("recruiterRelationUnknown", Target.Relation),
    ];

    private static readonly Flag[] Flags2024 =
    [
        new("meansDebtBondageEarnings", Target.Means, "debt-bondage"),
        new("meansThreats", Target.Means, "threats"),
        new("meansAbusePsyPhySex", Target.Means, "psychological-abuse"),
        new("meansFalsePromises", Target.Means, "false-promises"),
        new("meansDrugsAlcohol", Target.Means, "psychoactive-substances"),
        new("meansDenyBasicNeeds", Target.Means, "withholds-necessities"),
        new("meansExcessiveWorkHours", Target.Means, "excessive-working-hours"),
        new("meansWithholdDocuments", Target.Means, "withholds-documents"),
        new("isForcedLabour", Target.Exploitation, "labour"),
        new("isSexualExploit", Target.Exploitation, "sexual"),
        new("isOtherExploit", Target.Exploitation, "other"),
        new("typeOfLabourAgriculture", Target.Sector, "agriculture"),
        new("typeOfLabourConstruction", Target.Sector, "construction"),
        new("typeOfLabourDomesticWork", Target.Sector, "domestic-work"),
        new("typeOfLabourHospitality", Target.Sector, "hospitality"),
        new("typeOfSexProstitution", Target.Exploitation, "sexual"),
        new("typeOfSexPornography", Target.Exploitation, "sexual"),
        new("recruiterRelationIntimatePartner", Target.Relation, "intimate-partner"),
        new("recruiterRelationFriend", Target.Relation, "friend"),
        new("recruiterRelationFamily", Target.Relation, "family"),
        new("recruiterRelationOther", Target.Relation, "other"),
    ];

    private static readonly string[] AdultBands = ["18-20", "21-23", "24-26", "27-29", "30-38", "39-47", "48+"];

    /// <summary>The values of the 2021 release's Datasource column (codebook k-anon v7), as the file spells them.</summary>
    public static IReadOnlyList<string> DataSources { get; } = ["Case Management", "Hotline"];

    /// <summary>
    /// The data source a Datasource cell names, spelled as in <see cref="DataSources"/> (case and runs of spaces do not
    /// matter); null for an empty cell or any other value.
    /// </summary>
    public static string? KnownDataSource(string? cell)
    {
        var words = cell?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words is null || words.Length == 0) return null;
        var joined = string.Join(' ', words);
        return DataSources.FirstOrDefault(s => s.Equals(joined, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The ISO 3166-1 alpha-2 code of a country cell (alpha-2 in the 2021 layout, alpha-3 in v2024); null when it is not one.</summary>
    public static string? KnownCountry(string? cell, CtdcFormat format) => string.IsNullOrWhiteSpace(cell) ? null : ToCountry(cell, format);

    /// <summary>The age band of an ageBroad cell with one hyphen ("18--20" → "18-20", including "9-17"); null when it is not a CTDC band.</summary>
    public static string? KnownAgeBand(string? cell)
    {
        if (string.IsNullOrWhiteSpace(cell)) return null;
        var band = NormaliseBand(cell);
        return band is "0-8" or "9-17" || AdultBands.Contains(band) ? band : null;
    }

    /// <summary>Maps a row given as column name → value; the layout is detected from the column names.</summary>
    public static CtdcMapResult Map(IReadOnlyDictionary<string, string> row, int rowNumber)
    {
        ArgumentNullException.ThrowIfNull(row);
        var format = CtdcFormats.Detect(row.Keys);
        if (format == CtdcFormat.Unknown)
            return Reject($"row {rowNumber}: the columns ({row.Count}) are neither the 63-column k-anonymised 2021 layout nor the 27-column v2024 layout");
        var lookup = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in row) lookup[CtdcFormats.Clean(k)] = v;
        if (format == CtdcFormat.Synthetic2024 && !lookup.ContainsKey("meansWithholdDocuments") && lookup.TryGetValue(CtdcFormats.WithholdDocsAlias, out var docs))
            lookup["meansWithholdDocuments"] = docs;
        return MapCore(format, c => lookup.GetValueOrDefault(c), rowNumber);
    }

    /// <summary>Maps a row given as fields in the order of <paramref name="header"/>.</summary>
    public static CtdcMapResult Map(IReadOnlyList<string> fields, CtdcHeader header, int rowNumber)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(header);
        if (header.Format == CtdcFormat.Unknown)
            return Reject($"row {rowNumber}: the header ({header.Columns.Count} columns) is neither the 63-column k-anonymised 2021 layout nor the 27-column v2024 layout");
        if (fields.Count != header.Columns.Count)
            return Reject($"row {rowNumber}: has {fields.Count} fields, the header has {header.Columns.Count} columns");
        return MapCore(header.Format, c => header.IndexOf(c) is var i and >= 0 ? fields[i] : null, rowNumber);
    }

    private static CtdcMapResult Reject(params string[] reasons) => new() { Reasons = reasons };

    private static CtdcMapResult MapCore(CtdcFormat format, Func<string, string?> raw, int rowNumber)
    {
        var reasons = new List<string>();
        var notes = new List<string>();
        string? Get(string column)
        {
            var v = raw(column)?.Trim();
            return string.IsNullOrEmpty(v) ? null : v;
        }

        // A reason names the column and what it expects, never the cell: a file with its columns out of place can hold a
        // name or a phone number where a code should be, and reasons are printed and counted.
        // Jurisdiction: the country of exploitation; without it the row cannot be placed.
        string? country = null;
        var countryRaw = Get("CountryOfExploitation");
        if (countryRaw is null) reasons.Add("CountryOfExploitation: no country of exploitation (needed as jurisdiction)");
        else if ((country = ToCountry(countryRaw, format)) is null) reasons.Add($"CountryOfExploitation: not an ISO 3166-1 {(format == CtdcFormat.KAnon2021 ? "alpha-2" : "alpha-3")} code");

        Period? period = null;
        if (Get("yearOfRegistration") is { } yearRaw)
        {
            if (int.TryParse(yearRaw, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is >= 1990 and <= 2100)
                period = new Period { From = $"{year:D4}-01", To = $"{year:D4}-12" };
            else
                reasons.Add("yearOfRegistration: not a year from 1990 to 2100");
        }

        string? gender = null;
        if (Get("gender") is { } genderRaw)
        {
            gender = genderRaw.ToUpperInvariant() switch
            {
                "FEMALE" or "WOMAN" => "female",
                "MALE" or "MAN" => "male",
                "TRANSGENDER/NONCONFORMING" or "TRANS/TRANSGENDER/NONCONFORMING" => "other",
                _ => null,
            };
            if (gender is null) reasons.Add("gender: not a known value (Female, Male, Transgender/NonConforming)");
        }

        string? ageBand = null;
        if (Get("ageBroad") is { } ageRaw)
        {
            var band = NormaliseBand(ageRaw);
            if (band == "0-8" || AdultBands.Contains(band)) ageBand = band;
            else if (band == "9-17") notes.Add("ageBroad 9-17 spans the child bands 9-11, 12-14 and 15-17: ageBand left empty (victim is a minor)");
            else reasons.Add("ageBroad: not a known age band");
        }

        // Datasource becomes part of the authority, which is stored in clear: only the codebook's values may go there.
        string? dataSource = null;
        if (format == CtdcFormat.KAnon2021 && Get("Datasource") is { } sourceRaw && (dataSource = KnownDataSource(sourceRaw)) is null)
            reasons.Add($"Datasource: not a known value ({string.Join(", ", DataSources)})");

        string? citizenship = null;
        if (Get("citizenship") is { } citRaw && (citizenship = ToCountry(citRaw, format)) is null)
            reasons.Add($"citizenship: not an ISO 3166-1 {(format == CtdcFormat.KAnon2021 ? "alpha-2" : "alpha-3")} code");

        var means = new List<string>();
        var exploitation = new List<string>();
        var sectors = new List<string>();
        var relations = new List<string>();
        var anyModus = false;
        foreach (var flag in format == CtdcFormat.KAnon2021 ? Flags2021 : Flags2024)
        {
            var v = Get(flag.Column);
            if (v is null) continue;
            if (v is not ("0" or "1"))
            {
                reasons.Add($"{flag.Column}: not 0 or 1");
                continue;
            }
            if (flag.Target is Target.Means or Target.Exploitation or Target.Sector) anyModus = true;
            if (v == "0") continue;
            var list = flag.Target switch
            {
                Target.Means => means,
                Target.Exploitation => exploitation,
                Target.Sector => sectors,
                Target.Relation => relations,
                _ => null,
            };
            if (list is null) continue;
            foreach (var code in flag.Codes)
                if (!list.Contains(code)) list.Add(code);
        }

        if (reasons.Count > 0) return new CtdcMapResult { Reasons = reasons.Select(r => $"row {rowNumber}: {r}").ToArray() };

        var source = format == CtdcFormat.KAnon2021 ? Slug(dataSource ?? "unspecified") : "SYNTHETIC";
        string? identifiedBy = dataSource == "Hotline" ? "hotline" : null;
        var release = format == CtdcFormat.KAnon2021 ? "2021" : "2024";

        var submission = new CaseSubmission
        {
            Jurisdiction = country!,
            Authority = $"{country}-CTDC-{source}",
            CaseReference = $"CTDC-{release}-row-{rowNumber.ToString(CultureInfo.InvariantCulture)}",
            Stage = "closed",
            Outcome = null,
            OffencePeriod = period,
            Victims =
            [
                new Victim
                {
                    AgeBand = ageBand,
                    Gender = gender,
                    Citizenship = citizenship,
                    IdentifiedBy = identifiedBy,
                },
            ],
            Suspects = relations.Select(r => new Suspect { Role = "recruiter", RelationToVictim = r }).ToArray(),
            ModusOperandi = anyModus
                ? new ModusOperandi { MeansOfControl = means, ExploitationTypes = exploitation, LabourSectors = sectors }
                : null,
            ExploitationCountries = [country!],
        };
        return new CtdcMapResult { Case = submission, Notes = notes };
    }

    private static string? ToCountry(string raw, CtdcFormat format)
    {
        var c = raw.Trim().ToUpperInvariant();
        if (format == CtdcFormat.KAnon2021 && c.Length != 2) return null;
        if (format == CtdcFormat.Synthetic2024 && c.Length != 3) return null;
        return IsoCountries.ToAlpha2(c);
    }

    /// <summary>"18--20", "18—20", "18–20" → "18-20".</summary>
    private static string NormaliseBand(string raw)
    {
        var s = raw.Trim().Replace('\u2014', '-').Replace('\u2013', '-');
        while (s.Contains("--", StringComparison.Ordinal)) s = s.Replace("--", "-", StringComparison.Ordinal);
        return s.Replace(" ", "", StringComparison.Ordinal);
    }

    /// <summary>"Case Management" → "CASE-MANAGEMENT".</summary>
    private static string Slug(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s.Trim().ToUpperInvariant())
        {
            if (c is >= 'A' and <= 'Z' or >= '0' and <= '9') sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        return sb.ToString().TrimEnd('-') is { Length: > 0 } slug ? slug : "UNSPECIFIED";
    }
}
