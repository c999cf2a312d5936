namespace Analytics.Core.Cases;

/// <summary>
/// Checks a submission against everything data-schemas/case-submission.v1.schema.json says, plus the rules
/// JSON Schema cannot express. Reports every error (up to <see cref="MaxErrors"/>), each with its JSON Pointer.
/// Messages never repeat submitted values, so they are safe to log.
/// </summary>
public static class CaseValidator
{
    public const string SchemaVersion = "1";
    public const int MaxVictims = 200;
    public const int MaxSuspects = 200;
    public const int MaxIdentifiers = 50;
    public const int MaxLegalBasis = 20;
    public const int MaxRouteLegs = 50;
    public const int MaxExploitationCountries = 50;
    public const int MaxEvidenceRequests = 50;
    public const int MaxFinancialFlows = 200;
    public const int MaxSummaryLength = 20_000;
    public const int MaxNameLength = 200;
    public const int MaxTextLength = 200;
    public const int MaxAuthorityLength = 63;
    public const int MaxAge = 120;
    /// <summary>Errors beyond this many are summarised in one final error at the root pointer.</summary>
    public const int MaxErrors = 500;

    private static readonly CodeList _countries = CodeLists.Get(CodeLists.Countries);
    private static readonly CodeList _genders = CodeLists.Get(CodeLists.Genders);
    private static readonly CodeList _ageBands = CodeLists.Get(CodeLists.AgeBands);
    private static readonly CodeList _stages = CodeLists.Get(CodeLists.Stages);
    private static readonly CodeList _outcomes = CodeLists.Get(CodeLists.Outcomes);
    private static readonly CodeList _exploitationTypes = CodeLists.Get(CodeLists.ExploitationTypes);
    private static readonly CodeList _labourSectors = CodeLists.Get(CodeLists.LabourSectors);
    private static readonly CodeList _meansOfControl = CodeLists.Get(CodeLists.MeansOfControl);
    private static readonly CodeList _recruitmentChannels = CodeLists.Get(CodeLists.RecruitmentChannels);
    private static readonly CodeList _relations = CodeLists.Get(CodeLists.RelationsToVictim);
    private static readonly CodeList _platforms = CodeLists.Get(CodeLists.Platforms);
    private static readonly CodeList _roles = CodeLists.Get(CodeLists.SuspectRoles);
    private static readonly CodeList _evidenceKinds = CodeLists.Get(CodeLists.EvidenceKinds);
    private static readonly CodeList _vulnerabilities = CodeLists.Get(CodeLists.VulnerabilityFactors);
    private static readonly CodeList _identifiedBy = CodeLists.Get(CodeLists.IdentifiedBy);
    private static readonly CodeList _transport = CodeLists.Get(CodeLists.TransportModes);
    private static readonly CodeList _paymentChannels = CodeLists.Get(CodeLists.PaymentChannels);
    private static readonly CodeList _amountBands = CodeLists.Get(CodeLists.AmountBands);
    private static readonly CodeList _instruments = CodeLists.Get(CodeLists.EvidenceInstruments);
    private static readonly CodeList _identifierTypes = CodeLists.Get(CodeLists.IdentifierTypes);

    /// <summary>Validates against today's UTC date (for the date-of-birth check).</summary>
    public static IReadOnlyList<ValidationError> Validate(CaseSubmission submission) =>
        Validate(submission, DateOnly.FromDateTime(DateTime.UtcNow));

