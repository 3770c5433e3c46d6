using Gantry.Core.Versions;

namespace Gantry.Registries;

/// <summary>Where an OCI repository lives: the registry's base URI and the repository name.</summary>
internal sealed record OciRepositoryAddress(Uri Registry, string Repository)
{
    /// <summary>Names the registry and repository for errors and logs.</summary>
    public string Describe() => $"registry {Registry.Authority} repository {Repository}";

    public Uri TagsListUri(int pageSize) => new(Registry, $"/v2/{Repository}/tags/list?n={pageSize}");

    /// <summary>
    /// Reads <c>oci://host/path/chart</c> (Helm chart reference), <c>https://host[:port]</c> or <c>host[:port]</c> plus
    /// <see cref="TagSourceReference.Repository"/>. Without a scheme, HTTPS unless the host is a plain-HTTP host.
    /// </summary>
    public static OciRepositoryAddress From(TagSourceReference reference, RegistriesOptions options)
    {
        var url = reference.Url?.Trim() ?? throw new ArgumentException("An OCI source needs a url.", nameof(reference));
        var repository = reference.Repository?.Trim('/');
        string authority;
        string? scheme = null;

        if (url.StartsWith("oci://", StringComparison.OrdinalIgnoreCase))
        {
            var rest = url["oci://".Length..].Trim('/');
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            authority = slash < 0 ? rest : rest[..slash];
            var path = slash < 0 ? null : rest[(slash + 1)..];
            repository = (path, repository) switch
            {
                ({ Length: > 0 }, { Length: > 0 }) => $"{path}/{repository}",
                ({ Length: > 0 }, _) => path,
                _ => repository,
            };
        }
        else if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            scheme = absolute.Scheme;
            authority = absolute.Authority;
        }
        else
        {
            authority = url.TrimEnd('/');
        }

        if (string.IsNullOrEmpty(repository))
        {
            throw new ArgumentException($"OCI source {url} names no repository.", nameof(reference));
        }

        // Docker Hub: the API lives at registry-1.docker.io and official images sit under library/ (docker/distribution reference normalize.go).
        if (authority is "docker.io" or "index.docker.io")
        {
            authority = "registry-1.docker.io";
            repository = repository.Contains('/', StringComparison.Ordinal) ? repository : "library/" + repository;
        }

        scheme ??= options.UsesPlainHttp(authority) ? "http" : "https";
        if (!Uri.TryCreate($"{scheme}://{authority}/", UriKind.Absolute, out var registry) || registry.AbsolutePath != "/")
        {
            throw new ArgumentException($"OCI source {url} is not a registry address.", nameof(reference));
        }

        return new OciRepositoryAddress(registry, repository);
    }
}
