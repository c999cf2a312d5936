using System.Text.Json.Nodes;
using Analytics.Api.Audit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Infrastructure;

/// <summary>Helpers for the audit and privacy tests: wait for the audit writer, and reach the SQLite file directly.</summary>
public static class AuditTestHelpers
{
    /// <summary>Audit entries are written in the background; this waits until every entry queued so far is stored.</summary>
    public static Task FlushAuditAsync(this AnalyticsFactory factory) =>
        factory.Services.GetRequiredService<AuditLog>().FlushAsync();

    /// <summary>The id of the API key a client sends (the principal the audit log records for it).</summary>
    public static string KeyId(this HttpClient client)
    {
        var key = client.DefaultRequestHeaders.GetValues("X-Api-Key").Single();
        return key["ak_".Length..key.IndexOf('.')];
    }

    /// <summary>Runs SQL on the database file behind the service's back (as someone tampering with it would).</summary>
    public static async Task<int> ExecuteSqlAsync(this AnalyticsFactory factory, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={factory.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<long> ScalarAsync(this AnalyticsFactory factory, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={factory.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>Every column of every audit_log row as text, one line per row, for scans; <paramref name="without"/> names columns to leave out.</summary>
    public static async Task<IReadOnlyList<string>> AuditRowsAsync(this AnalyticsFactory factory, params string[] without)
    {
        await using var connection = new SqliteConnection($"Data Source={factory.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM audit_log ORDER BY seq";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Where(i => !without.Contains(reader.GetName(i)))
                .Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i)))));
        return rows;
    }

    /// <summary>The sample case with its victims replaced, e.g. <c>new { age = 15, gender = "female", citizenship = "RO" }</c>.</summary>
    public static string CaseWithVictims(string reference, params object[] victims)
    {
        var record = JsonNode.Parse(SampleCases.Json(reference: reference))!.AsObject();
        record["victims"] = JsonSerializerNode(victims);
        return record.ToJsonString();
    }

    private static JsonNode JsonSerializerNode(object value) =>
        System.Text.Json.JsonSerializer.SerializeToNode(value, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
}
