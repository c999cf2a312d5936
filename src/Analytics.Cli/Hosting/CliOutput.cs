using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Analytics.Cli.Hosting;

/// <summary>Progress of one long piece of work: a position out of a total, with a short status text.</summary>
public interface IWorkProgress
{
    void Report(long done, string status);
}

/// <summary>
/// Where a command writes: the invocation's output and error writers. A live Spectre.Console progress bar when the
/// output is an interactive terminal; otherwise (CI, pipes, tests) plain progress lines at most every few seconds.
/// </summary>
public sealed class CliOutput
{
    private CliOutput(TextWriter output, TextWriter error, bool isTerminal)
    {
        Out = output;
        Error = error;
        IsTerminal = isTerminal;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!isTerminal) Console.Profile.Width = 100;
    }

    public TextWriter Out { get; }
    public TextWriter Error { get; }
    public bool IsTerminal { get; }
    public IAnsiConsole Console { get; }

    /// <summary>Interval between plain progress lines when the output is not a terminal.</summary>
    public TimeSpan PlainInterval { get; init; } = TimeSpan.FromSeconds(2);

    public static CliOutput For(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var terminal = ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected;
        return new CliOutput(output, error, terminal);
    }

    /// <summary>Runs <paramref name="work"/> with a progress bar (terminal) or periodic progress lines (otherwise).</summary>
    public async Task<T> RunWithProgressAsync<T>(string title, long total, Func<IWorkProgress, Task<T>> work)
    {
        if (IsTerminal)
        {
            return await Console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(1, total));
                    var result = await work(new BarProgress(task, title));
                    task.Value = task.MaxValue;
                    return result;
                });
        }
        var plain = new PlainProgress(Out, title, total, PlainInterval);
        return await work(plain);
    }

    private sealed class BarProgress(ProgressTask task, string title) : IWorkProgress
    {
        public void Report(long done, string status)
        {
            task.Value = Math.Min(done, task.MaxValue);
            task.Description = Markup.Escape(string.IsNullOrEmpty(status) ? title : $"{title} {status}");
        }
    }

    private sealed class PlainProgress(TextWriter output, string title, long total, TimeSpan interval) : IWorkProgress
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _last = TimeSpan.Zero;
        private bool _finished;

        public void Report(long done, string status)
        {
            var now = _clock.Elapsed;
            if (done >= total)
            {
                if (_finished) return;
                _finished = true;
            }
            else if (now - _last < interval) return;
            _last = now;
            var percent = total > 0 ? (double)done / total : 1;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{title}: {percent,4:P0} {status} ({now.TotalSeconds:F1} s)"));
        }
    }
}
