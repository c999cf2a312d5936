using Analytics.Cli;
using Analytics.Cli.Hosting;

namespace Analytics.Api.Tests.Cli;

public sealed class CliConfigurationTests
{
    private static readonly Dictionary<string, string?> Environment = new()
    {
        ["Database:ConnectionString"] = "Data Source=/from/environment.db",
        ["Pseudonymisation:KeyFile"] = "/from/environment-key.json",
        ["Database:Provider"] = "sqlite",
    };

    [Fact]
    public void OptionsOnTheCommandLine_WinOverTheEnvironment_WhichStillGivesTheRest()
    {
        var parse = CliProgram.Root().Parse(["import", "ctdc", "x.csv", "--database", "Data Source=/from/option.db", "--key-file", "/from/option-key.json"]);

        var configuration = CliServices.Configuration(parse, Environment);

        Assert.Equal("Data Source=/from/option.db", configuration["Database:ConnectionString"]);
        Assert.Equal("/from/option-key.json", configuration["Pseudonymisation:KeyFile"]);
        Assert.Equal("sqlite", configuration["Database:Provider"]);
    }

    [Fact]
    public void WithoutTheOptions_TheDefaultsApply()
    {
        var parse = CliProgram.Root().Parse(["import", "ctdc", "x.csv"]);

        var configuration = CliServices.Configuration(parse, Environment);

        // The options' defaults come from the process environment, which here has neither variable (or the same values).
        Assert.Equal(parse.GetValue(CliServices.Database), configuration["Database:ConnectionString"]);
        Assert.Equal(parse.GetValue(CliServices.KeyFile), configuration["Pseudonymisation:KeyFile"]);
    }

    [Fact]
    public void OnlyTheCommandsThatUseTheDatabase_TakeTheDatabaseAndKeyFileOptions()
    {
        Assert.Empty(CliProgram.Root().Parse(["import", "ctdc", "x.csv", "--database", "Data Source=a.db", "--key-file", "k.json"]).Errors);
        Assert.Empty(CliProgram.Root().Parse(["keys", "revoke", "abc", "--database", "Data Source=a.db"]).Errors);
        Assert.NotEmpty(CliProgram.Root().Parse(["keys", "list", "--key-file", "k.json"]).Errors);
        Assert.NotEmpty(CliProgram.Root().Parse(["generate", "--database", "Data Source=a.db"]).Errors);
        Assert.NotEmpty(CliProgram.Root().Parse(["report", "ctdc", "x.csv", "--key-file", "k.json"]).Errors);
    }
}
