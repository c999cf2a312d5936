using System.Globalization;

namespace Analytics.Core.Pseudonymisation;

/// <summary>Coarsens quasi-identifiers: exact ages to the agreed bands, exact dates to year-month.</summary>
public static class Generalisation
{
    /// <summary>The agreed age bands (codes.md), children first.</summary>
    public static IReadOnlyList<string> AgeBands { get; } =
        ["0-8", "9-11", "12-14", "15-17", "18-20", "21-23", "24-26", "27-29", "30-38", "39-47", "48+"];

    // Lower bound of each band in AgeBands, same order.
    private static readonly int[] _lowerBounds = [0, 9, 12, 15, 18, 21, 24, 27, 30, 39, 48];

    // Ages beyond this are data errors, not people; banding them "48+" would hide the error.
    private const int MaximumAge = 130;

    /// <summary>Band for an age in whole years; null when negative or implausible.</summary>
    public static string? AgeBand(int age)
    {
        if (age is < 0 or > MaximumAge) return null;
        for (var i = _lowerBounds.Length - 1; i >= 0; i--)
        {
            if (age >= _lowerBounds[i]) return AgeBands[i];
        }
        return null;
    }

    /// <summary>Band for the age reached on <paramref name="at"/> by someone born on <paramref name="dateOfBirth"/> (yyyy-MM-dd).</summary>
    public static string? AgeBandFromDateOfBirth(string? dateOfBirth, DateOnly at)
    {
        if (!TryParseDate(dateOfBirth, out var dob, out var dayKnown) || !dayKnown || dob > at) return null;
        var age = at.Year - dob.Year;
        if (at < dob.AddYears(age)) age--;
        return AgeBand(age);
    }

    /// <summary>The band itself if it is one of <see cref="AgeBands"/> (surrounding spaces tolerated), else null.</summary>
    public static string? ValidAgeBand(string? band)
    {
        var trimmed = band?.Trim();
        return trimmed is not null && AgeBands.Contains(trimmed, StringComparer.Ordinal) ? trimmed : null;
    }

    /// <summary>"yyyy-MM" for a date given as yyyy-MM-dd or yyyy-MM; null when not such a date.</summary>
    public static string? YearMonth(string? date) =>
        TryParseDate(date, out var d, out _) ? d.ToString("yyyy-MM", CultureInfo.InvariantCulture) : null;

    /// <summary>Parses yyyy-MM-dd or yyyy-MM (as the first of the month); <paramref name="dayKnown"/> tells which.</summary>
    public static bool TryParseDate(string? value, out DateOnly date, out bool dayKnown)
    {
        var text = value?.Trim();
        dayKnown = false;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            dayKnown = true;
            return true;
        }
        return DateOnly.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }
}
