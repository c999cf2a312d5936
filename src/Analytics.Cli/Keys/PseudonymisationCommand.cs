using System.CommandLine;
using System.Text.Json;
using Analytics.Cli.Hosting;
using Analytics.Data.Pseudonymisation;

namespace Analytics.Cli.Keys;

/// <summary>
/// <c>analytics pseudonymisation rotate</c>: adds a new random key at the end of the key file's ring. The store is not
/// touched here: each node takes the new key when it is restarted, and the first to start with it has the stored cases
/// moved to it by the <c>rekey-tokens</c> job (no raw identifier is needed for that).
/// </summary>
public static class PseudonymisationCommand
{
    public static Command Create()
    {
        var rotate = new Command("rotate", "Add a new random pseudonymisation key to the key file; it becomes the active key when the nodes are restarted with the file.")
        {
            CliServices.KeyFile,
        };
        rotate.SetAction((parse, _) =>
        {
            var path = Path.GetFullPath(parse.GetValue(CliServices.KeyFile)!);
            if (!File.Exists(path))
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: --key-file: no key file at {path}; a node creates one on its first run.");
                return Task.FromResult(ExitCodes.Usage);
            }
            string id;
            try
            {
                id = KeyFile.AppendNew(path);
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: --key-file: the key file cannot be used ({e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}).");
                return Task.FromResult(ExitCodes.Usage);
            }
            parse.InvocationConfiguration.Output.WriteLine($"added key {id} to {path}; it is now the active key of the file's ring");
            parse.InvocationConfiguration.Error.WriteLine(
                "Restart every node with this key file (or copy it to them). The first node to start moves the stored cases to the new key " +
                "(job rekey-tokens; GET /api/v1/pseudonymisation/keys shows its progress). A node still running with the old keys refuses case writes until restarted.");
            return Task.FromResult(ExitCodes.Ok);
        });
        return new Command("pseudonymisation", "Manage the pseudonymisation key ring (the key file).") { rotate };
    }
}
