using Analytics.Data.ApiKeys;
using Analytics.Data.Database;
using Analytics.Data.Pseudonymisation;

namespace Analytics.Api.Startup;

public sealed class FirstRunOptions
{
    public const string Section = "FirstRun";
    /// <summary>Where the keys issued on first run are written (owner-readable only).</summary>
    public string KeysFile { get; set; } = "data/first-run-keys.txt";
    /// <summary>Issue one key per role when the key table is empty, so a newcomer can call the API at once.</summary>
    public bool IssueKeys { get; set; } = true;
}

/// <summary>Start-up work that must finish before requests are served: migrations, then first-run keys.</summary>
public sealed class FirstRun(MigrationRunner migrations, ApiKeyStore keys, KeyRingStore ring, Microsoft.Extensions.Options.IOptions<FirstRunOptions> options, ILogger<FirstRun> logger)
{
    public async Task RunAsync(CancellationToken ct)
    {
        await migrations.RunAsync(ct);
        await RegisterKeyRingAsync(ct);
        if (!options.Value.IssueKeys || await keys.CountAsync(ct) > 0) return;

        var issued = new[]
        {
            await keys.CreateAsync("first-run steward", Roles.Steward, null, null, ct),
            await keys.CreateAsync("first-run analyst", Roles.Analyst, null, null, ct),
            await keys.CreateAsync("first-run prosecutor RO", Roles.Prosecutor, "RO", "RO-DIICOT", ct),
            await keys.CreateAsync("first-run prosecutor IT", Roles.Prosecutor, "IT", "IT-DDA-MILANO", ct),
        };
        var path = Path.GetFullPath(options.Value.KeysFile);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var lines = issued.Select(k => $"{k.Role,-10} {k.Authority ?? "-",-14} {k.Key}");
        await File.WriteAllLinesAsync(path, ["# API keys issued on first run: role, authority, key (send as 'X-Api-Key: <key>')", .. lines], ct);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        logger.LogWarning("First run: issued one API key per role and wrote them to {Path}. Revoke them before production use.", path);
    }

    // A node whose ring is behind the store's, or differs from it, must not start: its tokens would match nothing stored.
    private async Task RegisterKeyRingAsync(CancellationToken ct)
    {
        IReadOnlyList<StoredKey> registered;
        try
        {
            registered = await ring.RegisterAsync(ct);
        }
        catch (KeyRingMismatchException e)
        {
            logger.LogCritical("Pseudonymisation key ring refused: {Reason}", e.Message);
            throw;
        }
        if (registered.Count > 0 && registered[^1].RekeyedAt is null)
            logger.LogWarning("Pseudonymisation key {KeyId} is new: the rekey-tokens job moves the stored cases to it, and link runs wait until it is done", registered[^1].KeyId);
    }
}
