using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gantry.Core.State;
using Gantry.Git.Objects;

namespace Gantry.Git.Remotes;

/// <summary>
/// A smart HTTP remote (GitHub, GitLab, Gitea, git http-backend). Pushes speak the stateless receive-pack
/// protocol directly: one POST with the ref update command and the pack, answered by report-status
/// (git: Documentation/gitprotocol-http.txt, gitprotocol-pack.txt "Reference Update Request and Packfile Transfer").
/// </summary>
internal sealed class HttpRemote : IRemoteTarget
{
    private readonly Uri _url;
    private readonly string _refName;
    private readonly HttpClient _http;

    public HttpRemote(string url, string? user, string? password, string refName, TimeSpan timeout)
    {
        _url = new Uri(url.TrimEnd('/') + "/");
        _refName = refName;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), UseCookies = false })
        {
            Timeout = timeout,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("git/2.0 (gantry)");
        if (user is not null || password is not null)
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", token);
        }
    }

    public string DisplayUrl => _url.ToString();

    /// <summary>Bytes of packs sent so far, for the benchmark and metrics.</summary>
    public long BytesSent { get; private set; }

    public async Task CheckAccessAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(_url, "info/refs?service=git-receive-pack")), cancellationToken);
        await EnsureSuccessAsync(response, "reading the remote's branches", cancellationToken);
    }

    public async Task<string?> PushAsync(GitHash? expected, GitHash newHead, PackFiles pack, CancellationToken cancellationToken)
    {
        var command = $"{(expected ?? GitHash.Zero)} {newHead} {_refName}\0report-status agent=gantry\n";
        var commands = new MemoryStream();
        PktLine.Write(commands, command);
        PktLine.WriteFlush(commands);

        // The commands, then the pack as it is in memory: the request is never copied into one more buffer.
        using var body = new TwoPartContent(commands.ToArray(), pack.Pack);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_url, "git-receive-pack")) { Content = body };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-git-receive-pack-request");
        request.Headers.Accept.ParseAdd("application/x-git-receive-pack-result");
        using var response = await SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, "pushing", cancellationToken);
        BytesSent += body.Length;

        var reply = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        string? unpack = null;
        string? refStatus = null;
        foreach (var line in PktLine.Read(reply))
        {
            if (line.StartsWith("unpack ", StringComparison.Ordinal))
            {
                unpack = line[7..];
            }
            else if (line.StartsWith("ok ", StringComparison.Ordinal) || line.StartsWith("ng ", StringComparison.Ordinal))
            {
                refStatus = line;
            }
        }

        if (unpack is null || refStatus is null)
        {
            throw new StateStoreException($"The remote {DisplayUrl} answered the push without a status report.");
        }

        if (refStatus == "ok " + _refName && unpack == "ok")
        {
            return null;
        }

        // Missing objects (someone rewound the branch) and a moved branch are both solved by fetching again.
        return unpack != "ok" ? "unpack " + unpack : refStatus[3..];
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new StateStoreException($"The remote {DisplayUrl} cannot be reached: {e.HttpRequestError}.", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StateStoreException($"The remote {DisplayUrl} did not answer within {_http.Timeout.TotalSeconds:0} s.", e);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string doing, CancellationToken cancellationToken)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new StateStoreException(
                $"The remote {DisplayUrl} refused the credentials while {doing} (HTTP {(int)response.StatusCode}); check Git:Username and Git:Password or Git:PasswordFile.");
        }

        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new StateStoreException(
                $"The remote {DisplayUrl} failed while {doing}: HTTP {(int)response.StatusCode} {text[..Math.Min(text.Length, 200)].Trim()}");
        }
    }
}

/// <summary>Git's pkt-line framing: four hex digits of length (including themselves), then the payload; "0000" flushes.</summary>
internal static class PktLine
{
    public static void Write(Stream stream, string payload)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        stream.Write(Encoding.ASCII.GetBytes((bytes.Length + 4).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)));
        stream.Write(bytes);
    }

    public static void WriteFlush(Stream stream) => stream.Write("0000"u8);

    /// <summary>The payloads of every pkt-line in <paramref name="data"/> up to the first flush, without trailing newlines.</summary>
    public static IEnumerable<string> Read(byte[] data)
    {
        var position = 0;
        while (position + 4 <= data.Length)
        {
            var length = Convert.ToInt32(Encoding.ASCII.GetString(data, position, 4), 16);
            if (length == 0)
            {
                yield break;
            }

            if (length < 4 || position + length > data.Length)
            {
                throw new StateStoreException("The remote sent a malformed pkt-line.");
            }

            yield return Encoding.UTF8.GetString(data, position + 4, length - 4).TrimEnd('\n');
            position += length;
        }
    }
}

/// <summary>A request body of two parts sent one after the other, with its length known up front.</summary>
internal sealed class TwoPartContent(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second) : HttpContent
{
    public long Length => first.Length + second.Length;

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(first, cancellationToken);
        await stream.WriteAsync(second, cancellationToken);
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = Length;
        return true;
    }
}
