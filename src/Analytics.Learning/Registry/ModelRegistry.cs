using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Analytics.Learning.Registry;

/// <summary>Lifecycle of a model version.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelStatus>))]
public enum ModelStatus
{
    /// <summary>Registered, waiting for promotion (automatic or by a steward).</summary>
    Candidate,
    /// <summary>The version serving predictions; at most one per model name.</summary>
    Active,
    /// <summary>Was active once, replaced since.</summary>
    Retired,
}

/// <summary>One row of <c>registry.json</c>.</summary>
public sealed record RegistryEntry(string Version, ModelStatus Status, DateTimeOffset RegisteredAt, string PrimaryMetric, double PrimaryValue);

/// <summary>The content of <c>root/&lt;name&gt;/registry.json</c>.</summary>
/// <param name="Name">Model name.</param>
/// <param name="Versions">All versions, oldest first.</param>
/// <param name="ActivationHistory">Versions in the order they became active; the last is the active one. Rollback pops it.</param>
public sealed record RegistryTable(string Name, IReadOnlyList<RegistryEntry> Versions, IReadOnlyList<string> ActivationHistory)
{
    /// <summary>The active version, if any.</summary>
    public string? Active => Versions.FirstOrDefault(v => v.Status == ModelStatus.Active)?.Version;
}

/// <summary>Outcome of registering a version.</summary>
public sealed record RegistrationResult(string Version, PromotionDecision Decision, ModelCard Card);

/// <summary>Raised when a model name's active version changes.</summary>
public sealed class ActiveVersionChangedEventArgs(string name, string? previous, string active) : EventArgs
{
    /// <summary>Model name.</summary>
    public string Name { get; } = name;
    /// <summary>Version active before the change, if any.</summary>
    public string? Previous { get; } = previous;
    /// <summary>Version active now.</summary>
    public string Active { get; } = active;
}

/// <summary>
/// File-based model registry: <c>root/&lt;name&gt;/&lt;version&gt;/model.zip</c> and <c>model-card.json</c>, plus
/// <c>root/&lt;name&gt;/registry.json</c> with each version's status. A version directory is assembled
/// under a temporary name and moved into place; registry.json is written to a temporary file and
/// moved over the old one, so a reader sees either the old or the new state, never a partial one.
/// Writers are serialised per model name within the process, and across processes (several nodes sharing the
/// folder) by an exclusive lock on <c>root/.&lt;name&gt;.lock</c>.
/// </summary>
public sealed partial class ModelRegistry
{
    private const string TableFile = "registry.json";
    private const string ModelFile = "model.zip";
    private const string CardFile = "model-card.json";
    private static readonly ConcurrentDictionary<string, object> Locks = new(StringComparer.Ordinal);

    /// <summary>Creates a registry rooted at <paramref name="root"/> (created if missing).</summary>
    public ModelRegistry(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    /// <summary>Full path of the registry root.</summary>
    public string Root { get; }

    /// <summary>Raised after a promotion, activation or rollback has been committed.</summary>
    public event EventHandler<ActiveVersionChangedEventArgs>? ActiveVersionChanged;

    /// <summary>
    /// Stores a new version, then applies <see cref="PromotionPolicy"/> against the active version: it
    /// becomes active or stays a candidate. If <paramref name="writeModel"/> throws, nothing is registered.
    /// </summary>
    public RegistrationResult Register(string name, ModelCardDraft draft, Action<Stream> writeModel, double tolerance = PromotionPolicy.DefaultTolerance)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(writeModel);
        ActiveVersionChangedEventArgs? changed = null;
        RegistrationResult result;
        lock (LockFor(name))
        {
            using var fileLock = FileLockFor(name);
            var table = ReadTable(name);
            var version = NextVersion(name, table);
            var card = new ModelCard(name, version, draft.DataSnapshot,
                new FeatureSchemaCard(Features.FeatureSchema.Version, draft.FeatureSchema.Names), draft.Parameters, draft.Metrics, draft.TrainedAt,
                ModelCard.CurrentCodeVersion);

            var staging = Path.Combine(Dir(name), $".staging-{Guid.NewGuid():N}");
            Directory.CreateDirectory(staging);
            try
            {
                using (var stream = new FileStream(Path.Combine(staging, ModelFile), FileMode.CreateNew, FileAccess.Write))
                {
                    writeModel(stream);
                    stream.Flush(flushToDisk: true);
                }
                WriteJson(Path.Combine(staging, CardFile), card);
                Directory.Move(staging, Path.Combine(Dir(name), version));
            }
            catch
            {
                TryDelete(staging);
                throw;
            }

            // The active version's primary metric as registry.json records it, not as its card does: a card pruned or
            // damaged by hand must not make every later training fail.
            var active = table.Versions.FirstOrDefault(v => v.Status == ModelStatus.Active) is { } a
                ? new ModelMetrics(a.PrimaryMetric, new Dictionary<string, double> { [a.PrimaryMetric] = a.PrimaryValue })
                : null;
            var decision = PromotionPolicy.Decide(draft.Metrics, active, tolerance);
            var entry = new RegistryEntry(version, ModelStatus.Candidate, DateTimeOffset.UtcNow, draft.Metrics.Primary, draft.Metrics.PrimaryValue);
            table = table with { Versions = [.. table.Versions, entry] };
            if (decision.Promote)
                (table, changed) = WithActive(table, version);
            WriteTable(name, table);
            result = new RegistrationResult(version, decision, card);
        }
        if (changed is not null)
            ActiveVersionChanged?.Invoke(this, changed);
        return result;
    }

