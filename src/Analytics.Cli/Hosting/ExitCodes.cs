namespace Analytics.Cli.Hosting;

/// <summary>Exit codes shared by the data commands.</summary>
public static class ExitCodes
{
    /// <summary>Everything done.</summary>
    public const int Ok = 0;

    /// <summary>Partly done: some records or batches were not stored, the server was unreachable, or the run was cancelled.</summary>
    public const int Partial = 1;

    /// <summary>Bad usage or a file that cannot be used (missing, unknown header, unreadable).</summary>
    public const int Usage = 2;
}
