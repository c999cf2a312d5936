using Analytics.Core.Cases;

namespace Analytics.Data.ApiKeys;

/// <summary>What a key request must satisfy, the same from the API and from the command line.</summary>
public static class ApiKeyRules
{
    /// <summary>The fields of a key request that are wrong, each with what it should be; empty when the request is valid.</summary>
    public static IReadOnlyList<(string Field, string Message)> Check(string? name, string? role, string? jurisdiction, string? authority)
    {
        var errors = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100 || name.Any(char.IsControl))
            errors.Add(("name", "required, at most 100 characters, no control characters"));
        if (role is null || !Roles.All.Contains(role)) errors.Add(("role", $"must be one of: {string.Join(", ", Roles.All)}"));
        else if (role == Roles.Prosecutor)
        {
            if (jurisdiction is null || !CodeLists.Contains(CodeLists.Countries, jurisdiction))
                errors.Add(("jurisdiction", "a prosecutor key needs an ISO 3166-1 alpha-2 jurisdiction"));
            if (authority is null || jurisdiction is null || !authority.StartsWith(jurisdiction + "-", StringComparison.Ordinal)
                || authority.Length <= jurisdiction.Length + 1 || authority.Length > 63 || !IsAuthorityId(authority))
                errors.Add(("authority", "a prosecutor key needs an authority id starting with its jurisdiction, e.g. RO-DIICOT (letters, digits, '-', '_' and '.')"));
        }
        else
        {
            // Analyst and steward keys see every jurisdiction: a jurisdiction or authority on them would be stored and mean nothing.
            var article = role == Roles.Analyst ? "an" : "a";
            if (jurisdiction is not null) errors.Add(("jurisdiction", $"only a prosecutor key carries a jurisdiction, not {article} {role} key"));
            if (authority is not null) errors.Add(("authority", $"only a prosecutor key carries an authority, not {article} {role} key"));
        }
        return errors;
    }

    // An id, not a path or a sentence: letters, digits, '-', '_' and single dots (DE-StA.Berlin).
    private static bool IsAuthorityId(string authority) =>
        authority.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && !authority.Contains("..", StringComparison.Ordinal);
}
