namespace Analytics.Learning.Registry;

/// <summary>An immutable pairing of a loaded model with its version.</summary>
public sealed record ModelSnapshot<T>(T Model, string Version) where T : class;

/// <summary>
/// Holds the active model for serving and swaps it atomically. Readers take the current snapshot
/// with a volatile read and use it to the end of their call, so a prediction never mixes two models;
/// a new model is loaded completely before <see cref="Swap"/> publishes it. The held models must be
/// safe for concurrent use (the library's models rent ML.NET engines from a pool).
/// </summary>
public sealed class ModelHolder<T> where T : class
{
    private ModelSnapshot<T>? _current;

    /// <summary>Raised after a swap with the new snapshot.</summary>
    public event EventHandler<ModelSnapshot<T>>? Swapped;

    /// <summary>The current snapshot, or null before the first load.</summary>
    public ModelSnapshot<T>? Current => Volatile.Read(ref _current);

    /// <summary>Publishes <paramref name="model"/> as the current model; returns the snapshot it replaced.</summary>
    public ModelSnapshot<T>? Swap(T model, string version)
    {
        ArgumentNullException.ThrowIfNull(model);
        var next = new ModelSnapshot<T>(model, version);
        var previous = Interlocked.Exchange(ref _current, next);
        Swapped?.Invoke(this, next);
        return previous;
    }

    /// <summary>Runs <paramref name="use"/> against one consistent snapshot.</summary>
    /// <exception cref="InvalidOperationException">No model has been loaded yet.</exception>
    public TResult Use<TResult>(Func<ModelSnapshot<T>, TResult> use)
    {
        ArgumentNullException.ThrowIfNull(use);
        var snapshot = Current ?? throw new InvalidOperationException($"No {typeof(T).Name} model is loaded.");
        return use(snapshot);
    }

    /// <summary>
    /// Loads the active version of <paramref name="name"/> from <paramref name="registry"/> and swaps it in,
    /// unless it is already held. Returns the held version, or null when the registry has no active version.
    /// </summary>
    public string? LoadActive(ModelRegistry registry, string name, Func<Stream, T> load)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(load);
        var version = registry.GetActiveVersion(name);
        if (version is null || Current?.Version == version)
            return version ?? Current?.Version;
        T model;
        using (var stream = registry.OpenModel(name, version))
            model = load(stream);
        Swap(model, version);
        return version;
    }
}
