using System.Security.Cryptography;
using System.Text.Json;
using Analytics.Core.Pseudonymisation;

using Microsoft.Extensions.Logging;

namespace Analytics.Data.Pseudonymisation;

public sealed class PseudonymisationOptions
{
    public const string Section = "Pseudonymisation";

    /// <summary>Key file outside the database. Relative paths are resolved against the working directory.</summary>
    public string KeyFile { get; set; } = "data/keys/pseudonymisation.json";

    /// <summary>Create a random key file on first run (the embedded default). Production sets this to false.</summary>
    public bool CreateKeyFileIfMissing { get; set; } = true;

    /// <summary>Keys given directly in configuration (e.g. from a secret store), oldest first. Used instead of the file when present.</summary>
    public List<KeyEntry> Keys { get; set; } = [];

    public sealed class KeyEntry
    {
        public string Id { get; set; } = "";
        /// <summary>Base64 of at least 32 random bytes.</summary>
        public string Secret { get; set; } = "";
    }
}

/// <summary>Reads pseudonymisation keys from configuration or a key file; never from the database.</summary>
public static class KeyFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static KeyRing Load(PseudonymisationOptions options, ILogger logger)
    {
        if (options.Keys.Count > 0)
        {
            logger.LogInformation("Pseudonymisation keys taken from configuration ({Count} key(s), active {KeyId})", options.Keys.Count, options.Keys[^1].Id);
            return new KeyRing(options.Keys.Select(k => new PseudonymisationKey(k.Id, Convert.FromBase64String(k.Secret))).ToList());
        }

        var path = Path.GetFullPath(options.KeyFile);
        if (!File.Exists(path))
        {
            if (!options.CreateKeyFileIfMissing)
                throw new InvalidOperationException($"Pseudonymisation key file not found at {path} and creating one is disabled (Pseudonymisation:CreateKeyFileIfMissing).");
            Create(path);
            logger.LogWarning("Created a new random pseudonymisation key file at {Path}. Keep it safe and outside backups of the database: without it new tokens will not match stored ones.", path);
        }

        var file = JsonSerializer.Deserialize<FileContent>(File.ReadAllText(path), Json)
            ?? throw new InvalidOperationException($"Key file {path} is empty.");
        if (file.Keys.Count == 0) throw new InvalidOperationException($"Key file {path} holds no keys.");
        logger.LogInformation("Pseudonymisation keys loaded from {Path} (active key {KeyId})", path, file.Keys[^1].Id);
        return new KeyRing(file.Keys.Select(k => new PseudonymisationKey(k.Id, Convert.FromBase64String(k.Secret))).ToList());
    }

    public static void Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Write(path, new FileContent { Keys = [NewEntry()] }, replace: false);
    }

    /// <summary>
    /// Rotation: adds a new random key at the end of the file's ring, which becomes the active key, and returns its id. The
    /// earlier keys stay (tokens chain through all of them). The file is replaced whole, owner-readable only. Nodes take
    /// the new key when they start; the first to start with it has the stored cases moved to it.
    /// </summary>
    public static string AppendNew(string path)
    {
        var file = JsonSerializer.Deserialize<FileContent>(File.ReadAllText(path), Json)
            ?? throw new InvalidOperationException($"Key file {path} is empty.");
        if (file.Keys.Count == 0) throw new InvalidOperationException($"Key file {path} holds no keys.");
        var entry = NewEntry();
        while (file.Keys.Any(k => k.Id == entry.Id)) entry = NewEntry();
        file.Keys.Add(entry);
        Write(path, file, replace: true);
        return entry.Id;
    }

    private static Entry NewEntry() => new()
    {
        Id = "k" + DateTime.UtcNow.ToString("yyyyMMdd") + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)),
        Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        CreatedAt = DateTimeOffset.UtcNow,
    };

    private static void Write(string path, FileContent content, bool replace)
    {
        var temp = path + ".tmp";
        try
        {
            // Created readable by its owner only, before the secret is written into it (a copy left by a crash goes first).
            File.Delete(temp);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var writer = new StreamWriter(temp, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options))
                writer.Write(JsonSerializer.Serialize(content, Json));
            File.Move(temp, path, overwrite: replace);
        }
        finally
        {
            // The temporary file holds the secret: when the move fails (the path is a directory, a file appeared
            // meanwhile), it must not stay behind.
            try { File.Delete(temp); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private sealed class FileContent
    {
        public List<Entry> Keys { get; set; } = [];
    }

    private sealed class Entry
    {
        public string Id { get; set; } = "";
        public string Secret { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
    }
}
