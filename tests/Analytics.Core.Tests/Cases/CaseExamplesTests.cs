using System.Text.Json;
using Analytics.Core.Cases;

namespace Analytics.Core.Tests.Cases;

public sealed class CaseExamplesTests
{
    // Fixed "today" so the date-of-birth check cannot drift.
    private static readonly DateOnly _today = new(2025, 6, 1);

    public static TheoryData<string> ValidExamples() => new(RepoFiles.Examples("valid").Select(Path.GetFileName)!);

    public static TheoryData<string> InvalidExamples() => new(RepoFiles.Examples("invalid").Select(Path.GetFileName)!);

    [Fact]
    public void Examples_AreEnough_InBothFolders()
    {
        Assert.True(RepoFiles.Examples("valid").Count() >= 4);
        Assert.True(RepoFiles.Examples("invalid").Count() >= 10);
    }

    [Theory]
    [MemberData(nameof(ValidExamples))]
    public async Task ValidExample_PassesSchema(string file)
    {
        var schema = await RepoFiles.SchemaAsync();
        var errors = schema.Validate(File.ReadAllText(Path.Combine(RepoFiles.DataSchemas, "examples", "valid", file)));
        Assert.Empty(errors.Select(e => $"{e.Path}: {e.Kind}"));
    }

    [Theory]
    [MemberData(nameof(ValidExamples))]
    public void ValidExample_PassesParseAndValidate(string file)
    {
        var parsed = CaseJson.Parse(File.ReadAllBytes(Path.Combine(RepoFiles.DataSchemas, "examples", "valid", file)));
        Assert.Empty(parsed.Errors);
        Assert.True(parsed.IsSuccess);
        Assert.Empty(CaseValidator.Validate(parsed.Submission, _today));
    }

    [Theory]
    [MemberData(nameof(InvalidExamples))]
    public async Task InvalidExample_FailsSchema(string file)
    {
        var schema = await RepoFiles.SchemaAsync();
        var errors = schema.Validate(File.ReadAllText(Path.Combine(RepoFiles.DataSchemas, "examples", "invalid", file)));
        Assert.NotEmpty(errors);
    }

    [Theory]
    [MemberData(nameof(InvalidExamples))]
    public void InvalidExample_ReportsExpectedPointers(string file)
    {
        var path = Path.Combine(RepoFiles.DataSchemas, "examples", "invalid", file);
        var expectedFile = Path.ChangeExtension(path, ".expected.json");
        Assert.True(File.Exists(expectedFile), $"{expectedFile} is missing");
        using var expected = JsonDocument.Parse(File.ReadAllBytes(expectedFile));
        var pointers = expected.RootElement.GetProperty("pointers").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.NotEmpty(pointers);

        var parsed = CaseJson.Parse(File.ReadAllBytes(path));
        var errors = parsed.IsSuccess ? CaseValidator.Validate(parsed.Submission, _today) : parsed.Errors;

        Assert.NotEmpty(errors);
        var reported = errors.Select(e => e.Pointer).ToHashSet();
        foreach (var pointer in pointers)
            Assert.True(reported.Contains(pointer), $"{file}: expected {pointer}, got {string.Join(", ", reported)}");
    }
}