    /// <summary>Validates with an explicit "today", for reproducible tests.</summary>
    public static IReadOnlyList<ValidationError> Validate(CaseSubmission submission, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var errors = new Errors();
        var s = submission;

        if (s.SchemaVersion != SchemaVersion)
            errors.Add("/schemaVersion", string.IsNullOrEmpty(s.SchemaVersion) ? "Required; must be \"1\"." : "Must be \"1\".");

        var jurisdictionValid = RequiredCode(errors, "", "/jurisdiction", s.Jurisdiction, _countries);
        ValidateAuthority(errors, s.Authority, jurisdictionValid ? s.Jurisdiction : null);
        if (RequiredText(errors, "", "/caseReference", s.CaseReference, MaxTextLength)
            && Pseudonymisation.Normalisers.CaseReference(s.CaseReference, "") is null)
            errors.Add("/caseReference", $"Required; 1 to {MaxTextLength} characters, not only spaces and invisible characters.");
        RequiredCode(errors, "", "/stage", s.Stage, _stages);
        OptionalCode(errors, "", "/outcome", s.Outcome, _outcomes);
        if (s.OffencePeriod is { } period)
            ValidatePeriod(errors, period, today);

        var legalBasis = s.LegalBasis ?? [];
        MaxCount(errors, "", "/legalBasis", legalBasis.Count, MaxLegalBasis, "legal provisions");
        for (var i = 0; i < legalBasis.Count; i++)
            RequiredText(errors, "", "/legalBasis/" + i, legalBasis[i], MaxTextLength);

        var victims = s.Victims ?? [];
        if (victims.Count == 0)
            errors.Add("/victims", "Required; at least one victim.");
        MaxCount(errors, "", "/victims", victims.Count, MaxVictims, "victims");
        for (var i = 0; i < victims.Count; i++)
            ValidateVictim(errors, "/victims/" + i, victims[i], today);

        var suspects = s.Suspects ?? [];
        MaxCount(errors, "", "/suspects", suspects.Count, MaxSuspects, "suspects");
        for (var i = 0; i < suspects.Count; i++)
            ValidateSuspect(errors, "/suspects/" + i, suspects[i]);

        if (s.ModusOperandi is { } mo)
        {
            CodeArray(errors, "", "/modusOperandi/recruitmentChannels", mo.RecruitmentChannels, _recruitmentChannels);
            CodeArray(errors, "", "/modusOperandi/meansOfControl", mo.MeansOfControl, _meansOfControl);
            CodeArray(errors, "", "/modusOperandi/exploitationTypes", mo.ExploitationTypes, _exploitationTypes);
            CodeArray(errors, "", "/modusOperandi/labourSectors", mo.LabourSectors, _labourSectors);
        }

        var route = s.Route ?? [];
        MaxCount(errors, "", "/route", route.Count, MaxRouteLegs, "route legs");
        for (var i = 0; i < route.Count; i++)
            ValidateRouteLeg(errors, "/route/" + i, route[i]);

        CodeArray(errors, "", "/exploitationCountries", s.ExploitationCountries, _countries, MaxExploitationCountries);

        if (s.DigitalEvidence is { } evidence)
            ValidateDigitalEvidence(errors, evidence);

        var flows = s.FinancialFlows ?? [];
        MaxCount(errors, "", "/financialFlows", flows.Count, MaxFinancialFlows, "financial flows");
        for (var i = 0; i < flows.Count; i++)
            ValidateFinancialFlow(errors, "/financialFlows/" + i, flows[i]);

        if (s.Summary is not null && CodePointLength(s.Summary, MaxSummaryLength) > MaxSummaryLength)
            errors.Add("/summary", $"Too long; at most {MaxSummaryLength:N0} characters.");
        else if (s.Summary is not null && HasControlCharacter(s.Summary, allowLineBreaks: true))
            errors.Add("/summary", FreeTextControlMessage);

        return errors.ToList();
    }

    private static void ValidateAuthority(Errors errors, string? authority, string? jurisdiction)
    {
        const string pointer = "/authority";
        if (string.IsNullOrEmpty(authority))
        {
            errors.Add(pointer, "Required; the jurisdiction code, a hyphen and 1 to 60 letters, digits, '.', '_' or '-' (e.g. \"DE-StA.Berlin\").");
            return;
        }
        if (!IsAuthority(authority))
        {
            errors.Add(pointer, "Must be the jurisdiction code, a hyphen and 1 to 60 letters, digits, '.', '_' or '-' (e.g. \"DE-StA.Berlin\").");
            return;
        }
        if (jurisdiction is not null && !authority.AsSpan(0, 2).SequenceEqual(jurisdiction))
            errors.Add(pointer, "Must start with the jurisdiction code followed by a hyphen.");
    }

    // ^[A-Z]{2}-[A-Za-z0-9._-]{1,60}$ without a regex engine.
    internal static bool IsAuthority(string value)
    {
        if (value.Length < 4 || value.Length > MaxAuthorityLength)
            return false;
        if (!char.IsAsciiLetterUpper(value[0]) || !char.IsAsciiLetterUpper(value[1]) || value[2] != '-')
            return false;
        for (var i = 3; i < value.Length; i++)
        {
            var c = value[i];
            if (!char.IsAsciiLetterOrDigit(c) && c != '.' && c != '_' && c != '-')
                return false;
        }
        return true;
    }

    private static void ValidatePeriod(Errors errors, Period period, DateOnly today)
    {
        var fromOk = PeriodDate(errors, "/offencePeriod/from", period.From, today, out var from);
        var toOk = PeriodDate(errors, "/offencePeriod/to", period.To, today, out var to);
        if (fromOk && toOk && from.HasValue && to.HasValue && IsAfter(from.Value, to.Value))
            errors.Add("/offencePeriod/to", "Must not be before from.");
    }

