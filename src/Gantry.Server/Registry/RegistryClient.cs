using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Registry;

/// <summary>A manifest in a repository: its digest, the tags naming it, and its creation time when it says.</summary>
public sealed record RegistryManifest(string Digest, IReadOnlyList<string> Tags, DateTimeOffset? Created);

/// <summary>The registry refused or failed a request the sweep made.</summary>
public sealed class RegistryRequestException(string message) : Exception(message);

/// <summary>
/// Gantry's own calls to the registry for the retention sweep (distribution-spec "Content discovery" and "Content
/// management"): the catalog, tags, manifests and manifest deletes, each with a token Gantry signs for itself.
/// </summary>
public sealed class RegistryClient(HttpClient http, RegistryTokenSigner signer, IOptions<RegistryOptions> options)
{
    /// <summary>The subject of Gantry's own tokens.</summary>
    public const string Subject = "gantry";

    private const string CreatedAnnotation = "org.opencontainers.image.created";
    private static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json",
    ];

    private Uri BaseUri => new(options.Value.Url!.TrimEnd('/') + "/");

    public async Task<IReadOnlyList<string>> ListRepositoriesAsync(CancellationToken cancellationToken)
    {
        var repositories = new List<string>();
        var next = "v2/_catalog?n=1000";
        while (next is not null)
        {
            using var response = await SendAsync(HttpMethod.Get, next, new RegistryScope("registry", "catalog", ["*"]), cancellationToken);
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            if (body.RootElement.TryGetProperty("repositories", out var names) && names.ValueKind == JsonValueKind.Array)
            {
                repositories.AddRange(names.EnumerateArray().Select(n => n.GetString()).OfType<string>());
            }

            next = NextPage(response);
        }

        return repositories;
    }

    /// <summary>The tagged manifests of a repository, grouped by digest.</summary>
    public async Task<IReadOnlyList<RegistryManifest>> ListManifestsAsync(string repository, CancellationToken cancellationToken)
    {
        var scope = new RegistryScope("repository", repository, ["pull"]);
        using var tagsResponse = await SendAsync(HttpMethod.Get, $"v2/{repository}/tags/list", scope, cancellationToken);
        using var tagsBody = await JsonDocument.ParseAsync(await tagsResponse.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        var tags = tagsBody.RootElement.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(t => t.GetString()).OfType<string>().ToList()
            : [];
        var manifests = new Dictionary<string, (List<string> Tags, DateTimeOffset? Created)>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            using var response = await SendAsync(HttpMethod.Get, $"v2/{repository}/manifests/{Uri.EscapeDataString(tag)}", scope, cancellationToken);
            var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : null;
            if (digest is null)
            {
                continue;
            }

            using var manifest = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            if (!manifests.TryGetValue(digest, out var entry))
            {
                entry = ([], Created(manifest.RootElement));
                manifests[digest] = entry;
            }

            entry.Tags.Add(tag);
        }

        return [.. manifests.Select(m => new RegistryManifest(m.Key, m.Value.Tags, m.Value.Created))];
    }

    public async Task DeleteManifestAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"v2/{repository}/manifests/{digest}", new RegistryScope("repository", repository, ["delete"]), cancellationToken);
    }

    /// <summary>Whether the registry holds the manifest now (a HEAD; 404 is no, any other refusal an exception).</summary>
    public async Task<bool> HasManifestAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        var path = $"v2/{repository}/manifests/{digest}";
        using var request = Request(HttpMethod.Head, path, new RegistryScope("repository", repository, ["pull"]));
        using var response = await http.SendAsync(request, cancellationToken);
        return response.StatusCode == System.Net.HttpStatusCode.NotFound ? false
            : response.IsSuccessStatusCode ? true
            : throw new RegistryRequestException($"HEAD {path} answered {(int)response.StatusCode}");
    }

    private HttpRequestMessage Request(HttpMethod method, string path, RegistryScope scope)
    {
        var request = new HttpRequestMessage(method, new Uri(BaseUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", signer.Sign(Subject, [scope]));
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.ParseAdd(type);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, RegistryScope scope, CancellationToken cancellationToken)
    {
        using var request = Request(method, path, scope);
        var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new RegistryRequestException($"{method} {path} answered {status}{(status == 405 ? " (does the registry allow deletes? storage.delete.enabled)" : string.Empty)}");
        }

        return response;
    }

    private static DateTimeOffset? Created(JsonElement manifest) =>
        manifest.ValueKind == JsonValueKind.Object
        && manifest.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object
        && annotations.TryGetProperty(CreatedAnnotation, out var created) && created.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(created.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;

    // RFC 5988 Link: </v2/_catalog?last=x&n=1000>; rel="next"
    private static string? NextPage(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        var link = links.First();
        var start = link.IndexOf('<', StringComparison.Ordinal);
        var end = link.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start && link.Contains("rel=\"next\"", StringComparison.Ordinal) ? link[(start + 1)..end].TrimStart('/') : null;
    }
}
