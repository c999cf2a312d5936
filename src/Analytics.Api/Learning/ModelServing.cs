using Analytics.Learning.Classification;
using Analytics.Learning.Patterns;
using Analytics.Learning.Registry;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Learning;

/// <summary>
/// The models the running API serves. Each is swapped atomically when the registry's active version changes,
/// so requests in flight finish on the model they started with and no restart is needed.
/// </summary>
public sealed class ModelServing : IDisposable
{
    private readonly ModelRegistry _registry;
    private readonly ILogger<ModelServing> _logger;

    public ModelServing(ModelRegistry registry, ILogger<ModelServing> logger)
    {
        _registry = registry;
        _logger = logger;
        _registry.ActiveVersionChanged += OnActiveVersionChanged;
    }

    public ModelHolder<PatternModel> Patterns { get; } = new();
    public ModelHolder<CaseClassifier> ExploitationType { get; } = new();
    public ModelHolder<CaseClassifier> ChildVictim { get; } = new();

    /// <summary>Loads every active version (at start-up, and to pick up promotions made by another node).</summary>
    public void Refresh()
    {
        foreach (var name in ModelNames.All) Load(name);
    }

    private void OnActiveVersionChanged(object? sender, ActiveVersionChangedEventArgs e) => Load(e.Name);

    /// <summary>
    /// Whether a version's artefact loads as the model it should be: checked before a steward's activation, so that
    /// the registry never names as active a version the API could not serve. Returns the failure's type, or null.
    /// </summary>
    public string? LoadFailure(string name, string version)
    {
        try
        {
            using var stream = _registry.OpenModel(name, version);
            if (name == ModelNames.Patterns) PatternModel.Load(stream);
            else CaseClassifier.Load(stream);
            return null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or InvalidOperationException or UnauthorizedAccessException)
        {
            return e.GetType().Name;
        }
    }

    private void Load(string name)
    {
        try
        {
            var before = Held(name);
            var version = name switch
            {
                ModelNames.Patterns => Patterns.LoadActive(_registry, name, PatternModel.Load),
                ModelNames.ExploitationType => ExploitationType.LoadActive(_registry, name, CaseClassifier.Load),
                ModelNames.ChildVictim => ChildVictim.LoadActive(_registry, name, CaseClassifier.Load),
                _ => null,
            };
            if (version is not null && version != before) _logger.LogInformation("Serving {Model} version {Version}", name, version);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or InvalidOperationException)
        {
            // A broken artefact must not take the API down: the previous model stays in service.
            _logger.LogError("Could not load the active version of {Model}: {Error}; the previous version stays in service", name, e.GetType().Name);
        }
    }

    private string? Held(string name) => name switch
    {
        ModelNames.Patterns => Patterns.Current?.Version,
        ModelNames.ExploitationType => ExploitationType.Current?.Version,
        _ => ChildVictim.Current?.Version,
    };

    public void Dispose() => _registry.ActiveVersionChanged -= OnActiveVersionChanged;
}

/// <summary>
/// Picks up promotions and rollbacks made by other processes. The registry's active versions live in the shared
/// models folder (registry.json per model, replaced atomically), so a poll is a read of three small files; a model is
/// loaded only when its active version differs from the one held.
/// </summary>
public sealed class ModelReloader(ModelServing serving, IOptions<LearningOptions> options, ILogger<ModelReloader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ReloadInterval;
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    serving.Refresh();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
                {
                    // The models folder may be briefly unreachable (a network share): keep serving, try at the next tick.
                    logger.LogWarning("Reading the model registry failed: {Error}; the models in service stay", e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