    // from (y, m, d?) is after to (y, m, d?) only when it is certainly later; a bare month spans its days.
    private static bool IsAfter(PartialDate from, PartialDate to)
    {
        var fromMonth = from.Year * 12 + from.Month;
        var toMonth = to.Year * 12 + to.Month;
        if (fromMonth != toMonth)
            return fromMonth > toMonth;
        return from.Day > 0 && to.Day > 0 && from.Day > to.Day;
    }

    /// <summary>The earliest year an offence period may start in: anything before is a typing error, not a case.</summary>
    public const int EarliestOffenceYear = 1900;

    // An offence period lies between 1900 and the day of submission: a period in the future (or in year 1) is a typing
    // error, and one such case would move every window that ends at the last month with data.
    private static bool PeriodDate(Errors errors, string pointer, string? value, DateOnly today, out PartialDate? date)
    {
        date = null;
        if (value is null)
            return true;
        if (!TryParsePartialDate(value, allowMonth: true, out var parsed))
        {
            errors.Add(pointer, "Must be a date as yyyy-MM or yyyy-MM-dd.");
            return false;
        }
        var month = parsed.Year * 12 + parsed.Month;
        var thisMonth = today.Year * 12 + today.Month;
        if (month > thisMonth || (month == thisMonth && parsed.Day > today.Day))
        {
            errors.Add(pointer, "Must not be in the future.");
            return false;
        }
        if (parsed.Year < EarliestOffenceYear)
        {
            errors.Add(pointer, $"Must not be before {EarliestOffenceYear}.");
            return false;
        }
        date = parsed;
        return true;
    }

    private static void ValidateVictim(Errors errors, string pointer, Victim? victim, DateOnly today)
    {
        if (victim is null)
        {
            errors.Add(pointer, "Must be an object, not null.");
            return;
        }
        OptionalText(errors, pointer, "/name", victim.Name, MaxNameLength);
        Age(errors, pointer, "/age", victim.Age);
        if (victim.DateOfBirth is { } dob)
        {
            if (!TryParsePartialDate(dob, allowMonth: false, out var date))
                errors.Add(pointer + "/dateOfBirth", "Must be a date as yyyy-MM-dd.");
            else if (new DateOnly(date.Year, date.Month, date.Day) > today)
                errors.Add(pointer + "/dateOfBirth", "Must not be in the future.");
            // An age the exact age may not have is a typing error (1008 for 2008): its band would be dropped, and with it
            // whether the victim is a child.
            else if (AgeOn(date, today) > MaxAge)
                errors.Add(pointer + "/dateOfBirth", $"Must not give an age over {MaxAge} years.");
        }
        OptionalCode(errors, pointer, "/ageBand", victim.AgeBand, _ageBands);
        OptionalCode(errors, pointer, "/gender", victim.Gender, _genders);
        OptionalCode(errors, pointer, "/citizenship", victim.Citizenship, _countries);
        CodeArray(errors, pointer, "/vulnerabilities", victim.Vulnerabilities, _vulnerabilities);
        OptionalCode(errors, pointer, "/identifiedBy", victim.IdentifiedBy, _identifiedBy);
        Identifiers(errors, pointer, "/identifiers", victim.Identifiers);
    }

