using Analytics.Core.Cases;
using Analytics.Core.Pseudonymisation;
using Analytics.Core.Synthetic;
using Analytics.Learning.Patterns;
using Xunit.Abstractions;

namespace Analytics.Learning.Tests;

/// <summary>
/// Pattern discovery on cases from the synthetic judicial-case generator, taken through the real
/// pseudonymisation path to their stored profiles, scored against the generator's ground truth.
/// </summary>
public sealed class GeneratedDataTests(ITestOutputHelper output)
{
    private static readonly Lazy<(List<CaseProfile> Profiles, List<string> Truth)> Data = new(() =>
    {
        var pseudonymiser = new CasePseudonymiser(new KeyRing([new PseudonymisationKey("test", new byte[32])]));
        var cases = new CaseGenerator(new GeneratorOptions { Seed = 11, Count = 2_000 }).Generate().ToList();
        var profiles = cases.Select(c => CaseProfile.From(pseudonymiser.Pseudonymise(c.Case, new DateOnly(2025, 1, 1)).Record)).ToList();
        return (profiles, cases.Select(c => c.PatternId).ToList());
    });

    [Fact]
    public void Discover_RecoversPlantedPatterns_WithAdjustedRandAtLeast08()
    {
        var (profiles, truth) = Data.Value;
        var result = PatternDiscovery.Discover(profiles, new PatternDiscoveryOptions { Seed = 42 });

        // Noise cases belong to no planted pattern, so they are left out of the score.
        var planted = Enumerable.Range(0, truth.Count).Where(i => truth[i] != PlantedPatterns.NoiseId).ToList();
        var ids = truth.Distinct().Order(StringComparer.Ordinal).Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var ari = AdjustedRand.Index(planted.Select(i => ids[truth[i]]).ToList(), planted.Select(i => result.Assignments[i]).ToList());

        foreach (var pattern in result.Model.Patterns.Where(p => !p.Suppressed))
            output.WriteLine($"{pattern.Id}: {pattern.Profile!.Size} {pattern.Profile.Label}");
        output.WriteLine($"k = {result.Model.K}, ARI = {ari:F3}");
        Assert.True(ari >= 0.8, $"adjusted Rand index {ari:F3}");
    }

    [Fact]
    public void Discover_LabelsNamePlantedRoutes_OnGeneratedData()
    {
        var (profiles, _) = Data.Value;
        var result = PatternDiscovery.Discover(profiles, new PatternDiscoveryOptions { Seed = 42 });
        var labels = result.Model.Patterns.Where(p => !p.Suppressed).Select(p => p.Profile!.Label).ToList();

        Assert.Contains(labels, l => l.Contains("RO→IT", StringComparison.Ordinal) && l.Contains("Girls", StringComparison.Ordinal));
        Assert.Contains(labels, l => l.Contains("UA→PL", StringComparison.Ordinal));
        Assert.Contains(labels, l => l.Contains("BG→AT", StringComparison.Ordinal) && l.Contains("Boys", StringComparison.Ordinal));
    }
}
