using System.Text;
using System.Text.Json.Nodes;
using Analytics.Core.Cases;

namespace Analytics.Core.Tests.Cases;

/// <summary>Mutates the rich example one field at a time: schema and C# must both reject each mutation.</summary>
public sealed class CaseAgreementTests
{
    private static readonly DateOnly _today = new(2025, 6, 1);

    private static JsonNode Rich() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoFiles.DataSchemas, "examples", "valid", "rich.json")))!;

    // Every string leaf except the free-text summary is a code, a pattern or limited to 200 characters.
    public static TheoryData<string> StringLeaves()
    {
        var pointers = new TheoryData<string>();
        void Walk(JsonNode? node, string pointer)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (name, child) in o)
                        Walk(child, pointer + "/" + name);
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                        Walk(a[i], pointer + "/" + i);
                    break;
                case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String && pointer != "/summary":
                    pointers.Add(pointer);
                    break;
            }
        }
        Walk(Rich(), "");
        return pointers;
    }

    [Theory]
    [MemberData(nameof(StringLeaves))]
    public async Task BothValidators_Reject_WhenStringLeafBroken(string pointer)
    {
        var root = Rich();
        var tokens = pointer.Split('/')[1..];
        JsonNode parent = root;
        foreach (var token in tokens[..^1])
            parent = parent is JsonArray array ? array[int.Parse(token)]! : parent[token]!;
        var broken = JsonValue.Create(new string('~', 300));
        if (parent is JsonArray list)
            list[int.Parse(tokens[^1])] = broken;
        else
            parent[tokens[^1]] = broken;
        var json = root.ToJsonString();

        var schemaErrors = (await RepoFiles.SchemaAsync()).Validate(json);
        Assert.NotEmpty(schemaErrors);

        var parsed = CaseJson.Parse(Encoding.UTF8.GetBytes(json));
        Assert.True(parsed.IsSuccess);
        var errors = CaseValidator.Validate(parsed.Submission, _today);
        Assert.Contains(errors, e => e.Pointer == pointer);
    }
}
