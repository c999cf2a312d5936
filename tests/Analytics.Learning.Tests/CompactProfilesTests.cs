using System.Text.Json;
using Analytics.Core.Cases;
using Analytics.Learning.Features;
using Analytics.Learning.Patterns;
using Analytics.Learning.Registry;

namespace Analytics.Learning.Tests;

public sealed class CompactProfilesTests
{
    private static CompactProfiles Compact(IEnumerable<CaseProfile> profiles)
    {
        var compact = new CompactProfiles();
        foreach (var p in profiles)
            compact.Add(p);
        return compact;
    }

    [Fact]
    public void Indexer_DecodesEveryProfileAsAdded_IncludingNullsAndEmptyLists()
    {
        var (planted, _) = PlantedCases.Generate(perGroup: 40, seed: 3);
        CaseProfile[] odd =
        [
            new() { Jurisdiction = "RO" },
            new()
            {
                Jurisdiction = "IT", PeriodFrom = "2024-03", Victims = [new(null, "female", null), new("12-14", null, "RO")],
                Suspects = [new("recruiter", null)], RouteCountries = ["RO", "IT"], LabourSectors = ["agriculture"],
            },
        ];
        var profiles = planted.Concat(odd).ToList();

        var compact = Compact(profiles);

        Assert.Equal(profiles.Count, compact.Count);
        Assert.Equal(profiles.Select(p => JsonSerializer.Serialize(p)), compact.Select(p => JsonSerializer.Serialize(p)));
        Assert.Equal(profiles.Select(p => (p.Jurisdiction, p.PeriodFrom)),
            Enumerable.Range(0, compact.Count).Select(i => (compact.JurisdictionAt(i), compact.PeriodFromAt(i))));
        // Codes are shared: far fewer distinct strings than values.
        Assert.True(compact.DistinctStrings < 200, $"{compact.DistinctStrings} distinct strings");
    }

    [Fact]
    public void FeatureMatrix_IsTheSame_FromCompactProfilesAsFromTheProfileList()
    {
        var (profiles, _) = PlantedCases.Generate(perGroup: 300, seed: 5);
        var compact = Compact(profiles);

        var schema = FeatureSchema.Build(profiles);
        var streamedSchema = FeatureSchema.Build(compact);

        Assert.Equal(schema.Names, streamedSchema.Names);
        Assert.Equal(FeatureMatrix.Build(schema, profiles).Values, FeatureMatrix.Build(streamedSchema, compact, threads: 2).Values);
    }

    [Fact]
    public void Discover_GivesTheSamePatterns_FromCompactProfilesAsFromTheProfileList()
    {
        var (profiles, _) = PlantedCases.Generate(perGroup: 150, seed: 9);
        var options = new PatternDiscoveryOptions { Seed = 11, MinK = 4, MaxK = 8 };

        var listed = PatternDiscovery.Discover(profiles, options);
        var streamed = PatternDiscovery.Discover(Compact(profiles), options);

        Assert.Equal(listed.Assignments, streamed.Assignments);
        Assert.Equal(listed.Model.Silhouette, streamed.Model.Silhouette);
        Assert.Equal(JsonSerializer.Serialize(listed.Model.Patterns), JsonSerializer.Serialize(streamed.Model.Patterns));
    }

    [Fact]
    public void DataSnapshot_FromProfiles_IsTheSameForAnyOrderAndForm_AndChangesWithTheData()
    {
        var (profiles, _) = PlantedCases.Generate(perGroup: 50, seed: 2);
        var reversed = Enumerable.Reverse(profiles).ToList();

        var snapshot = DataSnapshot.FromProfiles(profiles);

        Assert.Equal(snapshot, DataSnapshot.FromProfiles(reversed));
        Assert.Equal(snapshot, DataSnapshot.FromProfiles(Compact(reversed)));
        Assert.Equal(profiles.Count, snapshot.CaseCount);
        Assert.NotEqual(snapshot.Sha256, DataSnapshot.FromProfiles(profiles.Skip(1)).Sha256);
        Assert.NotEqual(snapshot.Sha256, DataSnapshot.FromProfiles(profiles.Select((p, i) => i == 0 ? p with { PeriodFrom = "1999-01" } : p)).Sha256);
    }
}
