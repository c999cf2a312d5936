using System.CommandLine;

namespace Analytics.Cli.Hosting;

/// <summary>Range rules for numeric options.</summary>
public static class OptionRules
{
    /// <summary>
    /// Adds a check of the option's value. A value that does not parse (<c>--count abc</c>) is left to the parser, which
    /// reports it as a usage error: reading it here would throw instead.
    /// </summary>
    public static void Require<T>(this Option<T> option, Func<T, bool> valid, string message) =>
        option.Validators.Add(result =>
        {
            T value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return;
            }
            if (!valid(value)) result.AddError(message);
        });
}
