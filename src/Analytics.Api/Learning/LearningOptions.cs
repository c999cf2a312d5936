using System.ComponentModel.DataAnnotations;

namespace Analytics.Api.Learning;

public sealed class LearningOptions
{
    public const string Section = "Learning";

    /// <summary>Model registry root: &lt;root&gt;/&lt;name&gt;/&lt;version&gt;/model.zip + model-card.json.</summary>
    [Required]
    public string ModelsRoot { get; set; } = "models";

    public int Seed { get; set; } = 42;

    /// <summary>Training refuses to run on fewer active cases than this.</summary>
    [Range(10, int.MaxValue)]
    public int MinimumCases { get; set; } = 50;

    /// <summary>Disclosure threshold k: patterns with fewer cases are not released.</summary>
    [Range(2, 1000)]
    public int DisclosureThreshold { get; set; } = 10;

    /// <summary>
    /// Largest noise of cell-key perturbation (<see cref="Analytics.Core.Disclosure.CellKeyPerturbation"/>) on the counts an
    /// analyst narrows: route flows, and a pattern's cases under a filter. 0 turns it off, which lets two counts narrowed in
    /// different ways be subtracted exactly.
    /// </summary>
    [Range(0, Analytics.Core.Disclosure.CellKeyPerturbation.MaxRange)]
    public int PerturbationRange { get; set; } = Analytics.Core.Disclosure.CellKeyPerturbation.DefaultRange;

    /// <summary>How far a candidate's primary metric may fall below the active one and still be promoted automatically.</summary>
    [Range(0.0, 1.0)]
    public double PromotionTolerance { get; set; } = 0.02;

    /// <summary>
    /// How often each node re-reads the registry's active versions, so that a promotion or rollback made by another node
    /// (sharing the models folder) is served here too. Zero turns the polling off (one node only).
    /// </summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Cases assigned to patterns per batch (one transaction each).</summary>
    [Range(100, 100_000)]
    public int AssignmentBatchSize { get; set; } = 5_000;
}

/// <summary>The models this platform trains, by registry name.</summary>
public static class ModelNames
{
    public const string Patterns = "patterns";
    public const string ExploitationType = "exploitation-type";
    public const string ChildVictim = "child-victim";
    public static readonly IReadOnlyList<string> All = [Patterns, ExploitationType, ChildVictim];
}
