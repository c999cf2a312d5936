using System.Text;
using Analytics.Core.Cases;

namespace Analytics.Core.Tests.Cases;

public sealed class CaseJsonTests
{
    private const string Head = "\"schemaVersion\":\"1\",\"jurisdiction\":\"NL\",\"authority\":\"NL-OM\",\"caseReference\":\"R1\",\"stage\":\"trial\",";

    private static CaseParseResult Parse(string json) => CaseJson.Parse(Encoding.UTF8.GetBytes(json));

    private static ValidationError SingleError(string json)
    {
        var result = Parse(json);
        Assert.False(result.IsSuccess);
        Assert.Null(result.Submission);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void Parse_ReturnsSubmission_WhenJsonValid()
    {
        var result = Parse("{" + Head + "\"victims\":[{\"age\":12,\"gender\":\"female\"}]}");
        Assert.True(result.IsSuccess);
        Assert.Empty(result.Errors);
        Assert.Equal("R1", result.Submission.CaseReference);
        Assert.Equal(12, result.Submission.Victims[0].Age);
    }

    [Fact]
    public void Parse_LeavesSchemaVersionEmpty_WhenMissing()
    {
        var result = Parse("""{"victims":[{}]}""");
        Assert.True(result.IsSuccess);
        Assert.Equal("", result.Submission.SchemaVersion);
    }

    [Fact]
    public void Parse_ReturnsRootPointerWithPosition_WhenJsonMalformed()
    {
        var error = SingleError("{\n  \"victims\": [ }");
        Assert.Equal("", error.Pointer);
        Assert.StartsWith("Malformed JSON at line 2, byte", error.Message);
    }

    [Theory]
    [InlineData("{\"victims\":[{}],}")]
    [InlineData("{\"victims\":[{}]} // note")]
    [InlineData("{\"victims\":[{}]} {}")]
    [InlineData("")]
    public void Parse_ReturnsRootPointer_WhenSyntaxNotStrict(string json) =>
        Assert.Equal("", SingleError(json).Pointer);

    [Fact]
    public void Parse_DoesNotEchoInput_WhenJsonMalformed()
    {
        var error = SingleError("{\"victims\": [ {\"name\": \"Ana\"} ], \"caseReference\": secret-value }");
        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public void Parse_ReturnsUtf8Error_WhenBytesInvalid()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"caseReference\":\"ab\"}");
        bytes[19] = 0xC3; // a lead byte followed by 'b'... is not a valid sequence
        bytes[20] = 0x28;
        var result = CaseJson.Parse(bytes);
        var error = Assert.Single(result.Errors);
        Assert.Equal("", error.Pointer);
        Assert.Contains("UTF-8", error.Message);
        Assert.Contains("offset 19", error.Message);
    }

