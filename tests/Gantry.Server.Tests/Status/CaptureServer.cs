using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Status;

/// <summary>A request the capture server received: its headers and exact body.</summary>
public sealed record CapturedRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : string.Empty;
}

/// <summary>Stands in for Gantry's webhook: a Kestrel on loopback that keeps every request and answers <see cref="Status"/>.</summary>
public sealed class CaptureServer : IAsyncDisposable
{
    private readonly Channel<CapturedRequest> _requests = Channel.CreateUnbounded<CapturedRequest>();
    private WebApplication? _app;

    public int Status { get; set; } = StatusCodes.Status202Accepted;

    public Uri Url { get; private set; } = null!;

    public static async Task<CaptureServer> StartAsync()
    {
        var server = new CaptureServer();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            server._requests.Writer.TryWrite(new CapturedRequest(context.Request.Path.Value ?? string.Empty, headers, body.ToArray()));
            context.Response.StatusCode = server.Status;
        });
        await app.StartAsync();
        server._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server.Url = new Uri(new Uri(address), "/api/v1/status/webhook/test-cluster");
        return server;
    }

    public async Task<CapturedRequest> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await _requests.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>True when no request is waiting to be read.</summary>
    public bool IsEmpty => !_requests.Reader.TryPeek(out _);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
