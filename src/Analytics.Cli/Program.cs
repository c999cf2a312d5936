using System.CommandLine;
using System.CommandLine.Invocation;
using System.Data.Common;
using System.Text.RegularExpressions;
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
    public static RootCommand Root() => new("analytics: import, generate and submit case data; manage keys and the pseudonymisation key ring; report on CTDC data, measure the scrubber and export features.")
    {
        KeysCommand.Create(),
        PseudonymisationCommand.Create(),
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
        // A leaf command's usage error is its error lines (with any "did you mean"), not the whole help page after them.
        // A group of commands (the root, "keys", …) still shows its help: the list of its commands is what was missing.
        if (parse.Action is ParseErrorAction errorAction && parse.CommandResult.Command.Subcommands.Count == 0)
        {
            errorAction.ShowHelp = false;
            var buffer = new StringWriter();
            await parse.InvokeAsync(new InvocationConfiguration { Output = buffer, Error = buffer });
            // Each error (some span lines: "Must be one of: …") becomes "error: …"; the typo corrections stay as written.
            var text = buffer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
            foreach (var message in parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal))
                text = text.Replace(message, "error: " + Readable(message), StringComparison.Ordinal);
            foreach (var line in text.Split('\n').Where(l => l.Trim().Length > 0))
                await error.WriteLineAsync(line);
            await error.WriteLineAsync(HelpPointer(parse));
            return Hosting.ExitCodes.Usage;
        }
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
            await error.WriteLineAsync(HelpPointer(parse));
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
        // Parse errors (unknown option, missing argument, failed validation) are usage errors. A command that refused its
        // options itself (a key request the rules refuse, a file that is not what the option takes) wrote its error lines:
        // where its options are described follows them, as after a parse error.
        if (code == Hosting.ExitCodes.Usage && parse.Errors.Count == 0) await error.WriteLineAsync(HelpPointer(parse));
        return parse.Errors.Count > 0 && code != 0 ? Hosting.ExitCodes.Usage : code;
    }

    private static string HelpPointer(ParseResult parse) => $"Run '{CommandPath(parse.CommandResult)} --help' to see its options.";

    // The database's exception, also when wrapped (a task's AggregateException, an InvalidOperationException around it).
    private static Exception? DatabaseCause(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is DbException or TimeoutException) return x;
        return null;
    }

    private static string CommandPath(System.CommandLine.Parsing.CommandResult command)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = command; r is not null; r = r.Parent)
            if (r is System.CommandLine.Parsing.CommandResult c) names.Insert(0, c.Parent is null ? "analytics" : c.Command.Name);
        return string.Join(' ', names);
    }

    // "Cannot parse argument 'abc' for option '--count' as expected type 'System.Int32'." names a .NET type and repeats
    // the value: say what the option takes instead, and leave the value out, as the service does.
    private static string Readable(string message)
    {
        var match = Regex.Match(message, @"^Cannot parse argument '.*' for (option|command) '(.+)' as expected type '(.+)'\.$", RegexOptions.Singleline);
        if (!match.Success) return message;
        var expected = match.Groups[3].Value switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" or "System.Decimal" => "a number (with a '.' for decimals)",
            var type => type[(type.LastIndexOf('.') + 1)..],
        };
        return $"Cannot parse argument of {match.Groups[1].Value} '{match.Groups[2].Value}': expected {expected}.";
    }

    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}";
}
