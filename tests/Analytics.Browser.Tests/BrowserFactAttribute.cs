namespace Analytics.Browser.Tests;

/// <summary>
/// Where the browser tests get their Chromium, and whether its absence skips or fails them: on CI (CI=true) a missing
/// browser is a failure, elsewhere the tests are skipped with a message that says how to install it.
/// </summary>
public static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    public static readonly string[] Args =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    public static bool Installed => File.Exists(Path);

    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public const string Missing = $"Chromium is not installed at {Path}: install it with `apt-get install -y chromium` (the browser tests never download a browser).";
}

public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!Chromium.Installed && !Chromium.OnCi) Skip = Chromium.Missing;
    }
}

public sealed class BrowserTheoryAttribute : TheoryAttribute
{
    public BrowserTheoryAttribute()
    {
        if (!Chromium.Installed && !Chromium.OnCi) Skip = Chromium.Missing;
    }
}
