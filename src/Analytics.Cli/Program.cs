using System.CommandLine;
using Analytics.Cli.Hosting;
using Analytics.Cli.Keys;

namespace Analytics.Cli;

public static class CliProgram
{
    public static RootCommand Root() => new("analytics: import, generate and submit case data; manage keys.")
    {
        CliServices.Database,
        CliServices.KeyFile,
        KeysCommand.Create(),
    };

    public static Task<int> Main(string[] args) => Root().Parse(args).InvokeAsync();
}