    [Fact]
    public void Parse_AcceptsByteOrderMark()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("{" + Head + "\"victims\":[{}]}")).ToArray();
        Assert.True(CaseJson.Parse(bytes).IsSuccess);
    }

    [Theory]
    [InlineData("\"victims\":[{\"age\":\"16\"}]", "/victims/0/age", "an integer or null")]
    [InlineData("\"victims\":[{\"age\":16.5}]", "/victims/0/age", "an integer or null")]
    [InlineData("\"victims\":[{}],\"suspects\":[{\"role\":7}]", "/suspects/0/role", "a string")]
    [InlineData("\"victims\":{}", "/victims", "an array")]
    [InlineData("\"victims\":[{}],\"offencePeriod\":\"2020\"", "/offencePeriod", "an object or null")]
    [InlineData("\"victims\":[{\"identifiers\":[{\"type\":\"name\",\"value\":true}]}]", "/victims/0/identifiers/0/value", "a string")]
    public void Parse_ReturnsPropertyPointer_WhenTypeWrong(string body, string pointer, string expected)
    {
        var error = SingleError("{" + Head + body + "}");
        Assert.Equal(pointer, error.Pointer);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("{\"victims\":[{}],\"suspect\":[]}", "/suspect")]
    [InlineData("{\"victims\":[{\"age_band\":\"x\"}]}", "/victims/0/age_band")]
    [InlineData("{\"victims\":[{\"citizenhsip\":\"x\"}]}", "/victims/0/citizenhsip")]
    [InlineData("{\"victims\":[{}],\"modusOperandi\":{\"recruitmentChannel\":[]}}", "/modusOperandi/recruitmentChannel")]
    [InlineData("{\"Victims\":[{}]}", "/Victims")]
    public void Parse_ReturnsPropertyPointer_WhenPropertyUnknown(string json, string pointer)
    {
        var error = SingleError(json);
        Assert.Equal(pointer, error.Pointer);
        Assert.Contains("Unknown property", error.Message);
    }

    [Theory]
    [InlineData("{\"victims\":[{\"age\":3,\"Maria Popescu +40721234567\":1}]}", "/victims/0")]
    [InlineData("{\"victims\":[{\"it's Maria\":1}]}", "/victims/0")]
    [InlineData("{\"victims\":[{\"a']b\":1}]}", "/victims/0")]
    [InlineData("{\"victims\":[{}],\"ana@example.com\":1}", "")]
    [InlineData("{\"victims\":[{\"age\":15,\"Popescu\":\"x\"}]}", "/victims/0")]
    [InlineData("{\"victims\":[{\"maria_b2008\":1}]}", "/victims/0")]
    [InlineData("{\"victims\":[{}],\"extra\":1}", "")]
    public void Parse_PointsAtTheObject_AndDoesNotRepeatAPropertyNameThatIsNotAFieldName(string json, string pointer)
    {
        var error = SingleError(json);

        Assert.Equal(pointer, error.Pointer);
        Assert.Contains("not repeated", error.Message);
        Assert.DoesNotContain("Maria", error.Pointer + error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("example", error.Pointer + error.Message);
        Assert.DoesNotContain("Popescu", error.Pointer + error.Message);
    }

    [Fact]
    public void Parse_ReportsEveryWrongType_UnknownAndRepeatedProperty_NotOnlyTheFirst()
    {
        var result = Parse("{" + Head + """
            "victims":[{"gender":5,"age":"x","gendre":"f"},{"citizenship":["RO"]}],
            "suspects":[{"role":null,"age":17.5}],"offencePeriod":"2020","stage":"trial","Maria Popescu":1}
            """);

        Assert.False(result.IsSuccess);
        Assert.Equal("/victims/0/gender", result.Errors[0].Pointer);
        Assert.Equal(
            ["/victims/0/gender", "/victims/0/age", "/victims/0/gendre", "/victims/1/citizenship", "/suspects/0/role", "/suspects/0/age",
                "/offencePeriod", "/stage", ""],
            result.Errors.Select(e => e.Pointer));
        Assert.Equal("Wrong type: expected an integer or null.", result.Errors[1].Message);
        Assert.Equal("Property appears more than once.", result.Errors[7].Message);
        Assert.DoesNotContain(result.Errors, e => e.Pointer.Contains("Maria", StringComparison.Ordinal) || e.Message.Contains("Maria", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ReportsAtMostAFixedNumberOfShapeErrors()
    {
        var victims = string.Join(',', Enumerable.Repeat("{\"age\":\"x\"}", CaseJson.MaxShapeErrors + 20));
        Assert.Equal(CaseJson.MaxShapeErrors, Parse("{" + Head + "\"victims\":[" + victims + "]}").Errors.Count);
    }

    [Fact]
    public void Parse_ReturnsPointer_WhenNonNullablePropertyIsNull() =>
        Assert.Equal("/suspects/0/role", SingleError("{\"victims\":[{}],\"suspects\":[{\"role\":null}]}").Pointer);

    [Fact]
    public void Parse_ReturnsError_WhenPropertyDuplicated() =>
        Assert.False(Parse("{\"caseReference\":\"a\",\"caseReference\":\"b\",\"victims\":[{}]}").IsSuccess);

    [Fact]
    public void Parse_ReturnsRootError_WhenNestingTooDeep()
    {
        var json = "{\"legalBasis\":" + new string('[', 40) + new string(']', 40) + "}";
        Assert.Equal("", SingleError(json).Pointer);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"case\"")]
    public void Parse_ReturnsRootPointer_WhenRootNotObject(string json) =>
        Assert.Equal("", SingleError(json).Pointer);

    [Theory]
    [InlineData("$", "")]
    [InlineData("$.victims[0].age", "/victims/0/age")]
    [InlineData("$.victims[12].identifiers[3]", "/victims/12/identifiers/3")]
    [InlineData("$['a/b'].c", "/a~1b/c")]
    [InlineData("$['x~y'][2]", "/x~0y/2")]
    public void PathToPointer_ReturnsRfc6901Pointer_ForJsonPath(string path, string pointer) =>
        Assert.Equal(pointer, CaseJson.PathToPointer(path));

    [Fact]
    public void Serialize_ReturnsSameCompactBytes_ForEqualRecords()
    {
        StoredCase Make() => new()
        {
            Jurisdiction = "DE",
            Authority = "DE-StA.Berlin",
            CaseReferenceToken = "caseref:abc",
            KeyId = "k1",
            Stage = "trial",
            PeriodFrom = "2023-01",
            Victims = [new StoredVictim { AgeBand = "12-14", Tokens = ["phone:xyz"] }],
        };
        var first = CaseJson.Serialize(Make());
        var second = CaseJson.Serialize(Make());
        Assert.Equal(first, second);
        var text = Encoding.UTF8.GetString(first);
        Assert.StartsWith("{\"schemaVersion\":\"1\",\"jurisdiction\":\"DE\",\"authority\":\"DE-StA.Berlin\",\"caseReferenceToken\":", text);
        Assert.DoesNotContain("\n", text);
        Assert.DoesNotContain("null", text);
        Assert.DoesNotContain("\"outcome\"", text);
    }
}
