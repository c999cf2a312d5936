using System.Text.Json;
using Analytics.Core.Cases;
using Analytics.Data.Database;
using Dapper;

namespace Analytics.Data.Privacy;

/// <summary>Reads the narrow profiles the privacy report is computed over; never the wide record.</summary>
public sealed class PrivacyStore(Db db)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string ActiveProfiles = "SELECT profile FROM cases WHERE status = 'active'";

    /// <summary>Streams every active case's profile to <paramref name="visit"/> (unbuffered); returns the number of cases.</summary>
    public async Task<long> ForEachActiveProfileAsync(Action<CaseProfile> visit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        long cases = 0;
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(ActiveProfiles, cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            visit(JsonSerializer.Deserialize<CaseProfile>(reader.GetString(0), Json)!);
            cases++;
        }
        return cases;
    }
}
