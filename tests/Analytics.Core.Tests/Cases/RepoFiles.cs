using NJsonSchema;

namespace Analytics.Core.Tests.Cases;

/// <summary>Finds the files under data-schemas/ from the test output folder.</summary>
internal static class RepoFiles
{
    private static readonly Lazy<string> _root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Analytics.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Analytics.sln not found above " + AppContext.BaseDirectory);
    });

    private static readonly Lazy<Task<JsonSchema>> _schema = new(() => JsonSchema.FromJsonAsync(NJsonSchemaText()));

    public static string DataSchemas => Path.Combine(_root.Value, "data-schemas");

    public static string SchemaPath => Path.Combine(DataSchemas, "case-submission.v1.schema.json");

    public static Task<JsonSchema> SchemaAsync() => _schema.Value;

    // NJsonSchema 11 resolves draft-07 "definitions" but not 2020-12 "$defs"; the keyword is renamed for it only.
    private static string NJsonSchemaText() =>
        File.ReadAllText(SchemaPath).Replace("\"$defs\"", "\"definitions\"").Replace("#/$defs/", "#/definitions/");

    public static IEnumerable<string> Examples(string kind) =>
        Directory.EnumerateFiles(Path.Combine(DataSchemas, "examples", kind), "*.json")
            .Where(f => !f.EndsWith(".expected.json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
}
