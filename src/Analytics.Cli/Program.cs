using System.CommandLine;
using System.Data.Common;
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
        KeysCommand.Create(),
        ImportCommand.Create(),
        GenerateCommand.Create(),
        SubmitCommand.Create(),
        Report.ReportCommand.Create(),
        EvalCommand.Create(),
        ExportCommand.Create(),
    };

    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>Runs a command line as the program does: usage errors (and a database or key file that cannot be used) exit 2.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var parse = Root().Parse(args);
        int code;
        try
        {
            // Ctrl+C cancels the command's token, so a long import stops after its last committed chunk and says where
            // to resume, instead of the process ending mid-way.
            code = await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (CliSetupException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return Hosting.ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("cancelled");
            return Hosting.ExitCodes.Partial;
        }
        // After start-up (a lost connection, a lock timeout, a failed statement): one line, no stack trace. A trace names
        // the code, not what the user can do, and a database message's later lines can carry the values concerned.
        catch (Exception e) when (DatabaseCause(e) is { } cause)
        {
            await error.WriteLineAsync($"error: database: {Describe(cause)}");
            return Hosting.ExitCodes.Partial;
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"error: {Describe(e)}");
            return Hosting.ExitCodes.Partial;
        }
        // Parse errors (unknown option, missing argument, failed validation) are usage errors.
        return parse.Errors.Count > 0 && code != 0 ? Hosting.ExitCodes.Usage : code;
    }

    // The database's exception, also when wrapped (a task's AggregateException, an InvalidOperationException around it).
    private static Exception? DatabaseCause(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is DbException or TimeoutException) return x;
        return null;
    }

    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}";
}
