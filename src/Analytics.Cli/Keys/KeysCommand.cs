using System.CommandLine;
using Analytics.Cli.Hosting;
using System.Data.Common;
using Analytics.Data.ApiKeys;
using Analytics.Data.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Cli.Keys;

/// <summary>
/// <c>analytics keys create|list|revoke</c>: API keys, written straight to and read straight from the database; each change
/// and each listing with its entry in the audit trail (<see cref="AuditedKeyChanges"/>).
/// </summary>
public static class KeysCommand
{
    public static Command Create()
    {
        var role = new Option<string>("--role") { Description = "prosecutor, analyst or steward.", Required = true };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var jurisdiction = new Option<string?>("--jurisdiction") { Description = "ISO 3166-1 alpha-2 (prosecutor keys)." };
        var authority = new Option<string?>("--authority") { Description = "Authority id, e.g. RO-DIICOT (prosecutor keys)." };
        var name = new Option<string?>("--name") { Description = "A label for the key." };

        var create = new Command("create", "Issue an API key; the key is printed once and only its hash is stored.") { role, jurisdiction, authority, name, CliServices.Database };
        create.SetAction(async (parse, ct) =>
        {
            var r = parse.GetValue(role)!;
            var label = parse.GetValue(name) ?? $"{r} key";
            var problems = ApiKeyRules.Check(label, r, parse.GetValue(jurisdiction), parse.GetValue(authority));
            if (problems.Count > 0)
            {
                foreach (var (field, message) in problems) parse.InvocationConfiguration.Error.WriteLine($"error: --{field}: {message}");
                return ExitCodes.Usage;
            }
            // A new store is how a key is issued before the service first runs, but a mistyped path makes one too: said, not silent.
            var created = CliServices.MissingSqliteFile(CliServices.Configuration(parse));
            await using var services = await CliServices.BuildAsync(parse, ct);
            if (created is not null)
                parse.InvocationConfiguration.Error.WriteLine($"note: there was no database at {created}; a new one was created. The key works only on a service that uses this database.");
            IssuedApiKey issued;
            try
            {
                issued = await AuditedKeyChanges.CreateAsync(services.GetRequiredService<AuditStore>(), label, r, parse.GetValue(jurisdiction), parse.GetValue(authority), ct);
            }
            catch (DbException e)
            {
                // The key and its audit entry are one transaction: when it fails, no key exists that the trail does not record.
                parse.InvocationConfiguration.Error.WriteLine($"error: no key was created: the key and its audit entry could not be stored ({e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}).");
                return ExitCodes.Partial;
            }
            parse.InvocationConfiguration.Output.WriteLine($"id:   {issued.Id}\nrole: {issued.Role} {issued.Authority}\nkey:  {issued.Key}");
            parse.InvocationConfiguration.Error.WriteLine("Store the key now: it cannot be shown again. Send it as 'X-Api-Key: <key>'.");
            return ExitCodes.Ok;
        });

        var list = new Command("list", "List API keys (never their secrets).") { CliServices.Database };
        list.SetAction(async (parse, ct) =>
        {
            await using var services = await CliServices.BuildAsync(parse, ct, existingOnly: true);
            // Read with the entry that records the listing, in one transaction; a failure is the usual one-line database error.
            var keys = await AuditedKeyChanges.ListAsync(services.GetRequiredService<AuditStore>(), ct);
            foreach (var k in keys)
                parse.InvocationConfiguration.Output.WriteLine($"{k.Id}  {k.Role,-10} {k.Authority ?? "-",-16} {k.Name,-30} {(k.RevokedAt is null ? "active" : "revoked " + k.RevokedAt)}");
            // Said, not left blank. The connection string is not repeated: one of PostgreSQL (Database__Provider) can hold a password.
            if (keys.Count == 0)
                parse.InvocationConfiguration.Error.WriteLine("no API keys in this database (--database)");
            return 0;
        });

        var id = new Argument<string>("id") { Description = "The key id (the part after 'ak_' and before the dot)." };
        var revoke = new Command("revoke", "Revoke an API key.") { id, CliServices.Database };
        revoke.SetAction(async (parse, ct) =>
        {
            await using var services = await CliServices.BuildAsync(parse, ct, existingOnly: true);
            var done = await AuditedKeyChanges.RevokeAsync(services.GetRequiredService<AuditStore>(), parse.GetValue(id)!, ct);
            parse.InvocationConfiguration.Output.WriteLine(done ? "revoked" : "no such active key");
            return done ? 0 : 1;
        });

        return new Command("keys", "Manage API keys.") { create, list, revoke };
    }
}
