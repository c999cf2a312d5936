using System.Reflection;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Analytics.Data.Database;

/// <summary>Applies the dated scripts in data-schemas/sql/&lt;dialect&gt;/ that are not yet recorded.</summary>
public sealed class MigrationRunner(Db db, ILogger<MigrationRunner> logger)
{
    private const string JournalColumns = "id VARCHAR(200) NOT NULL PRIMARY KEY, applied_at VARCHAR(40) NOT NULL";

    public async Task<IReadOnlyList<string>> RunAsync(CancellationToken ct)
    {
        var scripts = Scripts(db.Dialect.Name);
        await using var connection = await db.OpenAsync(ct);
        // Nodes that start together take turns: the second one finds the scripts recorded by the first.
        await using var migrationLock = await db.Dialect.LockMigrationsAsync(connection, ct);
        await connection.ExecuteAsync(new CommandDefinition(db.Dialect.CreateTableIfMissing("schema_migrations", JournalColumns), cancellationToken: ct));
        var applied = (await connection.QueryAsync<string>(new CommandDefinition("SELECT id FROM schema_migrations", cancellationToken: ct))).ToHashSet();
        var done = new List<string>();
        foreach (var (id, sql) in scripts)
        {
            if (applied.Contains(id)) continue;
            await using var tx = await connection.BeginTransactionAsync(ct);
            foreach (var batch in db.Dialect.Batches(sql))
                await connection.ExecuteAsync(new CommandDefinition(batch, transaction: tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (id, applied_at) VALUES (@id, @at)",
                new { id, at = DateTimeOffset.UtcNow.ToString("O") }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            logger.LogInformation("Applied migration {Migration}", id);
            done.Add(id);
        }
        return done;
    }

    public static IReadOnlyList<(string Id, string Sql)> Scripts(string dialect)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var prefix = $"sql/{dialect}/";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (Path.GetFileNameWithoutExtension(n[prefix.Length..]), Read(assembly, n)))
            .ToList();
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
