using System.Buffers;
using System.Text;
using Analytics.Core.Links;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Analytics.Data.Links;

/// <summary>
/// The link job's two reads on SQLite, stepped on the connection's own handle. Every linking token of every active case
/// comes by (one row each, over a million at 100,000 cases), and through a data reader each row cost two new strings
/// (token and case id) that were dropped at once. Here a token is compared as the bytes SQLite holds, a case id becomes a
/// string only when its token is shared (once per case and run: the graph hands back the string it holds), and a case's
/// jurisdiction and authority are looked up without a string at all.
/// </summary>
internal static class SqliteLinkReader
{
    /// <summary>Rows between two checks for cancellation.</summary>
    private const int CancellationStride = 4096;

    /// <summary>
    /// Adds to <paramref name="graph"/> every token <paramref name="sql"/> returns for more than one case. The query
    /// returns (token, case id, index into <see cref="LinkGraph.LinkingTypes"/>), ordered by token.
    /// </summary>
    public static void AddSharedTokens(SqliteConnection connection, string sql, LinkGraph graph, CancellationToken ct)
    {
        var db = Handle(connection);
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        SqliteException.ThrowExceptionForRC(rc, db);
        using (statement)
        {
            var token = new ArrayBufferWriter<byte>(64);
            var group = new ArrayBufferWriter<byte>(1024);
            var ends = new List<int>();
            var holders = new List<string>();
            var chars = new char[64];
            var type = -1;
            var rows = 0;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                if (++rows % CancellationStride == 0) ct.ThrowIfCancellationRequested();
                var next = raw.sqlite3_column_blob(statement, 0);
                if (type < 0 || !next.SequenceEqual(token.WrittenSpan))
                {
                    Flush();
                    token.ResetWrittenCount();
                    token.Write(next);
                    type = raw.sqlite3_column_int(statement, 2);
                }
                group.Write(raw.sqlite3_column_blob(statement, 1));
                ends.Add(group.WrittenCount);
            }
            if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, db);
            Flush();

            // The holders of the token just read: a token held by one case links nothing and costs no string.
            void Flush()
            {
                if (ends.Count > 1)
                {
                    holders.Clear();
                    for (var i = 0; i < ends.Count; i++)
                    {
                        var start = i == 0 ? 0 : ends[i - 1];
                        holders.Add(graph.CaseId(Decode(group.WrittenSpan[start..ends[i]], ref chars)));
                    }
                    graph.AddSharedToken(LinkGraph.LinkingTypes[type], holders);
                }
                group.ResetWrittenCount();
                ends.Clear();
            }
        }
    }

    /// <summary>Describes the graph's cases from <paramref name="sql"/>, which returns (case id, jurisdiction, authority).</summary>
    public static void DescribeHolders(SqliteConnection connection, string sql, LinkGraph graph, CancellationToken ct)
    {
        var db = Handle(connection);
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        SqliteException.ThrowExceptionForRC(rc, db);
        using (statement)
        {
            var id = new char[64];
            var jurisdiction = new char[16];
            var authority = new char[64];
            var rows = 0;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                if (++rows % CancellationStride == 0) ct.ThrowIfCancellationRequested();
                graph.Describe(
                    Decode(raw.sqlite3_column_blob(statement, 0), ref id),
                    Decode(raw.sqlite3_column_blob(statement, 1), ref jurisdiction),
                    Decode(raw.sqlite3_column_blob(statement, 2), ref authority));
            }
            if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    private static sqlite3 Handle(SqliteConnection connection) =>
        connection.Handle ?? throw new InvalidOperationException("The SQLite connection of the link job must be open.");

    // UTF-8 text as characters, in a buffer grown when a value needs more.
    private static ReadOnlySpan<char> Decode(ReadOnlySpan<byte> utf8, ref char[] buffer)
    {
        var needed = Encoding.UTF8.GetMaxCharCount(utf8.Length);
        if (needed > buffer.Length) buffer = new char[Math.Max(needed, buffer.Length * 2)];
        var written = Encoding.UTF8.GetChars(utf8, buffer);
        return buffer.AsSpan(0, written);
    }
}
