using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gantry.Cli.Commands;

/// <summary>
/// The loopback redirect of a browser sign-in (RFC 8252 §7.3): a listener on 127.0.0.1 and a free port that takes the
/// browser's one request to <c>/callback</c>, answers it with a page that says to go back to the terminal, and hands
/// over the code. Anything else (a favicon) gets 404; an answer whose state differs is refused.
/// </summary>
internal sealed class LoopbackRedirect : IDisposable
{
    private const int MaxRequestHead = 16 * 1024;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public LoopbackRedirect()
    {
        _listener.Start();
        Uri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/callback");
    }

    public Uri Uri { get; }

    /// <summary>The code of the redirect that carries <paramref name="state"/>; the provider's error in words otherwise.</summary>
    public async Task<string> WaitForCodeAsync(string state, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var client = await _listener.AcceptTcpClientAsync(cancellationToken);
            await using var stream = client.GetStream();
            var target = await ReadTargetAsync(stream, cancellationToken);
            if (target is null || !target.StartsWith("/callback", StringComparison.Ordinal))
            {
                await RespondAsync(stream, "404 Not Found", "Not found.", cancellationToken);
                continue;
            }

            var query = Parse(target.Contains('?', StringComparison.Ordinal) ? target[(target.IndexOf('?', StringComparison.Ordinal) + 1)..] : string.Empty);
            if (query.GetValueOrDefault("state") != state)
            {
                await RespondAsync(stream, "400 Bad Request", "This answer does not belong to the sign-in in progress.", cancellationToken);
                throw new CliException("the browser's answer does not belong to this login (its state differs); run gantry login again", ExitCodes.Unauthorized);
            }

            if (query.GetValueOrDefault("code") is { Length: > 0 } code)
            {
                await RespondAsync(stream, "200 OK", "Signed in to Gantry. You can close this tab and go back to the terminal.", cancellationToken);
                return code;
            }

            var error = query.GetValueOrDefault("error_description") ?? query.GetValueOrDefault("error") ?? "no code in the answer";
            await RespondAsync(stream, "200 OK", "The sign-in did not complete; see the terminal.", cancellationToken);
            throw new CliException($"the sign-in in the browser did not complete: {error}", ExitCodes.Unauthorized);
        }
    }

    /// <summary>The request target of the request line (<c>GET /callback?code=… HTTP/1.1</c>), after the whole head is read.</summary>
    private static async Task<string?> ReadTargetAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (head.Length < MaxRequestHead && !head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                break;
            }

            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var parts = head.ToString().Split("\r\n", 2)[0].Split(' ');
        return parts.Length == 3 && parts[0] == "GET" ? parts[1] : null;
    }

    private static async Task RespondAsync(NetworkStream stream, string status, string message, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes($"<!doctype html><html><head><meta charset=\"utf-8\"><title>Gantry</title></head><body><p>{WebUtility.HtmlEncode(message)}</p></body></html>");
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(head, cancellationToken);
        await stream.WriteAsync(body, cancellationToken);
    }

    private static Dictionary<string, string> Parse(string query)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = pair.Split('=', 2) is [var n, var v] ? (n, v) : (pair, string.Empty);
            values.TryAdd(Uri.UnescapeDataString(name.Replace('+', ' ')), Uri.UnescapeDataString(value.Replace('+', ' ')));
        }

        return values;
    }

    public void Dispose() => _listener.Dispose();
}
