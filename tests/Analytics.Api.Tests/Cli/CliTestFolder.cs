using System.CommandLine;
using Analytics.Cli;
using Microsoft.Data.Sqlite;

namespace Analytics.Api.Tests.Cli;

/// <summary>A temp folder with a database and key file for running CLI commands in process.</summary>
internal sealed class CliTestFolder : IDisposable
{
    public CliTestFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "analytics-cli-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }
    public string Database => $"Data Source={System.IO.Path.Combine(Path, "a.db")}";
    public string KeyFile => System.IO.Path.Combine(Path, "k.json");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Runs the CLI (keys with the folder's database, import with its database and key file); returns the exit code and everything written.</summary>
    public async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var writer = new StringWriter();
        var code = await CliProgram.Root()
            .Parse(args switch
            {
                ["import", ..] => [.. args, "--database", Database, "--key-file", KeyFile],
                ["keys", ..] => [.. args, "--database", Database],
                _ => args,
            })
            .InvokeAsync(new InvocationConfiguration { Output = writer, Error = writer });
        return (code, writer.ToString());
    }

    public long Scalar(string sql)
    {
        using var connection = new SqliteConnection(Database);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Execute(string sql)
    {
        using var connection = new SqliteConnection(Database);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