    /// <summary>Makes <paramref name="version"/> the active version (a steward's promotion); returns it.</summary>
    public string Activate(string name, string version)
    {
        ValidateName(name);
        ActiveVersionChangedEventArgs? changed;
        lock (LockFor(name))
        {
            using var fileLock = FileLockFor(name);
            var table = ReadTable(name);
            if (table.Versions.All(v => v.Version != version))
                throw new InvalidOperationException($"Model '{name}' has no version '{version}'.");
            if (table.Active == version)
                return version;
            (table, changed) = WithActive(table, version);
            WriteTable(name, table);
        }
        ActiveVersionChanged?.Invoke(this, changed);
        return version;
    }

    /// <summary>Re-activates the version that was active before the current one; returns it.</summary>
    /// <exception cref="InvalidOperationException">There is no earlier active version.</exception>
    public string Rollback(string name)
    {
        ValidateName(name);
        ActiveVersionChangedEventArgs changed;
        lock (LockFor(name))
        {
            using var fileLock = FileLockFor(name);
            var table = ReadTable(name);
            if (table.ActivationHistory.Count < 2 || table.Active is null)
                throw new InvalidOperationException($"Model '{name}' has no earlier active version to roll back to.");
            var current = table.ActivationHistory[^1];
            var history = table.ActivationHistory.Take(table.ActivationHistory.Count - 1).ToList();
            var previous = history[^1];
            var versions = table.Versions.Select(v =>
                v.Version == current ? v with { Status = ModelStatus.Retired }
                : v.Version == previous ? v with { Status = ModelStatus.Active }
                : v).ToList();
            WriteTable(name, table with { Versions = versions, ActivationHistory = history });
            changed = new ActiveVersionChangedEventArgs(name, current, previous);
        }
        ActiveVersionChanged?.Invoke(this, changed);
        return changed.Active;
    }

    /// <summary>The registry table of <paramref name="name"/> (empty when nothing is registered).</summary>
    public RegistryTable GetTable(string name)
    {
        ValidateName(name);
        return ReadTable(name);
    }

    /// <summary>The active version of <paramref name="name"/>, or null.</summary>
    public string? GetActiveVersion(string name) => GetTable(name).Active;

    /// <summary>Reads a version's model card.</summary>
    public ModelCard ReadCard(string name, string version)
    {
        ValidateName(name);
        using var stream = File.OpenRead(Path.Combine(VersionDir(name, version), CardFile));
        return JsonSerializer.Deserialize<ModelCard>(stream, LearningJson.Options) ?? throw new InvalidDataException($"Empty model card for {name}/{version}.");
    }

    /// <summary>Path of a version's model.zip.</summary>
    public string ModelPath(string name, string version)
    {
        ValidateName(name);
        return Path.Combine(VersionDir(name, version), ModelFile);
    }

    /// <summary>Opens a version's model.zip for reading.</summary>
    public Stream OpenModel(string name, string version) => File.OpenRead(ModelPath(name, version));

    private static (RegistryTable, ActiveVersionChangedEventArgs) WithActive(RegistryTable table, string version)
    {
        var previous = table.Active;
        var versions = table.Versions.Select(v =>
            v.Version == version ? v with { Status = ModelStatus.Active }
            : v.Status == ModelStatus.Active ? v with { Status = ModelStatus.Retired }
            : v).ToList();
        return (table with { Versions = versions, ActivationHistory = [.. table.ActivationHistory, version] },
            new ActiveVersionChangedEventArgs(table.Name, previous, version));
    }

    private string NextVersion(string name, RegistryTable table)
    {
        // Also skip numbers of orphaned directories, so a version directory is never reused.
        var used = table.Versions.Select(v => v.Version)
            .Concat(Directory.EnumerateDirectories(Dir(name)).Select(Path.GetFileName).OfType<string>());
        var max = used.Select(v => VersionPattern().Match(v)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value)).DefaultIfEmpty(0).Max();
        return $"v{max + 1}";
    }

    private RegistryTable ReadTable(string name)
    {
        var path = Path.Combine(Dir(name), TableFile);
        if (!File.Exists(path))
            return new RegistryTable(name, [], []);
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<RegistryTable>(stream, LearningJson.Options) ?? new RegistryTable(name, [], []);
    }

    private void WriteTable(string name, RegistryTable table) => WriteJson(Path.Combine(Dir(name), TableFile), table);

    /// <summary>Writes to a temporary file in the same directory, then renames over the target (atomic on one volume).</summary>
    private static void WriteJson<T>(string path, T value)
    {
        var temp = path + $".tmp-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                JsonSerializer.Serialize(stream, value, LearningJson.Options);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover ".staging-*" directory is ignored by every reader.
        }
    }

    private string Dir(string name)
    {
        var dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private string VersionDir(string name, string version)
    {
        if (!VersionPattern().IsMatch(version))
            throw new ArgumentException($"Invalid version '{version}'.", nameof(version));
        return Path.Combine(Root, name, version);
    }

    /// <summary>
    /// An exclusive lock on root/.&lt;name&gt;.lock held while the table is read, changed and written back, so writers in other
    /// processes on the same folder (local or network file system) never lose each other's changes. .NET takes the lock with
    /// flock on Unix and a sharing mode on Windows; a holder that dies releases it.
    /// </summary>
    private FileStream FileLockFor(string name)
    {
        var path = Path.Combine(Root, $".{name}.lock");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < LockTimeout)
            {
                Thread.Sleep(25);
            }
        }
    }

    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);

    private object LockFor(string name) => Locks.GetOrAdd(Path.Combine(Root, name), _ => new object());

    private static void ValidateName(string name)
    {
        if (name is null || !NamePattern().IsMatch(name))
            throw new ArgumentException($"Invalid model name '{name}': use lower-case letters, digits and '-'.", nameof(name));
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^v([0-9]{1,9})$")]
    private static partial Regex VersionPattern();
}
