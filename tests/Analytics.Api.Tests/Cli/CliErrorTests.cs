using Analytics.Cli;

namespace Analytics.Api.Tests.Cli;

/// <summary>What a careless user types gets a one-line error and exit code 2, never a stack trace.</summary>
public sealed class CliErrorTests
{
    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var writer = new StringWriter();
        var code = await CliProgram.RunAsync(args, writer, writer);
        return (code, writer.ToString());
    }

    [Theory]
    [InlineData("generate", "--count", "abc")]
    [InlineData("generate", "--noise", "x")]
    [InlineData("import", "ctdc", "x.csv", "--chunk-size", "abc")]
    [InlineData("import", "ctdc", "x.csv", "--skip", "x")]
    [InlineData("submit", "x.ndjson", "--batch-size", "x")]
    [InlineData("export", "features", "--count", "x")]
    public async Task ANumberOptionGivenSomethingElse_IsAUsageError_NotACrash(params string[] args)
    {
        var (code, output) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Contains("Cannot parse argument", output);
        Assert.DoesNotContain("Unhandled", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task AValueOfTheWrongType_IsOneErrorLineSayingWhatTheOptionTakes_AndWhereTheHelpIs()
    {
        var (code, output) = await RunAsync("generate", "--count", "abc");

        Assert.Equal(2, code);
        Assert.Equal(
            ["error: Cannot parse argument of option '--count': expected a whole number.", "Run 'analytics generate --help' to see its options."],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Theory]
    [InlineData(new[] { "eval", "scrubbing", "--samples", "0" }, "error: --samples must be 1 or more.", "analytics eval scrubbing --help")]
    [InlineData(new[] { "keys", "revoke" }, "error: Required argument missing for command: 'revoke'.", "analytics keys revoke --help")]
    [InlineData(new[] { "generate", "--cuont", "5" }, "error: Unrecognized command or argument '--cuont'.", "analytics generate --help")]
    public async Task AUsageErrorOfACommand_GivesItsErrors_NotItsWholeHelpPage(string[] args, string error, string help)
    {
        var (code, output) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Contains(error, output.Split('\n').Select(l => l.Trim()));
        Assert.Contains($"Run '{help}' to see its options.", output);
        Assert.DoesNotContain("Usage:", output);
        Assert.DoesNotContain("Options:", output);
    }

    [Fact]
    public async Task AMistypedOption_StillGetsItsCorrection()
    {
        var (_, output) = await RunAsync("generate", "--cuont", "5");

        Assert.Contains("'--cuont' was not matched. Did you mean one of the following?", output);
        Assert.Contains("\n--count", output.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACommandGroupWithoutItsCommand_ListsItsCommands()
    {
        var (code, output) = await RunAsync("keys");

        Assert.Equal(2, code);
        Assert.Contains("Required command was not provided.", output);
        Assert.Contains("revoke <id>", output);
    }

    [Fact]
    public async Task SubmitHelp_NamesEveryFailureThatIsRetried()
    {
        var (code, output) = await RunAsync("submit", "--help");

        Assert.Equal(0, code);
        Assert.Contains("timeouts and 5xx, 408 and 429 answers", output);
    }

    [Fact]
    public async Task RootHelp_NamesWhatEveryCommandGroupDoes()
    {
        var (_, output) = await RunAsync("--help");

        Assert.Contains("report on CTDC data, measure the scrubber and export features", output);
    }

    [Fact]
    public async Task ARangeRule_StillRefusesAParsedValueOutsideIt()
    {
        var (code, output) = await RunAsync("generate", "--count", "-1");

        Assert.Equal(2, code);
        Assert.Contains("--count must be from 0 to 50,000", output);
    }

    [Fact]
    public async Task ADatabasePathInsteadOfAConnectionString_IsAUsageErrorSayingWhatItTakes()
    {
        using var folder = new CliTestFolder();

        var (code, output) = await RunAsync("keys", "list", "--database", folder.File("a.db"));

        Assert.Equal(2, code);
        Assert.Contains("error: --database: the database cannot be opened", output);
        Assert.Contains("connection string", output);
        Assert.Equal("Run 'analytics keys list --help' to see its options.", output.Trim().Split('\n')[^1]);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task ADatabaseErrorAfterStartUp_IsOneLineNamingItsType_NotAStackTrace()
    {
        using var folder = new CliTestFolder();
        Assert.Equal(0, (await RunAsync("keys", "create", "--role", "analyst", "--database", folder.Database)).Code);
        Assert.Equal(0, (await RunAsync("keys", "list", "--database", folder.Database)).Code);
        // The migrations are recorded as applied, so start-up succeeds and the failure comes from the command's own query.
        folder.Execute("DROP TABLE api_keys");

        var (code, output) = await RunAsync("keys", "list", "--database", folder.Database);

        Assert.Equal(1, code);
        Assert.Equal("error: database: SqliteException: SQLite Error 1: 'no such table: api_keys'.", output.Trim());
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Unhandled", output);
    }

    [Fact]
    public async Task AKeyFileThatIsNotOne_IsAUsageError_AndNothingIsImported()
    {
        using var folder = new CliTestFolder();
        await File.WriteAllTextAsync(folder.KeyFile, "garbage");
        var csv = folder.File("small.csv");
        await File.WriteAllTextAsync(csv, string.Join(',', Analytics.Core.Ctdc.CtdcFormats.KAnon2021Columns) + "\n");

        var (code, output) = await RunAsync("import", "ctdc", csv, "--database", folder.Database, "--key-file", folder.KeyFile);

        Assert.Equal(2, code);
        Assert.Contains("error: --key-file: the pseudonymisation key file cannot be used", output);
        Assert.DoesNotContain("   at ", output);
        Assert.False(File.Exists(folder.File("a.db")) && folder.Scalar("SELECT COUNT(*) FROM cases") > 0);
    }

    [Theory]
    [InlineData("prosecutor", "XX", "foo", "--jurisdiction|--authority")]
    [InlineData("prosecutor", "RO", "IT-DDA", "--authority")]
    [InlineData("analyst", "IT", null, "--jurisdiction")]
    [InlineData("steward", null, "RO-DIICOT", "--authority")]
    public async Task KeysCreate_RefusesWhatTheApiRefuses_AndIssuesNothing(string role, string? jurisdiction, string? authority, string fields)
    {
        using var folder = new CliTestFolder();
        var args = new List<string> { "keys", "create", "--role", role, "--database", folder.Database };
        if (jurisdiction is not null) args.AddRange(["--jurisdiction", jurisdiction]);
        if (authority is not null) args.AddRange(["--authority", authority]);

        var (code, output) = await RunAsync([.. args]);

        Assert.Equal(2, code);
        foreach (var field in fields.Split('|')) Assert.Contains($"error: {field}:", output);
        Assert.DoesNotContain("key:", output);
        Assert.Equal("Run 'analytics keys create --help' to see its options.", output.Trim().Split('\n')[^1]);
    }

    [Fact]
    public async Task KeysList_OfADatabaseWithoutKeys_SaysSo_InsteadOfPrintingNothing()
    {
        using var folder = new CliTestFolder();
        folder.Execute("SELECT 1"); // the database file exists (as the service leaves it), with no key in it

        var (code, output) = await RunAsync("keys", "list", "--database", folder.Database);

        Assert.Equal(0, code);
        Assert.Equal("no API keys in this database (--database)", output.Trim());
    }

    [Theory]
    [InlineData("list")]
    [InlineData("revoke", "0123456789abcdef")]
    public async Task KeysListAndRevoke_OfADatabaseThatDoesNotExist_AreAUsageError_AndCreateNothing(params string[] command)
    {
        using var folder = new CliTestFolder();
        var missing = folder.File(Path.Combine("typo", "analytics.db"));

        var (code, output) = await RunAsync(["keys", .. command, "--database", $"Data Source={missing}"]);

        Assert.Equal(2, code);
        Assert.Equal($"error: --database: there is no database at {missing}. Give the database the service uses (its Database__ConnectionString), or start the service once to create it.",
            output.Trim().Split('\n')[0]);
        Assert.False(File.Exists(missing));
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
    }

    [Fact]
    public async Task KeysCreate_OnADatabaseThatDoesNotExist_CreatesIt_AndSaysSo()
    {
        using var folder = new CliTestFolder();
        var path = folder.File("new.db");

        var (code, output) = await RunAsync("keys", "create", "--role", "analyst", "--database", $"Data Source={path}");

        Assert.Equal(0, code);
        Assert.Contains($"note: there was no database at {path}; a new one was created.", output);
        Assert.Contains("key:  ak_", output);
        Assert.True(File.Exists(path));
        var (again, second) = await RunAsync("keys", "create", "--role", "analyst", "--database", $"Data Source={path}");
        Assert.Equal(0, again);
        Assert.DoesNotContain("note:", second);
    }

    [Fact]
    public async Task KeysCreate_IssuesAValidProsecutorKey()
    {
        using var folder = new CliTestFolder();

        var (code, output) = await RunAsync("keys", "create", "--role", "prosecutor", "--jurisdiction", "RO", "--authority", "RO-DIICOT",
            "--database", folder.Database);

        Assert.True(code == 0, output);
        Assert.Contains("key:  ak_", output);
        Assert.Equal(1, folder.Scalar("SELECT COUNT(*) FROM api_keys"));
    }
}
