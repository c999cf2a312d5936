using System.Globalization;
using System.Text;
using Analytics.Core.Cases;

namespace Analytics.Learning.Features;

/// <summary>Writes the feature matrix as CSV, e.g. to compare with scikit-learn on the same data.</summary>
public static class FeatureExport
{
    /// <summary>
    /// Writes one header row (the feature names) and one row per profile, using a schema learnt from
    /// the same profiles. Numbers use the invariant culture; the stream is left open.
    /// </summary>
    public static FeatureSchema WriteCsv(IEnumerable<CaseProfile> profiles, Stream output)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var list = profiles as IReadOnlyList<CaseProfile> ?? profiles.ToList();
        var schema = FeatureSchema.Build(list);
        WriteCsv(list, schema, output);
        return schema;
    }

    /// <summary>Writes the feature matrix of <paramref name="profiles"/> under an existing schema.</summary>
    public static void WriteCsv(IEnumerable<CaseProfile> profiles, FeatureSchema schema, Stream output)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
        // Feature names contain only [a-z0-9.=+-] and country codes, so they never need quoting.
        writer.WriteLine(string.Join(',', schema.Names));
        foreach (var profile in profiles)
            writer.WriteLine(string.Join(',', schema.Vectorize(profile).Select(x => x.ToString("0.###", CultureInfo.InvariantCulture))));
    }
}
