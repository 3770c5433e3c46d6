using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Gantry.Core.Catalog;
using Gantry.Core.Validation;
using Gantry.Core.Versions;
using Gantry.Core.Yaml;
using Microsoft.Extensions.Options;

namespace Gantry.Registries;

/// <summary>
/// Reads a chart package from a Helm repository: the version's entry in <c>index.yaml</c> names the package
/// (<c>urls</c>, relative to the repository or absolute), whose <c>&lt;chart&gt;/values.yaml</c> and
/// <c>&lt;chart&gt;/values.schema.json</c> are read from the gzipped tar (helm/helm pkg/chart/loader). Packages never
/// change for a version, so each is read once (bounded): a singleton, which asks the HTTP client factory for a client
/// per download so its connections are recycled like every other client's.
/// </summary>
public sealed class HelmChartPackageSource(IHttpClientFactory clients, IOptions<RegistriesOptions> options) : IChartPackageSource
{
    /// <summary>The name of the HTTP client the package downloads use.</summary>
    public const string ClientName = "Gantry.Registries.HelmChartPackages";

    private const int MaxKept = 256;
    private readonly Core.Caching.BoundedCache<string, ChartPackage> _packages = new(MaxKept, StringComparer.Ordinal);

    public async Task<ChartPackage> GetAsync(ChartSource chart, string version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var key = $"{chart.Repository}\n{chart.Name}\n{version}";
        if (_packages.TryGetValue(key, out var kept))
        {
            return kept;
        }

        if (!Uri.TryCreate(chart.Repository.TrimEnd('/') + "/", UriKind.Absolute, out var repository) || repository.Scheme is not ("http" or "https"))
        {
            throw new TagSourceException(chart.Repository, "chart packages are read from http(s) Helm repositories only");
        }

        var source = $"helm repository {repository.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)} chart {chart.Name} {version}";
        var index = YamlJson.Parse(Encoding.UTF8.GetString(await DownloadAsync(new Uri(repository, "index.yaml"), source, cancellationToken)));
        var entry = (index?["entries"]?[chart.Name] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(e => e["version"] is JsonValue v && v.TryGetValue<string>(out var text) && text == version);
        var url = (entry?["urls"] as JsonArray)?.FirstOrDefault() is JsonValue u && u.TryGetValue<string>(out var link) ? link : null;
        if (url is null || !Uri.TryCreate(repository, url, out var package) || package.Scheme is not ("http" or "https"))
        {
            throw new TagSourceException(source, "index.yaml lists no package URL for this version") { StatusCode = 404 };
        }

        return _packages.Set(key, Read(await DownloadAsync(package, source, cancellationToken), chart.Name, source));
    }

    private static ChartPackage Read(byte[] package, string chart, string source)
    {
        JsonObject values = [];
        JsonObject? schema = null;
        try
        {
            using var tar = new TarReader(new GZipStream(new MemoryStream(package), CompressionMode.Decompress));
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null || entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                {
                    continue;
                }

                using var reader = new StreamReader(entry.DataStream, Encoding.UTF8);
                if (entry.Name == $"{chart}/values.yaml")
                {
                    values = YamlJson.Parse(reader.ReadToEnd()) as JsonObject ?? [];
                }
                else if (entry.Name == $"{chart}/values.schema.json")
                {
                    // The same rules as any JSON Gantry reads from outside: one value, no duplicate keys, bounded depth.
                    schema = JsonInput.Parse(reader.ReadToEnd()) as JsonObject
                        ?? throw new TagSourceException(source, "values.schema.json is not a JSON object");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or YamlReadException or JsonInputException or System.Text.Json.JsonException)
        {
            throw new TagSourceException(source, $"the chart package could not be read: {e.Message}", e);
        }

        return new ChartPackage(values, schema);
    }

    private async Task<byte[]> DownloadAsync(Uri uri, string source, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (options.Value.FindCredential(uri) is { } credential)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));
        }

        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new TagSourceException(source, $"{uri.AbsolutePath} answered {(int)response.StatusCode}") { StatusCode = (int)response.StatusCode };
            }

            return await BoundedContent.ReadAsync(response, options.Value.MaxResponseBytes, source, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new TagSourceException(source, $"could not be reached: {e.Message}", e);
        }
    }
}
