using Gantry.Core.Validation;

namespace Gantry.Core.Versions;

/// <summary>Where a service's or an offering's tags come from.</summary>
public enum TagSourceKind
{
    /// <summary>A list written in the catalog: the embedded default, no network.</summary>
    Static,

    /// <summary>An OCI registry's tag list (<c>GET /v2/&lt;name&gt;/tags/list</c>), also for <c>oci://</c> Helm charts.</summary>
    Oci,

    /// <summary>A Helm repository's <c>index.yaml</c>: the versions of one chart.</summary>
    Helm,
}

/// <summary>
/// A pointer to a list of tags. Credentials never live here (references end up in claims and Git);
/// the edges look them up by registry host in their own configuration.
/// </summary>
public sealed record TagSourceReference
{
    public required TagSourceKind Kind { get; init; }

    /// <summary>
    /// Oci: the registry (<c>https://registry.example.com</c>, <c>registry.example.com:5000</c>) or a whole reference
    /// <c>oci://host/path/chart</c>. Helm: the repository URL (<c>https://charts.example.com/stable</c>).
    /// </summary>
    public string? Url { get; init; }

    /// <summary>Oci: the repository name (<c>team/user-service</c>); optional when <see cref="Url"/> is an <c>oci://</c> reference.</summary>
    public string? Repository { get; init; }

    /// <summary>Helm: the chart whose versions are listed.</summary>
    public string? Chart { get; init; }

    /// <summary>Static: the tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    public static TagSourceReference Oci(string registry, string? repository = null) =>
        new() { Kind = TagSourceKind.Oci, Url = registry, Repository = repository };

    public static TagSourceReference Helm(string repositoryUrl, string chart) =>
        new() { Kind = TagSourceKind.Helm, Url = repositoryUrl, Chart = chart };

    public static TagSourceReference Static(params IReadOnlyList<string> tags) =>
        new() { Kind = TagSourceKind.Static, Tags = tags };

    /// <summary>Collects every missing or contradictory field under <paramref name="field"/>.</summary>
    public void Validate(string field, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        switch (Kind)
        {
            case TagSourceKind.Static when Tags is null:
                errors.Add($"{field}.tags", "a static source needs a list of tags");
                break;
            case TagSourceKind.Oci when string.IsNullOrWhiteSpace(Url):
                errors.Add($"{field}.url", "an OCI source needs a registry or an oci:// reference");
                break;
            case TagSourceKind.Oci when string.IsNullOrWhiteSpace(Repository) && !Url!.StartsWith("oci://", StringComparison.OrdinalIgnoreCase):
                errors.Add($"{field}.repository", "an OCI source needs a repository unless the url is an oci://host/path reference");
                break;
            case TagSourceKind.Helm:
                if (string.IsNullOrWhiteSpace(Url) || !Uri.TryCreate(Url, UriKind.Absolute, out _))
                {
                    errors.Add($"{field}.url", "a Helm source needs the repository's absolute URL");
                }

                if (string.IsNullOrWhiteSpace(Chart))
                {
                    errors.Add($"{field}.chart", "a Helm source needs a chart name");
                }

                break;
        }
    }

    /// <summary>A short description for logs and errors: never carries credentials.</summary>
    public override string ToString() => Kind switch
    {
        TagSourceKind.Static => $"static ({Tags?.Count ?? 0} tags)",
        TagSourceKind.Helm => $"helm {WithoutUserInfo(Url)} chart {Chart}",
        _ => Repository is null ? $"oci {WithoutUserInfo(Url)}" : $"oci {WithoutUserInfo(Url)} repository {Repository}",
    };

    // A URL written as https://user:password@host must not carry the password into a message.
    private static string? WithoutUserInfo(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? url!.Replace(uri.UserInfo + "@", string.Empty, StringComparison.Ordinal)
            : url;
}
