using System.Text.Json.Nodes;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Core.Synthetic;
using Analytics.Data.Cases;
using Analytics.Data.Ingestion;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Links;

/// <summary>Generated cases stored with the id each got, so ground-truth keys can be matched to stored case ids.</summary>
public sealed record SeededCases(GeneratedDataset Dataset, IReadOnlyDictionary<CaseKey, string> CaseIds);

public static class LinkTestData
{
    /// <summary>Stores generated cases through the real ingestion path and returns their case ids by (authority, reference).</summary>
    public static async Task<SeededCases> SeedAsync(AnalyticsFactory factory, GeneratorOptions options)
    {
        _ = factory.Server;
        var dataset = new CaseGenerator(options).Run();
        var ingestion = factory.Services.GetRequiredService<CaseIngestion>();
        var writes = dataset.Cases.Select(c => ingestion.Prepare(c.Case, null).Case?.Write ?? throw new InvalidOperationException("generated case rejected")).ToList();
        var written = await factory.Services.GetRequiredService<CaseStore>().UpsertAsync(writes, CancellationToken.None);
        var ids = dataset.Cases.Select((c, i) => (Key: new CaseKey(c.Case.Authority, c.Case.CaseReference), written[i].CaseId))
            .ToDictionary(x => x.Key, x => x.CaseId);
        return new SeededCases(dataset, ids);
    }

    /// <summary>The sample case with only the given phone as identifier (names stay, and names must not link).</summary>
    public static string CaseWithPhone(string jurisdiction, string authority, string reference, string phone)
    {
        var node = JsonNode.Parse(SampleCases.Json(jurisdiction, authority, reference, phone,
            summary: "The victim was contacted on Instagram and later moved to Milan."))!;
        node["suspects"]![0]!["identifiers"] = new JsonArray(new JsonObject { ["type"] = "phone", ["value"] = phone });
        node["financialFlows"]![0]!["identifiers"] = new JsonArray();
        return node.ToJsonString();
    }

    /// <summary>The sample case whose only identifiers are the given ones, all on its suspect.</summary>
    public static string CaseWithIdentifiers(string jurisdiction, string authority, string reference, params (string Type, string Value)[] identifiers)
    {
        var node = JsonNode.Parse(CaseWithPhone(jurisdiction, authority, reference, identifiers.FirstOrDefault(i => i.Type == "phone").Value ?? "+40 721 000 000"))!;
        node["suspects"]![0]!["identifiers"] = new JsonArray(identifiers
            .Select(i => (JsonNode)new JsonObject { ["type"] = i.Type, ["value"] = i.Value }).ToArray());
        return node.ToJsonString();
    }
}
