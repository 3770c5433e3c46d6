using System.Net;
using System.Net.Sockets;

namespace Gantry.Registries.Tests.Infrastructure;

/// <summary>A real HTTP server on a free loopback port, answering with a handler; counts requests.</summary>
public sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerContext, Task> _handler;
    private readonly Task _loop;
    private int _requests;

    public LoopbackHttpServer(Func<HttpListenerContext, Task> handler)
    {
        _handler = handler;
        Port = FreePort();
        BaseUri = new Uri($"http://127.0.0.1:{Port}/");
        _listener.Prefixes.Add(BaseUri.ToString());
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public Uri BaseUri { get; }

    public int Requests => Volatile.Read(ref _requests);

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public static async Task WriteAsync(HttpListenerResponse response, int status, string contentType, byte[] body, bool chunked = false)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        if (chunked)
        {
            response.SendChunked = true;
        }
        else
        {
            response.ContentLength64 = body.Length;
        }

        await response.OutputStream.WriteAsync(body);
        response.Close();
    }

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the listener.
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref _requests);
            _ = Task.Run(async () =>
            {
                try
                {
                    await _handler(context);
                }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
                {
                    // The client went away.
                }
                catch (Exception e)
                {
                    try
                    {
                        await WriteAsync(context.Response, 500, "text/plain", System.Text.Encoding.UTF8.GetBytes(e.ToString()));
                    }
                    catch (Exception inner) when (inner is HttpListenerException or InvalidOperationException or ObjectDisposedException)
                    {
                        // Headers already sent.
                    }
                }
            });
        }
    }
}
