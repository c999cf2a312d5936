using System.CommandLine;
using Analytics.Cli.Eval;
using Analytics.Cli.Export;
using Analytics.Cli.Generate;
using Analytics.Cli.Hosting;
using Analytics.Cli.Import;
using Analytics.Cli.Keys;
using Analytics.Cli.Submit;

namespace Analytics.Cli;

public static class CliProgram
{
    public static RootCommand Root() => new("analytics: import, generate and submit case data; manage keys.")
    {
        CliServices.Database,
        CliServices.KeyFile,
        KeysCommand.Create(),
        ImportCommand.Create(),
        GenerateCommand.Create(),
        SubmitCommand.Create(),
        Report.ReportCommand.Create(),
        EvalCommand.Create(),
        ExportCommand.Create(),
    };

    public static async Task<int> Main(string[] args)
    {
        var parse = Root().Parse(args);
        var code = await parse.InvokeAsync();
        // Parse errors (unknown option, missing argument, failed validation) are usage errors.
        return parse.Errors.Count > 0 && code != 0 ? Hosting.ExitCodes.Usage : code;
    }
}
