using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gantry.Testing;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 that answers GET /v1/cert.pem like a Sealed Secrets controller
/// (application/x-pem-file) and 404 elsewhere. Serves until disposed; loopback only.
/// </summary>
public sealed class LoopbackCertificateServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _pem;
    private readonly Task _loop;

    public LoopbackCertificateServer(string pem)
    {
        _pem = pem;
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri CertificateUrl => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1/cert.pem");

    public Uri BaseUrl => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (client)
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync(_stop.Token) ?? "";
                while (!string.IsNullOrEmpty(await reader.ReadLineAsync(_stop.Token)))
                {
                }

                var found = requestLine.StartsWith("GET /v1/cert.pem ", StringComparison.Ordinal);
                var body = Encoding.ASCII.GetBytes(found ? _pem : "not found\n");
                var head = found
                    ? "HTTP/1.1 200 OK\r\nContent-Type: application/x-pem-file\r\n"
                    : "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n";
                var header = Encoding.ASCII.GetBytes($"{head}Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(header, _stop.Token);
                await stream.WriteAsync(body, _stop.Token);
            }
        }
    }
}
