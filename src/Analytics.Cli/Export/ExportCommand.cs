using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Analytics.Cli.Hosting;
using Analytics.Core.Cases;
using Analytics.Core.Pseudonymisation;
using Analytics.Core.Synthetic;
using Analytics.Learning.Features;
using Analytics.Learning.Patterns;

namespace Analytics.Cli.Export;

/// <summary><c>analytics export features</c>: the feature matrix of generated cases, with the platform's and the planted patterns.</summary>
public static class ExportCommand
{
    /// <summary>Extra columns after the features: the platform's pattern id and the generator's planted pattern id.</summary>
    public const string PatternColumn = "pattern_id";
    public const string PlantedColumn = "planted_pattern";

    public static Command Create() => new("export", "Export data for analysis outside the platform.")
    {
        Features(),
    };

    private static Command Features()
    {
        var count = new Option<int>("--count") { Description = "Number of generated cases.", DefaultValueFactory = _ => 2000 };
        count.Require(v => v >= 20, "--count must be 20 or more.");
        var seed = new Option<int>("--seed") { Description = "Seed of the case generator.", DefaultValueFactory = _ => 42 };
        var patternSeed = new Option<int>("--pattern-seed") { Description = "Seed of pattern discovery.", DefaultValueFactory = _ => new PatternDiscoveryOptions().Seed };
        var output = new Option<FileInfo>("--out") { Description = "CSV file: one row per case, the features, then pattern_id and planted_pattern.", DefaultValueFactory = _ => new FileInfo("features.csv") };
        var command = new Command("features",
            "Generate cases, take them through pseudonymisation to their stored profiles, discover patterns as the platform does, and write the feature matrix (FeatureExport CSV) with each row's pattern id and planted pattern id.")
        {
            count, seed, patternSeed, output,
        };
        command.SetAction(parse =>
        {
            var console = CliOutput.For(parse);
            var file = parse.GetValue(output)!;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var cases = new CaseGenerator(new GeneratorOptions { Count = parse.GetValue(count), Seed = parse.GetValue(seed) }).Generate().ToList();
            // Profiles hold no identifiers, so a throw-away key changes nothing in them.
            var pseudonymiser = new CasePseudonymiser(new KeyRing(new PseudonymisationKey("export", RandomNumberGenerator.GetBytes(32))));
            var reference = new DateOnly(2025, 1, 1);
            var profiles = cases.Select(c => CaseProfile.From(pseudonymiser.Pseudonymise(c.Case, reference).Record)).ToList();
            var discovery = PatternDiscovery.Discover(profiles, new PatternDiscoveryOptions { Seed = parse.GetValue(patternSeed) });

            using var matrix = new MemoryStream();
            FeatureExport.WriteCsv(profiles, discovery.Model.Schema, matrix);
            var lines = Encoding.UTF8.GetString(matrix.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            try
            {
                Directory.CreateDirectory(file.DirectoryName!);
                using var writer = new StreamWriter(file.FullName, false, new UTF8Encoding(false)) { NewLine = "\n" };
                writer.WriteLine(lines[0] + "," + PatternColumn + "," + PlantedColumn);
                for (var i = 1; i < lines.Length; i++)
                    writer.WriteLine(lines[i] + "," + discovery.Assignments[i - 1].ToString(CultureInfo.InvariantCulture) + "," + cases[i - 1].PatternId);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                console.Error.WriteLine($"error: cannot write: {e.Message}");
                return ExitCodes.Usage;
            }
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{cases.Count:N0} cases, {discovery.Model.Schema.Count} features, k = {discovery.Model.K} patterns (silhouette {discovery.Model.Silhouette:F3}) → {file.FullName} in {clock.Elapsed.TotalSeconds:F1} s"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
