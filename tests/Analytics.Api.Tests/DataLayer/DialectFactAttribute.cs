using Analytics.Api.Tests.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Analytics.Api.Tests.DataLayer;

/// <summary>Names the dialect a data-layer test class runs on (sqlite, postgres or sqlserver).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class DialectAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// A fact of the shared data-layer suite. The suite is written once in an abstract class, so the skip cannot be a constant
/// of the attribute: its discoverer reads the <see cref="DialectAttribute"/> of the concrete class at discovery and reports
/// the test as skipped, with the reason, when that dialect's database is not configured.
/// </summary>
[XunitTestCaseDiscoverer("Analytics.Api.Tests.DataLayer.DialectFactDiscoverer", "Analytics.Api.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class DialectFactAttribute : FactAttribute;

public sealed class DialectFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var dialect = testMethod.TestClass.Class.GetCustomAttributes(typeof(DialectAttribute)).SingleOrDefault()?.GetConstructorArguments().Single() as string
            ?? throw new InvalidOperationException($"{testMethod.TestClass.Class.Name} needs a [Dialect] attribute.");
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        return DialectSkip.Reason(dialect) is { } reason
            ? [new XunitSkippedDataRowTestCase(diagnosticMessageSink, display, displayOptions, testMethod, reason)]
            : [new XunitTestCase(diagnosticMessageSink, display, displayOptions, testMethod)];
    }
}

/// <summary>
/// SQLite always runs. PostgreSQL runs when ANALYTICS_TEST_POSTGRES is set, and on CI (CI=true) it always runs, so a missing
/// server fails there instead of hiding. SQL Server runs when ANALYTICS_TEST_SQLSERVER holds a connection string.
/// </summary>
public static class DialectSkip
{
    public static string? Reason(string dialect) => dialect switch
    {
        "sqlite" => null,
        "postgres" when TestDatabases.Postgres is null && !InCi =>
            $"{TestDatabases.PostgresVariable} not set: give a PostgreSQL server's connection string to run the data-layer suite on PostgreSQL",
        "sqlserver" when TestDatabases.SqlServer is null =>
            $"{TestDatabases.SqlServerVariable} not set: give a SQL Server connection string to run the data-layer suite on SQL Server",
        "sqlite" or "postgres" or "sqlserver" => null,
        _ => throw new ArgumentException($"Unknown dialect '{dialect}'.", nameof(dialect)),
    };

    private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}
