using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Testing.Registries;

namespace Gantry.Registries.Tests.Infrastructure;

/// <summary>
/// Debian's docker-registry is distribution 2.8, which ignores <c>n</c> on tags/list (paging arrived in distribution 3).
/// This loopback front reads the real registry's full list and pages it exactly as distribution-spec v1.1.1
/// "Listing Tags" says: lexical order, <c>n</c>, <c>last</c> (exclusive) and a relative <c>Link: &lt;...&gt;; rel="next"</c>.
/// Every other request is forwarded unchanged.
/// </summary>
public sealed class PagingRegistryFront : IDisposable
{
    private readonly DockerRegistry _registry;
    private readonly HttpClient _http = new();
    private readonly LoopbackHttpServer _server;

    public PagingRegistryFront(DockerRegistry registry)
    {
        _registry = registry;
        _server = new LoopbackHttpServer(HandleAsync);
    }

    public Uri BaseUri => _server.BaseUri;

    public int Requests => _server.Requests;

    public void Dispose()
    {
        _server.Dispose();
        _http.Dispose();
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        using var upstream = await _http.GetAsync(new Uri(_registry.BaseUri, path));
        var body = await upstream.Content.ReadAsByteArrayAsync();
        if (!upstream.IsSuccessStatusCode || !path.EndsWith("/tags/list", StringComparison.Ordinal))
        {
            await LoopbackHttpServer.WriteAsync(context.Response, (int)upstream.StatusCode, "application/json", body);
            return;
        }

        var list = JsonNode.Parse(body)!;
        var tags = list["tags"]!.AsArray().Select(t => t!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        var last = context.Request.QueryString["last"];
        if (last is not null)
        {
            tags = tags.Where(t => string.CompareOrdinal(t, last) > 0).ToList();
        }

        var n = int.TryParse(context.Request.QueryString["n"], out var size) ? size : tags.Count;
        var page = tags.Take(n).ToList();
        if (n > 0 && tags.Count > n)
        {
            context.Response.AddHeader("Link", $"<{path}?n={n}&last={Uri.EscapeDataString(page[^1])}>; rel=\"next\"");
        }

        var answer = JsonSerializer.SerializeToUtf8Bytes(new { name = list["name"]!.GetValue<string>(), tags = page });
        await LoopbackHttpServer.WriteAsync(context.Response, 200, "application/json; charset=utf-8", answer);
    }
}
