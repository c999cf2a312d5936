using System.Collections.Concurrent;
using Analytics.Api.Audit;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.Audit;
using Analytics.Data.Database;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Api.Tests.Audit;

/// <summary>What the audit writer logs when an append fails: one line per retry, the exception only when the batch is lost.</summary>
public sealed class AuditRetryLogTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task SequenceConflict_WithAnotherWriter_IsOneInformationLine_AndTheEntryIsStillAppended()
    {
        var dir = Directory.CreateTempSubdirectory("analytics-audit-retry-");
        try
        {
            await using var db = await MigratedAsync(dir);
            var logs = new ConcurrentQueue<string>();
            using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new CapturingLoggerProvider(logs)));
            var first = new AuditLog(new AuditStore(db), loggers.CreateLogger<AuditLog>(), TimeProvider.System);
            var second = new AuditLog(new AuditStore(db), NullLogger<AuditLog>.Instance, TimeProvider.System);
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

            var line = Assert.Single(logs);
            Assert.StartsWith("Information", line, StringComparison.Ordinal);
            Assert.Contains("attempt 1", line);
            Assert.DoesNotContain('\n', line.TrimEnd());
            Assert.DoesNotContain("Exception", line);
            Assert.Equal(3, (await new AuditStore(db).HeadAsync(None)).Seq);
            Assert.True((await new AuditStore(db).VerifyAsync(null, None)).Valid);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AppendThatKeepsFailing_IsOneWarningLinePerRetry_AndTheLostBatchIsCriticalWithItsException()
    {
        var dir = Directory.CreateTempSubdirectory("analytics-audit-retry-");
        try
        {
            await using var db = await MigratedAsync(dir);
            await using (var connection = await db.OpenWriterAsync(None))
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END;";
                await command.ExecuteNonQueryAsync();
            }
            var logs = new ConcurrentQueue<string>();
            using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new CapturingLoggerProvider(logs)));
            var log = new AuditLog(new AuditStore(db), loggers.CreateLogger<AuditLog>(), new NoWaiting());
            await log.StartAsync(None);

            await log.AppendAsync(Draft("refused"));
            await log.FlushAsync();
            await log.StopAsync(None);

            var warnings = logs.Where(l => l.StartsWith("Warning", StringComparison.Ordinal)).ToList();
            Assert.Equal(9, warnings.Count);
            Assert.All(warnings, w =>
            {
                Assert.Contains("audit refused", w);
                Assert.DoesNotContain('\n', w.TrimEnd());
                Assert.DoesNotContain(" at Microsoft.", w);
            });
            var critical = Assert.Single(logs, l => l.StartsWith("Critical", StringComparison.Ordinal));
            Assert.Contains("failed 10 times", critical);
            Assert.Contains("SqliteException", critical);
            Assert.Contains(" at ", critical);
            Assert.Equal(10, logs.Count);
            Assert.Equal(0, (await new AuditStore(db).HeadAsync(None)).Seq);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    private static async Task<Db> MigratedAsync(DirectoryInfo dir)
    {
        var db = new Db(new DatabaseOptions { Provider = "sqlite", ConnectionString = $"Data Source={Path.Combine(dir.FullName, "audit.db")}" });
        await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).RunAsync(None);
        return db;
    }

    private static AuditDraft Draft(string action) =>
        new(DateTimeOffset.UtcNow, "test", "steward", null, action, "GET", "/api/v1/test", "{}", 200, 0, 1);

    // Timers fire at once: the ten attempts' back-off (about 25 s in all) does not slow the test.
    private sealed class NoWaiting : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, period);
    }
}