    private static int AgeOn(PartialDate birth, DateOnly day) =>
        day.Year - birth.Year - (day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day) ? 1 : 0);

    private static void ValidateSuspect(Errors errors, string pointer, Suspect? suspect)
    {
        if (suspect is null)
        {
            errors.Add(pointer, "Must be an object, not null.");
            return;
        }
        OptionalText(errors, pointer, "/name", suspect.Name, MaxNameLength);
        RequiredCode(errors, pointer, "/role", suspect.Role, _roles);
        Age(errors, pointer, "/age", suspect.Age);
        OptionalCode(errors, pointer, "/ageBand", suspect.AgeBand, _ageBands);
        OptionalCode(errors, pointer, "/gender", suspect.Gender, _genders);
        OptionalCode(errors, pointer, "/citizenship", suspect.Citizenship, _countries);
        OptionalCode(errors, pointer, "/relationToVictim", suspect.RelationToVictim, _relations);
        Identifiers(errors, pointer, "/identifiers", suspect.Identifiers);
    }

    private static void Identifiers(Errors errors, string parent, string name, IReadOnlyList<Identifier>? identifiers)
    {
        if (identifiers is null || identifiers.Count == 0)
            return;
        MaxCount(errors, parent, name, identifiers.Count, MaxIdentifiers, "identifiers");
        for (var i = 0; i < identifiers.Count; i++)
        {
            var itemPointer = parent + name + "/" + i;
            var identifier = identifiers[i];
            if (identifier is null)
            {
                errors.Add(itemPointer, "Must be an object, not null.");
                continue;
            }
            var typeValid = RequiredCode(errors, itemPointer, "/type", identifier.Type, _identifierTypes);
            RequiredText(errors, itemPointer, "/value", identifier.Value, MaxTextLength);
            OptionalCode(errors, itemPointer, "/platform", identifier.Platform, _platforms);
            OptionalCode(errors, itemPointer, "/country", identifier.Country, _countries);
            if (typeValid && identifier.Type == "handle" && identifier.Platform is null)
                errors.Add(itemPointer + "/platform", "Required when type is handle; " + _platforms.AllowedMessage + ".");
        }
    }

    private static void ValidateRouteLeg(Errors errors, string pointer, RouteLeg? leg)
    {
        if (leg is null)
        {
            errors.Add(pointer, "Must be an object, not null.");
            return;
        }
        var fromValid = RequiredCode(errors, pointer, "/from", leg.From, _countries);
        var toValid = RequiredCode(errors, pointer, "/to", leg.To, _countries);
        if (fromValid && toValid && leg.From == leg.To)
            errors.Add(pointer + "/to", "Must differ from from; a route leg crosses a border.");
        OptionalCode(errors, pointer, "/transport", leg.Transport, _transport);
    }

    private static void ValidateDigitalEvidence(Errors errors, DigitalEvidence evidence)
    {
        CodeArray(errors, "", "/digitalEvidence/kinds", evidence.Kinds, _evidenceKinds);
        CodeArray(errors, "", "/digitalEvidence/platforms", evidence.Platforms, _platforms);
        var requests = evidence.CrossBorderRequests ?? [];
        MaxCount(errors, "", "/digitalEvidence/crossBorderRequests", requests.Count, MaxEvidenceRequests, "requests");
        for (var i = 0; i < requests.Count; i++)
        {
            var pointer = "/digitalEvidence/crossBorderRequests/" + i;
            if (requests[i] is not { } request)
            {
                errors.Add(pointer, "Must be an object, not null.");
                continue;
            }
            RequiredCode(errors, pointer, "/instrument", request.Instrument, _instruments);
            RequiredCode(errors, pointer, "/country", request.Country, _countries);
        }
    }

    private static void ValidateFinancialFlow(Errors errors, string pointer, FinancialFlow? flow)
    {
        if (flow is null)
        {
            errors.Add(pointer, "Must be an object, not null.");
            return;
        }
        RequiredCode(errors, pointer, "/amountBand", flow.AmountBand, _amountBands);
        RequiredCode(errors, pointer, "/channel", flow.Channel, _paymentChannels);
        Identifiers(errors, pointer, "/identifiers", flow.Identifiers);
    }

    private static string IndexName(int index) => index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void Age(Errors errors, string parent, string name, int? age)
    {
        if (age is < 0 or > MaxAge)
            errors.Add(parent + name, $"Must be a whole number of years from 0 to {MaxAge}.");
    }

    private static bool RequiredCode(Errors errors, string parent, string name, string? code, CodeList list)
    {
        if (list.Contains(code))
            return true;
        errors.Add(parent + name, (string.IsNullOrEmpty(code) ? "Required; " : "Unknown code; ") + list.AllowedMessage + ".");
        return false;
    }

    private static void OptionalCode(Errors errors, string parent, string name, string? code, CodeList list)
    {
        if (code is not null && !list.Contains(code))
            errors.Add(parent + name, "Unknown code; " + list.AllowedMessage + ".");
    }

    private static void CodeArray(Errors errors, string parent, string name, IReadOnlyList<string>? codes, CodeList list, int? maxItems = null)
    {
        if (codes is null || codes.Count == 0)
            return;
        var max = maxItems ?? list.Codes.Length;
        MaxCount(errors, parent, name, codes.Count, max, "entries");
        for (var i = 0; i < codes.Count; i++)
        {
            var code = codes[i];
            if (!list.Contains(code))
            {
                errors.Add(parent + name + "/" + i, "Unknown code; " + list.AllowedMessage + ".");
                continue;
            }
            // Lists are short (bounded by their code list), so a quadratic scan beats allocating a set.
            for (var j = 0; j < i; j++)
            {
                if (codes[j] == code)
                {
                    errors.Add(parent + name + "/" + i, "Repeats an earlier entry; each code may appear once.");
                    break;
                }
            }
        }
    }

    private static void MaxCount(Errors errors, string parent, string name, int count, int max, string what)
    {
        if (count > max)
            errors.Add(parent + name, $"Too many {what}; at most {max}.");
    }

    // True when the value passed.
    private static bool RequiredText(Errors errors, string parent, string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value, int maxLength)
    {
        // Blank is missing: a case reference of spaces would become the same empty upsert key for every such case.
        if (string.IsNullOrWhiteSpace(value))
            errors.Add(parent + name, $"Required; 1 to {maxLength} characters, not only spaces.");
        else if (CodePointLength(value, maxLength) > maxLength)
            errors.Add(parent + name, $"Too long; at most {maxLength} characters.");
        else if (HasControlCharacter(value, allowLineBreaks: false))
            errors.Add(parent + name, SingleLineControlMessage);
        else
            return true;
        return false;
    }

    private static void OptionalText(Errors errors, string parent, string name, string? value, int maxLength)
    {
        if (value is null)
            return;
        if (value.Length == 0)
            errors.Add(parent + name, $"Must not be empty; omit it or give 1 to {maxLength} characters.");
        else if (CodePointLength(value, maxLength) > maxLength)
            errors.Add(parent + name, $"Too long; at most {maxLength} characters.");
        else if (HasControlCharacter(value, allowLineBreaks: false))
            errors.Add(parent + name, SingleLineControlMessage);
    }

    private const string SingleLineControlMessage =
        "Must not contain control characters (U+0000 to U+001F, U+007F to U+009F), line breaks and tabs included.";

    private const string FreeTextControlMessage =
        "Must not contain control characters (U+0000 to U+001F, U+007F to U+009F) other than tab, line feed and carriage return.";

    /// <summary>
    /// True when <paramref name="value"/> holds a control character (Unicode category Cc): a NUL or a bell is never part
    /// of a reference, a name or an identifier, and would give a token no other writing of the same value gets. Free text
    /// may hold tabs and line breaks (<paramref name="allowLineBreaks"/>).
    /// </summary>
    internal static bool HasControlCharacter(string value, bool allowLineBreaks)
    {
        foreach (var c in value)
        {
            if (!char.IsControl(c)) continue;
            if (allowLineBreaks && c is '\t' or '\n' or '\r') continue;
            return true;
        }
        return false;
    }

    // JSON Schema counts code points; UTF-16 length is an upper bound, so only long strings are counted.
    private static int CodePointLength(string value, int limit)
    {
        if (value.Length <= limit)
            return value.Length;
        var surrogatePairs = 0;
        for (var i = 0; i < value.Length - 1; i++)
        {
            if (char.IsHighSurrogate(value[i]) && char.IsLowSurrogate(value[i + 1]))
            {
                surrogatePairs++;
                i++;
            }
        }
        return value.Length - surrogatePairs;
    }

    private readonly record struct PartialDate(int Year, int Month, int Day);

    // yyyy-MM-dd, or yyyy-MM when allowMonth; the day must exist in that month (the schema pattern cannot say so).
    private static bool TryParsePartialDate(string value, bool allowMonth, out PartialDate date)
    {
        date = default;
        if (!(value.Length == 10 || (allowMonth && value.Length == 7)) || value[4] != '-')
            return false;
        if (!TryDigits(value, 0, 4, out var year) || !TryDigits(value, 5, 2, out var month) || month is < 1 or > 12 || year < 1)
            return false;
        var day = 0;
        if (value.Length == 10)
        {
            if (value[7] != '-' || !TryDigits(value, 8, 2, out day) || day < 1 || day > DateTime.DaysInMonth(year, month))
                return false;
        }
        date = new PartialDate(year, month, day);
        return true;
    }

    private static bool TryDigits(string value, int start, int length, out int number)
    {
        number = 0;
        for (var i = start; i < start + length; i++)
        {
            var c = value[i];
            if (!char.IsAsciiDigit(c))
                return false;
            number = number * 10 + (c - '0');
        }
        return true;
    }

    // Allocates nothing until the first error: valid submissions, the common case, stay cheap.
    private sealed class Errors
    {
        private List<ValidationError>? _list;
        private int _dropped;

        public void Add(string pointer, string message)
        {
            _list ??= [];
            if (_list.Count < MaxErrors)
                _list.Add(new ValidationError(pointer, message));
            else
                _dropped++;
        }

        public IReadOnlyList<ValidationError> ToList()
        {
            if (_list is null)
                return [];
            if (_dropped > 0)
                _list.Add(new ValidationError("", $"{_dropped} further errors were not listed."));
            return _list;
        }
    }
}
