using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gantry.Core.Catalog;
using Gantry.Core.Status;
using Gantry.Core.Yaml;

namespace Gantry.Testing.Engines;

/// <summary>
/// One object the engine reconciles, read from a file at the branch head: a Flux HelmRelease
/// (<c>tenants/…/&lt;tenant&gt;/flux/releases/&lt;instance&gt;/helmrelease.yaml</c>) or an Argo CD Application
/// (<c>tenants/…/&lt;tenant&gt;/argocd/applications/&lt;instance&gt;.yaml</c>), the layout of Gantry.Core GitOpsLayout.
/// </summary>
internal sealed partial record DesiredObject
{
    public required string ApiVersion { get; init; }

    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public required string Tenant { get; init; }

    public required string Instance { get; init; }

    /// <summary>The generation annotation, as text; null when the object has none.</summary>
    public string? Generation { get; init; }

    /// <summary>Flux: spec.chart.spec.version; Argo CD: spec.source.targetRevision.</summary>
    public string? ChartVersion { get; init; }

    public string? ChartName { get; init; }

    /// <summary>Flux: where Helm installs the release (spec.targetNamespace, else the object's namespace).</summary>
    public required string ReleaseNamespace { get; init; }

    public required string ReleaseName { get; init; }

    /// <summary>Flux: the <c>event.toolkit.fluxcd.io/</c> annotations, prefix stripped, as notification-controller forwards them.</summary>
    public IReadOnlyDictionary<string, string> EventMetadata { get; init; } = new Dictionary<string, string>();

    public (string Namespace, string Name) Key => (Namespace, Name);

    /// <summary>The tenant and instance a path names, when it is one of the engine's files.</summary>
    public static (string Tenant, string Instance)? Match(GitOpsEngine engine, string path)
    {
        var match = (engine == GitOpsEngine.Flux ? FluxPath() : ArgoCdPath()).Match(path);
        return match.Success ? (match.Groups["tenant"].Value, match.Groups["instance"].Value) : null;
    }

    /// <summary>Reads the object, or null when the file is not the kind the engine applies (or not YAML it can read).</summary>
    public static DesiredObject? Read(GitOpsEngine engine, string yaml, string pathTenant, string pathInstance)
    {
        JsonNode? root;
        try
        {
            root = YamlJson.Parse(yaml);
        }
        catch (YamlReadException)
        {
            return null; // a real engine would fail to apply it; Gantry never writes such a file
        }

        var metadata = root?["metadata"];
        var annotations = metadata?["annotations"] as JsonObject;
        var name = Text(metadata?["name"]);
        if (root is null || name is null)
        {
            return null;
        }

        return engine == GitOpsEngine.Flux
            ? ReadHelmRelease(root, name, annotations, pathTenant, pathInstance)
            : ReadApplication(root, name, annotations, pathTenant, pathInstance);
    }

    private static DesiredObject? ReadHelmRelease(JsonNode root, string name, JsonObject? annotations, string tenant, string instance)
    {
        if (Text(root["kind"]) != "HelmRelease")
        {
            return null;
        }

        var ns = Text(root["metadata"]?["namespace"]) ?? tenant;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in annotations ?? [])
        {
            if (key.StartsWith(StatusAnnotations.FluxEventPrefix, StringComparison.Ordinal) && Text(value) is { } text)
            {
                metadata[key[StatusAnnotations.FluxEventPrefix.Length..]] = text;
            }
        }

        var chart = root["spec"]?["chart"]?["spec"];
        return new DesiredObject
        {
            ApiVersion = Text(root["apiVersion"]) ?? "helm.toolkit.fluxcd.io/v2",
            Namespace = ns,
            Name = name,
            Tenant = metadata.GetValueOrDefault(StatusAnnotations.TenantKey) ?? tenant,
            Instance = metadata.GetValueOrDefault(StatusAnnotations.InstanceKey) ?? instance,
            Generation = metadata.GetValueOrDefault(StatusAnnotations.GenerationKey),
            ChartVersion = Text(chart?["version"]),
            ChartName = Text(chart?["chart"]),
            ReleaseNamespace = Text(root["spec"]?["targetNamespace"]) ?? ns,
            ReleaseName = Text(root["spec"]?["releaseName"]) ?? name,
            EventMetadata = metadata,
        };
    }

    private static DesiredObject? ReadApplication(JsonNode root, string name, JsonObject? annotations, string tenant, string instance)
    {
        if (Text(root["kind"]) != "Application")
        {
            return null;
        }

        var source = root["spec"]?["source"];
        return new DesiredObject
        {
            ApiVersion = Text(root["apiVersion"]) ?? "argoproj.io/v1alpha1",
            Namespace = Text(root["metadata"]?["namespace"]) ?? "argocd",
            Name = name,
            Tenant = Text(annotations?[StatusAnnotations.TenantAnnotation]) ?? tenant,
            Instance = Text(annotations?[StatusAnnotations.InstanceAnnotation]) ?? instance,
            Generation = Text(annotations?[StatusAnnotations.GenerationAnnotation]),
            ChartVersion = Text(source?["targetRevision"]),
            ChartName = Text(source?["chart"]),
            ReleaseNamespace = Text(root["spec"]?["destination"]?["namespace"]) ?? "default",
            ReleaseName = Text(source?["helm"]?["releaseName"]) ?? name,
        };
    }

    // Annotations are strings, but a hand-written file may leave a number unquoted; the engine reads it as its text.
    private static string? Text(JsonNode? node) =>
        node is JsonValue value ? (value.TryGetValue<string>(out var text) ? text : value.ToJsonString()) : null;

    [GeneratedRegex(@"^tenants/(?:.+/)?(?<tenant>[^/]+)/flux/releases/(?<instance>[^/]+)/helmrelease\.yaml$")]
    private static partial Regex FluxPath();

    [GeneratedRegex(@"^tenants/(?:.+/)?(?<tenant>[^/]+)/argocd/applications/(?<instance>[^/]+)\.yaml$")]
    private static partial Regex ArgoCdPath();
}
