using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Analytics.Api.OpenApi;

/// <summary>
/// Request and response examples in the OpenAPI description, so the reference page at /docs can send a working request
/// and shows what comes back. Response examples are embedded files (OpenApi/Examples/&lt;endpoint&gt;.&lt;status&gt;.json),
/// trimmed answers of a demo run; a test holds each one to the shape of the live answer.
/// </summary>
public static class OpenApiExamples
{
    private static readonly Dictionary<string, string> RequestExamples = new(StringComparer.Ordinal)
    {
        ["SubmitCase"] = """
            {"schemaVersion":"1","jurisdiction":"RO","authority":"RO-DIICOT","caseReference":"DIICOT/2024/00017","stage":"investigation",
             "offencePeriod":{"from":"2023-03-14","to":"2023-11-02"},
             "victims":[{"name":"Ioana Mărginean","dateOfBirth":"2008-06-02","gender":"female","citizenship":"RO","vulnerabilities":["in-care"],"identifiedBy":"law-enforcement"}],
             "suspects":[{"name":"Cristian Dobrescu","role":"recruiter","age":27,"gender":"male","citizenship":"RO","relationToVictim":"intimate-partner",
                          "identifiers":[{"type":"phone","value":"+40 721 234 567"}]}],
             "modusOperandi":{"recruitmentChannels":["social-media"],"meansOfControl":["psychological-abuse"],"exploitationTypes":["sexual"]},
             "route":[{"from":"RO","to":"HU","transport":"car"},{"from":"HU","to":"IT","transport":"car"}],
             "exploitationCountries":["IT"],
             "summary":"Ioana was contacted on Instagram by Cristian Dobrescu, who called her from 0721 234 567."}
            """,
        ["Match"] = """
            {"victims":[{"ageBand":"12-14","gender":"female","citizenship":"RO"}],
             "suspects":[{"role":"recruiter","relationToVictim":"intimate-partner"}],
             "recruitmentChannels":["social-media"],"meansOfControl":["psychological-abuse","false-promises"],
             "routeCountries":["RO","HU","IT"],"exploitationCountries":["IT"],"evidenceKinds":["social-media-content","chat-logs"],"platforms":["instagram"]}
            """,
        ["PutSchedule"] = """{"cron":"0 3 * * *"}""",
        ["CreateKey"] = """{"name":"DIICOT Bucharest","role":"prosecutor","jurisdiction":"RO","authority":"RO-DIICOT"}""",
    };

    private const string ResourcePrefix = "openapi-examples/";

    /// <summary>Response examples by endpoint name and status code.</summary>
    public static IReadOnlyDictionary<(string Endpoint, string Status), string> ResponseExamples { get; } = LoadResponseExamples();

    /// <summary>The request example of an endpoint, if it has one.</summary>
    public static string? Request(string endpoint) => RequestExamples.GetValueOrDefault(endpoint);

    public static OpenApiOptions AddExamples(this OpenApiOptions options) =>
        options.AddOperationTransformer((operation, context, _) =>
        {
            var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
            if (name is null) return Task.CompletedTask;
            if (RequestExamples.TryGetValue(name, out var example) && operation.RequestBody?.Content is { } content)
            {
                foreach (var media in content.Values.OfType<OpenApiMediaType>())
                    media.Example = JsonNode.Parse(example);
            }
            foreach (var (status, response) in operation.Responses ?? [])
            {
                if (!ResponseExamples.TryGetValue((name, status), out var answer) || response.Content is null) continue;
                foreach (var media in response.Content.Values.OfType<OpenApiMediaType>())
                    media.Example = JsonNode.Parse(answer);
            }
            return Task.CompletedTask;
        });

    private static Dictionary<(string, string), string> LoadResponseExamples()
    {
        var assembly = typeof(OpenApiExamples).Assembly;
        var examples = new Dictionary<(string, string), string>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var parts = resource[ResourcePrefix.Length..^".json".Length].Split('.');
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            examples[(parts[0], parts[1])] = reader.ReadToEnd();
        }
        return examples;
    }
}
