using System.ComponentModel.DataAnnotations;

namespace Analytics.Data.Database;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>sqlite (embedded default), postgres or sqlserver.</summary>
    [Required, RegularExpression("^(sqlite|postgres|sqlserver)$")]
    public string Provider { get; set; } = "sqlite";

    [Required]
    public string ConnectionString { get; set; } = "Data Source=data/analytics.db";

    /// <summary>
    /// SQLite only: page cache of the writer's connection, in MB. Writers take their connections from a pool of their own,
    /// so this cache stays warm from one write transaction to the next (the pages the last transactions wrote);
    /// readers keep SQLite's default of 2 MB each. 0 leaves the writer at the default too.
    /// </summary>
    [Range(0, 4096)]
    public int SqliteWriterCacheMegabytes { get; set; } = 8;

    /// <summary>
    /// SQLite only: copy the WAL back into the database file beside the writers (<see cref="SqliteCheckpointer"/>) instead
    /// of inside the commit that crosses SQLite's threshold, which holds the write gate while it copies and syncs the file.
    /// </summary>
    public bool SqliteBackgroundCheckpoints { get; set; } = true;
}
