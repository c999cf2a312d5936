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
    /// A steward's promotion: loads the version's artefact first, so the registry never names as active a version the
    /// API could not serve, then makes it active and serves the model already loaded (its file is read once).
    /// Returns the active version, or the type of the load failure (and nothing changes).
    /// </summary>
    public (string? Active, string? Failure) Activate(string name, string version)
    {
        lock (_activation)
        {
            var failure = TryRead(name, version, out var model);
            return failure is not null ? (null, failure) : (Promote(new Staged(name, version, model!), () => _registry.Activate(name, version)), null);
        }
    }

    /// <summary>
    /// Returns to the previously active version, as <see cref="Activate"/> does: only once that version's artefact has
    /// loaded. Returns the active version, or the type of the load failure (and nothing changes).
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no earlier active version.</exception>
    public (string? Active, string? Failure) Rollback(string name)
    {
        lock (_activation)
        {
            var table = _registry.GetTable(name);
            if (table.ActivationHistory.Count < 2 || table.Active is null)
                throw new InvalidOperationException($"Model '{name}' has no earlier active version to roll back to.");
            var previous = table.ActivationHistory[^2];
            var failure = TryRead(name, previous, out var model);
            return failure is not null ? (null, failure) : (Promote(new Staged(name, previous, model!), () => _registry.Rollback(name)), null);
        }
    }

    // Caller holds _activation. The registry change raises ActiveVersionChanged, whose Load serves the staged model.
    private string Promote(Staged staged, Func<string> change)
    {
        Volatile.Write(ref _staged, staged);
        try
        {
            var active = change();
            Load(staged.Name);
            return active;
        }
        finally
        {
            Volatile.Write(ref _staged, null);
        }
    }

    // Any failure to read or load an artefact (a missing or truncated file, an unreadable part inside a valid zip) is the
    // artefact's fault, so it is reported by its type and the model in service stays; only cancellation passes through.
    private string? TryRead(string name, string version, out object? model)
    {
        try
        {
            using var stream = _registry.OpenModel(name, version);
            model = name == ModelNames.Patterns ? PatternModel.Load(stream) : CaseClassifier.Load(stream);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            model = null;
            return e.GetType().Name;
        }
    }

    private sealed record Staged(string Name, string Version, object Model);

    // Held for every change of a served model (a steward's activation or rollback, a registration's promotion, a
    // refresh), so a check of the registry and the swap that follows it are never interleaved with another change.
    private readonly Lock _activation = new();
    private Staged? _staged;

    private void Load(string name)
    {
        lock (_activation)
        {
            try
            {
                var before = Held(name);
                var version = Volatile.Read(ref _staged) is { } staged && staged.Name == name && staged.Version != before
                    && _registry.GetActiveVersion(name) == staged.Version
                    ? Serve(staged)
                    : name switch
                    {
                        ModelNames.Patterns => Patterns.LoadActive(_registry, name, PatternModel.Load),
                        ModelNames.ExploitationType => ExploitationType.LoadActive(_registry, name, CaseClassifier.Load),
                        ModelNames.ChildVictim => ChildVictim.LoadActive(_registry, name, CaseClassifier.Load),
                        _ => null,
                    };
                if (version is not null && version != before) _logger.LogInformation("Serving {Model} version {Version}", name, version);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A broken artefact must not take the API down, nor stop the other models loading: the previous model stays.
                _logger.LogError("Could not load the active version of {Model}: {Error}; the previous version stays in service", name, e.GetType().Name);
            }
        }
    }

    private string Serve(Staged staged)
    {
        switch (staged.Name)
        {
            case ModelNames.Patterns: Patterns.Swap((PatternModel)staged.Model, staged.Version); break;
            case ModelNames.ExploitationType: ExploitationType.Swap((CaseClassifier)staged.Model, staged.Version); break;
            default: ChildVictim.Swap((CaseClassifier)staged.Model, staged.Version); break;
        }
        return staged.Version;
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
