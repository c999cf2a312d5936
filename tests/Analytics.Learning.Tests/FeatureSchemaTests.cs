using Analytics.Core.Cases;
using Analytics.Learning.Features;

namespace Analytics.Learning.Tests;

public sealed class FeatureSchemaTests
{
    private static readonly CaseProfile Known = new()
    {
        Jurisdiction = "IT",
        Victims = [new ProfileVictim("0-8", "female", "RO")],
        Suspects = [new ProfileSuspect("recruiter", "family")],
        RecruitmentChannels = ["family"],
        ExploitationTypes = ["begging"],
        RouteCountries = ["RO", "IT"],
    };

    [Fact]
    public void FeatureMatrix_RowsEqualVectorize_OnOneOrTwoThreads()
    {
        var (profiles, _) = PlantedCases.Generate(perGroup: 30, seed: 4);
        var schema = FeatureSchema.Build(profiles);
        profiles.Add(Known with { Victims = [], Suspects = [], RouteCountries = ["ZZ"], LabourSectors = [], ExploitationTypes = ["labour"] });
        var one = FeatureMatrix.Build(schema, profiles, threads: 1);
        var two = FeatureMatrix.Build(schema, profiles, threads: 2);
        Assert.Equal(one.Values, two.Values);
        for (var i = 0; i < profiles.Count; i++)
            Assert.Equal(schema.Vectorize(profiles[i]), one.Row(i).ToArray());
        var last = one.Row(profiles.Count - 1).ToArray();
        Assert.Equal(1f, last[schema.IndexOf("origin=other")]);
        Assert.Equal(1f, last[schema.IndexOf("sector.unknown")]);
        Assert.Equal(1f, last[schema.IndexOf("victim.age.unknown")]);
    }

    [Fact]
    public void Vectorize_SetsAgeUnknownNotZeroBlock_WhenAgeBandMissing()
    {
        var schema = FeatureSchema.Build([Known]);
        var missing = schema.Vectorize(Known with { Victims = [new ProfileVictim(null, "female", "RO")] });
        var age = schema.Names.Select((n, i) => (n, i)).Where(x => x.n.StartsWith("victim.age", StringComparison.Ordinal) || x.n == "victim.child").ToList();
        Assert.Contains(age, x => missing[x.i] != 0);
        Assert.Equal(1f, missing[schema.IndexOf("victim.age.unknown")]);
        Assert.NotEqual(schema.Vectorize(Known), missing);
        // A known youngest band never encodes as 0, so 0 only ever means "unknown".
        Assert.True(schema.Vectorize(Known)[schema.IndexOf("victim.age.youngest")] > 0);
    }

    [Fact]
    public void Vectorize_SetsListUnknown_WhenSourceGaveNoValues()
    {
        var schema = FeatureSchema.Build([Known]);
        var v = schema.Vectorize(Known with { RecruitmentChannels = [], Suspects = [] });
        Assert.Equal(1f, v[schema.IndexOf("recruitment.unknown")]);
        Assert.Equal(1f, v[schema.IndexOf("suspect.relation.unknown")]);
        Assert.Equal(0f, schema.Vectorize(Known)[schema.IndexOf("recruitment.unknown")]);
        Assert.Equal(1f, v[schema.IndexOf("victim.child")]);
    }

    [Fact]
    public void Build_KeepsTopCountriesByFrequency_AndMapsRestToOther()
    {
        var profiles = Enumerable.Range(0, 30).Select(i => Known with { RouteCountries = [$"A{(char)('A' + i % 26)}", "IT"] }).ToList();
        var schema = FeatureSchema.Build(profiles, topCountries: 3);
        Assert.Equal(3, schema.Countries.Count);
        Assert.Equal("IT", schema.Countries[0]);
        var v = schema.Vectorize(Known with { RouteCountries = ["ZZ", "IT"] });
        Assert.Equal(1f, v[schema.IndexOf("origin=other")]);
        Assert.Equal(1f, v[schema.IndexOf("destination=IT")]);
        Assert.Equal(schema.Names, new FeatureSchema(schema.Countries).Names);
        Assert.Equal("1", FeatureSchema.Version);
    }

    [Fact]
    public void Vectorize_UsesExploitationCountryAsDestination_WhenNoRoute()
    {
        var schema = FeatureSchema.Build([Known]);
        var v = schema.Vectorize(Known with { RouteCountries = [], ExploitationCountries = ["IT"] });
        Assert.Equal(1f, v[schema.IndexOf("origin.unknown")]);
        Assert.Equal(1f, v[schema.IndexOf("destination=IT")]);
    }

    [Fact]
    public void WriteCsv_WritesHeaderAndOneRowPerProfile()
    {
        var (profiles, _) = PlantedCases.Generate(perGroup: 5);
        using var stream = new MemoryStream();
        var schema = FeatureExport.WriteCsv(profiles, stream);
        var lines = System.Text.Encoding.UTF8.GetString(stream.ToArray()).TrimEnd('\n').Split('\n');
        Assert.Equal(profiles.Count + 1, lines.Length);
        Assert.Equal(schema.Names, lines[0].Split(','));
        Assert.All(lines.Skip(1), l => Assert.Equal(schema.Count, l.Split(',').Length));
    }
}
