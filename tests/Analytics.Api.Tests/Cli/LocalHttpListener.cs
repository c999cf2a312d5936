using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Analytics.Api.Tests.Cli;

/// <summary>
/// A bare HTTP/1.1 listener on 127.0.0.1 (a free port) for what an in-memory server cannot show: where a real client's
/// requests go. It records each request's head and body and answers every one with <paramref name="answer"/>.
/// </summary>
internal sealed class LocalHttpListener : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<string> _answer;
    private readonly List<(string Head, string Body)> _requests = [];

    /// <param name="answer">The full response (status line, headers, body) sent for each request.</param>
    public LocalHttpListener(Func<string> answer)
    {
        _answer = answer;
        _listener.Start();
        _ = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public IReadOnlyList<(string Head, string Body)> Requests
    {
        get { lock (_requests) return _requests.ToList(); }
    }

    public static string Json(int status, string body) =>
        $"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var received = new MemoryStream();
                var buffer = new byte[8192];
                int headEnd;
                while ((headEnd = IndexOfHeadEnd(received)) < 0)
                {
                    var n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0) return;
                    received.Write(buffer, 0, n);
                }
                var head = Encoding.ASCII.GetString(received.GetBuffer(), 0, headEnd);
                var length = head.Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    .Select(p => int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                while (received.Length < headEnd + 4 + length)
                {
                    var n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0) break;
                    received.Write(buffer, 0, n);
                }
                var body = Encoding.UTF8.GetString(received.GetBuffer(), headEnd + 4, (int)received.Length - headEnd - 4);
                lock (_requests) _requests.Add((head, body));
                await stream.WriteAsync(Encoding.UTF8.GetBytes(_answer()), _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException) { }
        }
    }

    private static int IndexOfHeadEnd(MemoryStream received)
    {
        var bytes = received.GetBuffer();
        for (var i = 0; i + 3 < received.Length; i++)
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') return i;
        return -1;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
