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
}
