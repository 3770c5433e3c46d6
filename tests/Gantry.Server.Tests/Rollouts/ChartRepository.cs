using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Rollouts;

/// <summary>
/// A Helm repository on loopback: <c>index.yaml</c> listing one chart at one version, and its package (a gzipped tar
/// with <c>&lt;chart&gt;/Chart.yaml</c>, <c>values.yaml</c> and <c>values.schema.json</c>, as <c>helm package</c> lays it out).
/// </summary>
public sealed class ChartRepository : IAsyncDisposable
{
    private WebApplication? _app;

    public Uri Url { get; private set; } = null!;

    public int PackageRequests { get; private set; }

    public static async Task<ChartRepository> StartAsync(string chart, string version, string valuesYaml, string schemaJson)
    {
        var repository = new ChartRepository();
        var package = Package(chart, version, valuesYaml, schemaJson);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async context =>
        {
            if (context.Request.Path == "/index.yaml")
            {
                await context.Response.WriteAsync($"""
                    apiVersion: v1
                    entries:
                      {chart}:
                        - name: {chart}
                          version: {version}
                          urls: [charts/{chart}-{version}.tgz]
                    """);
            }
            else if (context.Request.Path == $"/charts/{chart}-{version}.tgz")
            {
                repository.PackageRequests++;
                await context.Response.Body.WriteAsync(package);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        });
        await app.StartAsync();
        repository._app = app;
        repository.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return repository;
    }

    private static byte[] Package(string chart, string version, string valuesYaml, string schemaJson)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (name, text) in new[] { ("Chart.yaml", $"apiVersion: v2\nname: {chart}\nversion: {version}\n"), ("values.yaml", valuesYaml), ("values.schema.json", schemaJson) })
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{chart}/{name}") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
            }
        }

        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
