using Analytics.Core.Cases;
using Analytics.Learning.Classification;
using Analytics.Learning.Patterns;

namespace Analytics.Learning.Prediction;

/// <summary>What the models say about one case profile.</summary>
/// <param name="NearestPatterns">Nearest patterns with Euclidean distances, nearest first; suppressed ones carry no label and must be hidden.</param>
/// <param name="ExploitationTypes">Predicted primary exploitation types with probabilities, most likely first.</param>
/// <param name="ChildVictimProbability">Probability that a victim is under 18, when a child model is loaded.</param>
/// <param name="DrivingFeatures">Top permutation-importance features of the classifiers that are present in this profile.</param>
public sealed record CasePrediction(
    IReadOnlyList<PatternDistance> NearestPatterns,
    IReadOnlyList<ClassProbability> ExploitationTypes,
    double? ChildVictimProbability,
    IReadOnlyList<string> DrivingFeatures);

/// <summary>
/// One entry point over the pattern model and the classifiers. Immutable and thread-safe, so a
/// <see cref="Registry.ModelHolder{T}"/> can hold it and swap it as a unit.
/// </summary>
public sealed class CasePredictor
{
    /// <summary>Combines trained or loaded models.</summary>
    public CasePredictor(PatternModel patterns, CaseClassifier exploitationType, CaseClassifier? childVictim = null)
    {
        Patterns = patterns ?? throw new ArgumentNullException(nameof(patterns));
        ExploitationType = exploitationType ?? throw new ArgumentNullException(nameof(exploitationType));
        if (exploitationType.Kind != ClassifierKind.ExploitationType)
            throw new ArgumentException("Expected an exploitation-type classifier.", nameof(exploitationType));
        if (childVictim is not null && childVictim.Kind != ClassifierKind.ChildVictim)
            throw new ArgumentException("Expected a child-victim classifier.", nameof(childVictim));
        ChildVictim = childVictim;
    }

    /// <summary>The pattern model.</summary>
    public PatternModel Patterns { get; }
    /// <summary>The exploitation-type classifier.</summary>
    public CaseClassifier ExploitationType { get; }
    /// <summary>The child-victim classifier, if any.</summary>
    public CaseClassifier? ChildVictim { get; }

    /// <summary>Scores one profile against every model.</summary>
    public CasePrediction Predict(CaseProfile profile, int patternCount = 3, int driverCount = 5)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var nearest = Patterns.Nearest(profile, patternCount);
        var types = ExploitationType.Predict(profile);
        var child = ChildVictim?.Predict(profile).Single(c => c.Class == "child").Probability;

        // A feature "drove" this prediction when it ranks high in permutation importance and is set in the profile.
        var drivers = new List<string>();
        foreach (var model in new[] { ExploitationType, ChildVictim }.OfType<CaseClassifier>())
        {
            var vector = model.Schema.Vectorize(profile);
            foreach (var indicator in model.Indicators)
                if (vector[model.Schema.IndexOf(indicator.Feature)] != 0 && !drivers.Contains(indicator.Feature))
                    drivers.Add(indicator.Feature);
        }
        return new CasePrediction(nearest, types, child, drivers.Take(driverCount).ToList());
    }
}
