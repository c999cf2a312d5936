using System.Reflection;
using System.Text.Json;
using Analytics.Core.Cases;

namespace Analytics.Core.Tests.Cases;

public sealed class CaseSchemaTests
{
    private static JsonElement LoadSchema()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(RepoFiles.SchemaPath));
        return document.RootElement.Clone();
    }

    [Fact]
    public void SchemaHeader_Declares202012AndId()
    {
        var schema = LoadSchema();
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.GetProperty("$schema").GetString());
        Assert.False(string.IsNullOrEmpty(schema.GetProperty("$id").GetString()));
        Assert.False(string.IsNullOrEmpty(schema.GetProperty("title").GetString()));
    }

    [Fact]
    public void SchemaEnums_EqualCodeListFiles_ForEveryList()
    {
        var defs = LoadSchema().GetProperty("$defs");
        var files = Directory.EnumerateFiles(Path.Combine(RepoFiles.DataSchemas, "codelists"), "*.json").ToList();
        Assert.Equal(20, files.Count);
        foreach (var file in files)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            using var list = JsonDocument.Parse(File.ReadAllBytes(file));
            var fileCodes = list.RootElement.GetProperty("codes").EnumerateArray().Select(c => c.GetProperty("code").GetString()!).ToList();
            Assert.True(defs.TryGetProperty(name, out var def), $"schema has no $defs/{name}");
            var schemaCodes = def.GetProperty("enum").EnumerateArray().Select(c => c.GetString()!).ToList();
            Assert.Equal(fileCodes, schemaCodes);
            Assert.Equal(fileCodes, CodeLists.Codes(name));
        }
        Assert.Equal(files.Select(Path.GetFileNameWithoutExtension).Order(), CodeLists.Names.Order());
    }

    [Fact]
    public void SchemaEnums_AppearOnlyInCodeListDefs()
    {
        // Code-valued properties must $ref a code list, never carry their own copy of an enum.
        var schema = LoadSchema();
        var listNames = CodeLists.Names.ToHashSet();
        var stray = new List<string>();
        void Walk(JsonElement node, string path)
        {
            if (node.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in node.EnumerateObject())
                {
                    if (property.Name == "enum" && !listNames.Contains(path.Split('/')[^1]) && path != "/properties/schemaVersion")
                        stray.Add(path);
                    Walk(property.Value, path + "/" + property.Name);
                }
            }
            else if (node.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in node.EnumerateArray())
                    Walk(item, path + "/" + i++);
            }
        }
        Walk(schema, "");
        Assert.Empty(stray);
    }

    [Fact]
    public void SchemaProperties_EqualModelProperties_AtEveryLevel()
    {
        var schema = LoadSchema();
        var checkedTypes = new HashSet<Type>();
        CompareObject(schema, schema, typeof(CaseSubmission), "#", checkedTypes);
        // Every record the submission reaches was compared.
        Assert.Equal(
            [typeof(CaseSubmission), typeof(DigitalEvidence), typeof(EvidenceRequest), typeof(FinancialFlow), typeof(Identifier),
             typeof(ModusOperandi), typeof(Period), typeof(RouteLeg), typeof(Suspect), typeof(Victim)],
            checkedTypes.OrderBy(t => t.Name, StringComparer.Ordinal));
    }

    private static void CompareObject(JsonElement root, JsonElement node, Type type, string where, HashSet<Type> checkedTypes)
    {
        if (!checkedTypes.Add(type))
            return;
        Assert.Equal("object", node.GetProperty("type").GetString());
        Assert.False(node.GetProperty("additionalProperties").GetBoolean(), $"{where} must set additionalProperties: false");
        var schemaProperties = node.GetProperty("properties");
        var modelProperties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));
        Assert.Equal(modelProperties.Keys.Order(StringComparer.Ordinal),
            schemaProperties.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        foreach (var property in schemaProperties.EnumerateObject())
        {
            Assert.True(property.Value.TryGetProperty("description", out _), $"{where}/{property.Name} has no description");
            var clrType = modelProperties[property.Name].PropertyType;
            var elementType = clrType.IsGenericType && clrType.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)
                ? clrType.GetGenericArguments()[0]
                : null;
            var target = elementType ?? clrType;
            if (target == typeof(string) || target == typeof(int?) || target == typeof(int))
                continue;
            var sub = property.Value;
            if (elementType is not null)
            {
                Assert.Equal("array", sub.GetProperty("type").GetString());
                sub = sub.GetProperty("items");
            }
            CompareObject(root, Resolve(root, sub), target, $"{where}/{property.Name}", checkedTypes);
        }

        if (node.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray())
                Assert.True(modelProperties.ContainsKey(name.GetString()!), $"{where} requires unknown {name}");
        }
    }

    // Follows a $ref, or the non-null branch of an anyOf [ {$ref}, {type: null} ].
    private static JsonElement Resolve(JsonElement root, JsonElement node)
    {
        if (node.TryGetProperty("anyOf", out var anyOf))
            node = anyOf.EnumerateArray().Single(b => !b.TryGetProperty("type", out var t) || t.GetString() != "null");
        if (!node.TryGetProperty("$ref", out var reference))
            return node;
        var name = reference.GetString()!;
        Assert.StartsWith("#/$defs/", name);
        return root.GetProperty("$defs").GetProperty(name["#/$defs/".Length..]);
    }

    [Fact]
    public void SchemaRequired_ListsTheAgreedTopLevelProperties()
    {
        var required = LoadSchema().GetProperty("required").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(["authority", "caseReference", "jurisdiction", "schemaVersion", "stage", "victims"], required);
    }
}
