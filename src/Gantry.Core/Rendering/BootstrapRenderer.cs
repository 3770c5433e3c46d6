using System.Text.Json.Nodes;
using Gantry.Core.Catalog;
using Gantry.Core.Yaml;
using static Gantry.Core.Rendering.Manifests;

namespace Gantry.Core.Rendering;

/// <summary>Where a cluster finds the desired-state repository: its clone URL, branch, and an optional credentials Secret.</summary>
public sealed record BootstrapSource
{
    public required string RepositoryUrl { get; init; }

    public string Branch { get; init; } = "main";

    /// <summary>The name of a Secret (in flux-system, or an Argo CD repository Secret) with the credentials; null for none.</summary>
    public string? SecretName { get; init; }
}

/// <summary>
/// The manifests a platform team applies once to a cluster so that its GitOps engine follows Gantry's repository.
/// Flux: a GitRepository and one Kustomization over the tenant index. Argo CD: a platform project and an
/// ApplicationSet whose Git directory generator makes one app-of-apps per tenant folder, so new tenants appear
/// without touching the cluster again.
/// </summary>
public static class BootstrapRenderer
{
    public const string Name = "gantry";

    public static string Render(GitOpsEngine engine, BootstrapSource source) => engine switch
    {
        GitOpsEngine.Flux => YamlWriter.WriteAll(Flux(source)),
        GitOpsEngine.ArgoCd => YamlWriter.WriteAll(ArgoCd(source)),
        _ => throw new ArgumentOutOfRangeException(nameof(engine)),
    };

    private static IEnumerable<JsonNode?> Flux(BootstrapSource source)
    {
        var labels = new JsonObject { ["app.kubernetes.io/managed-by"] = ManagedBy };
        var gitSpec = new JsonObject
        {
            ["interval"] = "1m",
            ["url"] = source.RepositoryUrl,
            ["ref"] = new JsonObject { ["branch"] = source.Branch },
        };
        if (source.SecretName is not null)
        {
            gitSpec["secretRef"] = new JsonObject { ["name"] = source.SecretName };
        }

        yield return Object("source.toolkit.fluxcd.io/v1", "GitRepository", Name, "flux-system", labels, gitSpec);
        yield return Object("kustomize.toolkit.fluxcd.io/v1", "Kustomization", $"{Name}-tenants", "flux-system", labels.DeepClone().AsObject(), new JsonObject
        {
            ["interval"] = "10m",
            ["retryInterval"] = "1m",
            ["timeout"] = "5m",
            ["sourceRef"] = new JsonObject { ["kind"] = "GitRepository", ["name"] = Name },
            ["path"] = "./" + GitOpsLayout.FluxClusterIndex[..GitOpsLayout.FluxClusterIndex.LastIndexOf('/')],
            ["prune"] = true,
        });
    }

    private static IEnumerable<JsonNode?> ArgoCd(BootstrapSource source)
    {
        var labels = new JsonObject { ["app.kubernetes.io/managed-by"] = ManagedBy };
        yield return Object("argoproj.io/v1alpha1", "AppProject", $"{Name}-platform", ArgoCdRenderer.ArgoCdNamespace, labels, new JsonObject
        {
            ["description"] = "Gantry's per-tenant app-of-apps: they may only create tenant projects, applications and the instances' sealed secrets",
            ["sourceRepos"] = Array(JsonValue.Create(source.RepositoryUrl)),
            // Any namespace of this cluster: an instance's SealedSecret goes to the instance's namespace, which a
            // pattern cannot foresee. The kinds below stay the limit: no workload, no plain Secret, nothing cluster-wide.
            ["destinations"] = Array(new JsonObject
            {
                ["server"] = ArgoCdRenderer.InClusterServer,
                ["namespace"] = "*",
            }),
            ["clusterResourceWhitelist"] = new JsonArray(),
            ["namespaceResourceWhitelist"] = Array(
                new JsonObject { ["group"] = "argoproj.io", ["kind"] = "AppProject" },
                new JsonObject { ["group"] = "argoproj.io", ["kind"] = "Application" },
                new JsonObject { ["group"] = "bitnami.com", ["kind"] = "SealedSecret" }),
        });

        var tenant = $"{{{{ index .path.segments {GitOpsLayout.ArgoCdFolderTenantSegment} }}}}";
        yield return Object("argoproj.io/v1alpha1", "ApplicationSet", $"{Name}-tenants", ArgoCdRenderer.ArgoCdNamespace, labels.DeepClone().AsObject(), new JsonObject
        {
            ["goTemplate"] = true,
            ["goTemplateOptions"] = Array(JsonValue.Create("missingkey=error")),
            ["generators"] = Array(new JsonObject
            {
                ["git"] = new JsonObject
                {
                    ["repoURL"] = source.RepositoryUrl,
                    ["revision"] = source.Branch,
                    ["directories"] = Array(new JsonObject { ["path"] = GitOpsLayout.ArgoCdFolderGlob }),
                },
            }),
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = $"{Name}-tenant-{tenant}",
                    ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = ManagedBy, ["gantry.dev/tenant"] = tenant },
                },
                ["spec"] = new JsonObject
                {
                    ["project"] = $"{Name}-platform",
                    ["source"] = new JsonObject
                    {
                        ["repoURL"] = source.RepositoryUrl,
                        ["targetRevision"] = source.Branch,
                        ["path"] = "{{ .path.path }}",
                    },
                    ["destination"] = new JsonObject
                    {
                        ["server"] = ArgoCdRenderer.InClusterServer,
                        ["namespace"] = ArgoCdRenderer.ArgoCdNamespace,
                    },
                    ["syncPolicy"] = new JsonObject
                    {
                        ["automated"] = new JsonObject { ["prune"] = true, ["selfHeal"] = true },
                        // A new instance's SealedSecret waits for its namespace, which the instance's own Application
                        // creates: retry until it is there instead of leaving the sync failed.
                        ["retry"] = new JsonObject
                        {
                            ["limit"] = 10,
                            ["backoff"] = new JsonObject { ["duration"] = "10s", ["factor"] = 2, ["maxDuration"] = "3m" },
                        },
                    },
                },
            },
        });
    }
}
