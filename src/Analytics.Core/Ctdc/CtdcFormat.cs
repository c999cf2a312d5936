using System.Text;

namespace Analytics.Core.Ctdc;

/// <summary>The public CTDC file layouts the importer understands.</summary>
public enum CtdcFormat
{
    /// <summary>Not a CTDC layout we know.</summary>
    Unknown,
    /// <summary>CTDC Global K-anonymised Dataset, release of 15 July 2021 (63 columns, ISO alpha-2 countries).</summary>
    KAnon2021,
    /// <summary>CTDC Global Synthetic Dataset v2024 (27 columns, ISO alpha-3 countries).</summary>
    Synthetic2024,
}

/// <summary>Column names of the known layouts and detection of a layout from a header row.</summary>
public static class CtdcFormats
{
    public static IReadOnlyList<string> KAnon2021Columns { get; } =
    [
        "yearOfRegistration", "Datasource", "gender", "ageBroad", "majorityStatus", "majorityStatusAtExploit", "majorityEntry", "citizenship",
        "meansOfControlDebtBondage", "meansOfControlTakesEarnings", "meansOfControlRestrictsFinancialAccess", "meansOfControlThreats",
        "meansOfControlPsychologicalAbuse", "meansOfControlPhysicalAbuse", "meansOfControlSexualAbuse", "meansOfControlFalsePromises",
        "meansOfControlPsychoactiveSubstances", "meansOfControlRestrictsMovement", "meansOfControlRestrictsMedicalCare",
        "meansOfControlExcessiveWorkingHours", "meansOfControlUsesChildren", "meansOfControlThreatOfLawEnforcement",
        "meansOfControlWithholdsNecessities", "meansOfControlWithholdsDocuments", "meansOfControlOther", "meansOfControlNotSpecified",
        "meansOfControlConcatenated", "isForcedLabour", "isSexualExploit", "isOtherExploit", "isSexAndLabour", "isForcedMarriage",
        "isForcedMilitary", "isOrganRemoval", "isSlaveryAndPractices", "typeOfExploitConcatenated", "typeOfLabourAgriculture",
        "typeOfLabourAquafarming", "typeOfLabourBegging", "typeOfLabourConstruction", "typeOfLabourDomesticWork", "typeOfLabourHospitality",
        "typeOfLabourIllicitActivities", "typeOfLabourManufacturing", "typeOfLabourMiningOrDrilling", "typeOfLabourPeddling",
        "typeOfLabourTransportation", "typeOfLabourOther", "typeOfLabourNotSpecified", "typeOfLabourConcatenated", "typeOfSexProstitution",
        "typeOfSexPornography", "typeOfSexRemoteInteractiveServices", "typeOfSexPrivateSexualServices", "typeOfSexConcatenated",
        "isAbduction", "RecruiterRelationship", "CountryOfExploitation", "recruiterRelationIntimatePartner", "recruiterRelationFriend",
        "recruiterRelationFamily", "recruiterRelationOther", "recruiterRelationUnknown",
    ];

    /// <summary>v2024 columns as in the codebook's detailed description (its appendix spells the last means column "meansWithholdDocs"; both are accepted).</summary>
    public static IReadOnlyList<string> Synthetic2024Columns { get; } =
    [
        "yearOfRegistration", "gender", "ageBroad", "citizenship", "CountryOfExploitation", "traffickMonths",
        "meansDebtBondageEarnings", "meansThreats", "meansAbusePsyPhySex", "meansFalsePromises", "meansDrugsAlcohol",
        "meansDenyBasicNeeds", "meansExcessiveWorkHours", "meansWithholdDocuments", "isForcedLabour", "isSexualExploit",
        "isOtherExploit", "typeOfLabourAgriculture", "typeOfLabourConstruction", "typeOfLabourDomesticWork",
        "typeOfLabourHospitality", "typeOfSexProstitution", "typeOfSexPornography", "recruiterRelationIntimatePartner",
        "recruiterRelationFriend", "recruiterRelationFamily", "recruiterRelationOther",
    ];

    internal const string WithholdDocsAlias = "meansWithholdDocs";

    /// <summary>Detects the layout from a header row (names compared case-insensitively, order free, BOM and blanks trimmed).</summary>
    public static CtdcFormat Detect(IEnumerable<string> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var names = header.Select(Clean).ToList();
        var set = names.ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (names.Count == KAnon2021Columns.Count && set.Count == names.Count && KAnon2021Columns.All(set.Contains))
            return CtdcFormat.KAnon2021;
        if (names.Count == Synthetic2024Columns.Count && set.Count == names.Count &&
            Synthetic2024Columns.All(c => set.Contains(c) || (c == "meansWithholdDocuments" && set.Contains(WithholdDocsAlias))))
            return CtdcFormat.Synthetic2024;
        return CtdcFormat.Unknown;
    }

    internal static string Clean(string name) => name.Trim().TrimStart('\uFEFF').Trim().Trim('"');
}

/// <summary>A parsed header row: its layout and the position of each column.</summary>
public sealed class CtdcHeader
{
    private readonly Dictionary<string, int> _index;

    private CtdcHeader(CtdcFormat format, IReadOnlyList<string> columns)
    {
        Format = format;
        Columns = columns;
        _index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < columns.Count; i++) _index.TryAdd(columns[i], i);
        if (format == CtdcFormat.Synthetic2024 && !_index.ContainsKey("meansWithholdDocuments") && _index.TryGetValue(CtdcFormats.WithholdDocsAlias, out var k))
            _index["meansWithholdDocuments"] = k;
    }

    public CtdcFormat Format { get; }

    public IReadOnlyList<string> Columns { get; }

    public static CtdcHeader Parse(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var clean = columns.Select(CtdcFormats.Clean).ToArray();
        return new CtdcHeader(CtdcFormats.Detect(clean), clean);
    }

    internal int IndexOf(string column) => _index.TryGetValue(column, out var i) ? i : -1;
}

/// <summary>Minimal RFC 4180 reader for CTDC CSV files (comma separated, optional double quotes).</summary>
public static class CtdcCsv
{
    /// <summary>Splits one CSV line into fields.</summary>
    public static string[] SplitLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(c);
        }
        fields.Add(sb.ToString().TrimEnd('\r'));
        return fields.ToArray();
    }

    /// <summary>Reads the header and yields each data row with its 1-based data row number (the header is not counted).</summary>
    public static IEnumerable<(int RowNumber, string[] Fields)> ReadRows(TextReader reader, out CtdcHeader header)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var first = reader.ReadLine() ?? throw new InvalidDataException("The CSV file is empty.");
        header = CtdcHeader.Parse(SplitLine(first));
        return Rows(reader);
    }

    private static IEnumerable<(int, string[])> Rows(TextReader reader)
    {
        var n = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            yield return (++n, SplitLine(line));
        }
    }
}
