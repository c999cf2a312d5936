using System.Globalization;
using System.Text;
using Analytics.Core.Disclosure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Api.Insights;

/// <summary>CSV exports of aggregates: suppressed cells are written as "&lt; k", never as zero or blank.</summary>
public static class Csv
{
    public static FileContentHttpResult File(string name, IEnumerable<string> header, IEnumerable<IEnumerable<object?>> rows)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', header.Select(Escape)).Append('\n');
        foreach (var row in rows) text.AppendJoin(',', row.Select(Cell)).Append('\n');
        return TypedResults.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", name);
    }

    public static string Count(ReleasedCount cell, int k) => cell.Suppressed ? $"< {k}" : cell.Count!.Value.ToString(CultureInfo.InvariantCulture);

    private static string Cell(object? value) => value switch
    {
        null => "",
        // As in the JSON answers, not .NET's "True" and "False".
        bool b => b ? "true" : "false",
        double d => d.ToString("0.######", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Escape(value.ToString() ?? ""),
    };

    private static string Escape(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
