using System.Collections.Concurrent;
using Analytics.Api.Audit;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.Audit;
using Analytics.Data.Database;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Api.Tests.Audit;

public sealed class AuditRetryLogTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task SequenceConflict_WithAnotherWriter_IsOneWarningLine_AndTheEntryIsStillAppended()
    {
        var dir = Directory.CreateTempSubdirectory("analytics-audit-retry-");
        try
        {
            await using var db = new Db(new DatabaseOptions { Provider = "sqlite", ConnectionString = $"Data Source={Path.Combine(dir.FullName, "audit.db")}" });
            await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).RunAsync(None);
            var logs = new ConcurrentQueue<string>();
            using var loggers = LoggerFactory.Create(b => b.AddProvider(new CapturingLoggerProvider(logs)));
            var first = new AuditLog(new AuditStore(db), loggers.CreateLogger<AuditLog>());
            var second = new AuditLog(new AuditStore(db), NullLogger<AuditLog>.Instance);
            await first.StartAsync(None);
            await second.StartAsync(None);

            await first.AppendAsync(Draft("first"));
            await first.FlushAsync();
            // The other node takes the next sequence number behind the first writer's back.
            await second.AppendAsync(Draft("second"));
            await second.FlushAsync();
            await first.AppendAsync(Draft("third"));
            await first.FlushAsync();
            await first.StopAsync(None);
            await second.StopAsync(None);

            var warning = Assert.Single(logs, l => l.StartsWith("Warning", StringComparison.Ordinal));
            Assert.Contains("attempt 1", warning);
            Assert.DoesNotContain('\n', warning.TrimEnd());
            Assert.DoesNotContain(" at Analytics.", warning);
            Assert.Equal(3, (await new AuditStore(db).HeadAsync(None)).Seq);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    private static AuditDraft Draft(string action) =>
        new(DateTimeOffset.UtcNow, "test", "steward", null, action, "GET", "/api/v1/test", "{}", 200, 0, 1);
}
