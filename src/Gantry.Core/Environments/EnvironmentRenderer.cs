using System.Text;
using System.Text.Json.Nodes;
using Gantry.Core.Status;
using Gantry.Core.Yaml;
using static Gantry.Core.Rendering.Manifests;

namespace Gantry.Core.Environments;

/// <summary>
/// Renders one environment for Flux, pure: its namespace, one source per service (a <c>HelmRepository</c> for a
/// chart, a <c>GitRepository</c> for a Kustomize folder) and per service a <c>HelmRelease</c> or a
/// <c>Kustomization</c> in the environment's namespace, tied together by a <c>kustomization.yaml</c>. The type
/// policy flows in as the replica count (HA) and the add-ons (<see cref="EnvironmentAddOnRenderer"/>), each
/// service's node pool as node selector, tolerations and (for GPU pools) resource requests; dependencies become
/// Flux <c>dependsOn</c> between services of the same kind.
/// </summary>
public static class EnvironmentRenderer
{
    /// <summary>
    /// The files of the environment folder, by path relative to it. Throws <see cref="InvalidOperationException"/>
    /// when a service is not resolved or not in the catalog: only a validated, resolved claim is rendered.
    /// </summary>
    public static IReadOnlyDictionary<string, byte[]> Render(EnvironmentClaim claim, ServiceCatalog catalog, EnvironmentPolicies policies)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(policies);
        var type = policies.Type(claim.EnvironmentType) ?? throw new InvalidOperationException($"unknown environment type '{claim.EnvironmentType}'");
        var services = claim.Services.OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => (Claimed: s, Definition: catalog.Find(s.Name) ?? throw new InvalidOperationException($"service '{s.Name}' is not in the catalog")))
            .ToList();

        var addOns = EnvironmentAddOnRenderer.Render(claim, policies, service => Labels(claim, service));
        var files = new SortedDictionary<string, byte[]>(addOns.Files.ToDictionary(), StringComparer.Ordinal)
        {
            ["namespace.yaml"] = Utf8(YamlWriter.Write(Namespace(claim, policies))),
            ["sources.yaml"] = Utf8(YamlWriter.WriteAll(services.Select(s => (JsonNode?)Source(claim, s.Definition)))),
        };
        var resources = new List<string> { "namespace.yaml", EnvironmentAddOnRenderer.EndpointsFile };
        resources.AddRange(addOns.Files.Keys.Where(k => k != EnvironmentAddOnRenderer.EndpointsFile));
        resources.Add("sources.yaml");
        foreach (var (claimed, definition) in services)
        {
            var tag = claimed.ResolvedVersion ?? throw new InvalidOperationException($"service '{claimed.Name}' has no resolved version");
            var nodePool = claimed.NodePool ?? definition.NodePool;
            var placement = new Placement(claim.EnvironmentName, type.Replicas,
                policies.NodePool(nodePool) ?? throw new InvalidOperationException($"service '{claimed.Name}': unknown node pool '{nodePool}'"));
            var dependsOn = definition.Dependencies
                .Where(d => services.Any(s => s.Definition.Name == d && (s.Definition.Chart is null) == (definition.Chart is null)))
                .Order(StringComparer.Ordinal)
                .Select(d => (JsonNode)new JsonObject { ["name"] = d })
                .ToArray();
            var manifest = definition.Chart is not null
                ? HelmRelease(claim, claimed, definition, tag, placement, [.. dependsOn, .. addOns.Releases.Select(r => (JsonNode)new JsonObject { ["name"] = r })])
                : FluxKustomization(claim, claimed, definition, tag, placement, dependsOn);
            // An engine's event about the service names the environment, the service and the version it deploys (Flux
            // forwards event.toolkit.fluxcd.io/ annotations as event metadata): what Gantry's status reads.
            Annotate(manifest,
                (StatusAnnotations.FluxAnnotation(StatusAnnotations.TenantKey), claim.EnvironmentPool),
                (StatusAnnotations.FluxAnnotation(StatusAnnotations.EnvironmentKey), claim.EnvironmentName),
                (StatusAnnotations.FluxAnnotation(StatusAnnotations.ServiceKey), definition.Name),
                (StatusAnnotations.FluxAnnotation(StatusAnnotations.VersionKey), tag));
            var path = $"services/{definition.Name}.yaml";
            files[path] = Utf8(YamlWriter.Write(manifest));
            resources.Add(path);
        }

        // Not listed in the folder's kustomization: the management cluster applies platform/ (a dedicated cluster).
        foreach (var (path, content) in EnvironmentClusterRenderer.Render(claim, policies, Labels(claim)))
        {
            files[path] = content;
        }

        files[StatusAlertFile] = Utf8(YamlWriter.Write(StatusAlert(claim)));
        resources.Add(StatusAlertFile);
        files["kustomization.yaml"] = Utf8(YamlWriter.Write(Kustomization(resources)));
        return files;
    }

    // The namespace says what the edge in front of it must do: the DNS name it answers to and whether the WAF guards it.
    private static JsonObject Namespace(EnvironmentClaim claim, EnvironmentPolicies policies)
    {
        var ns = Object("v1", "Namespace", claim.EnvironmentName, null, Labels(claim));
        if (policies.DnsNameOf(claim) is { } dnsName)
        {
            Annotate(ns, ("gantry.dev/dns-name", dnsName));
        }

        if (policies.Type(claim.EnvironmentType)?.EdgeProtection == true)
        {
            Annotate(ns, ("gantry.dev/waf", "enabled"));
        }

        return ns;
    }

    /// <summary>The file of the environment's status Alert.</summary>
    public const string StatusAlertFile = "status-alert.yaml";

    /// <summary>
    /// Sends the events of the environment's services to Gantry through the cluster's <c>gantry</c> Provider (its
    /// cluster setup). It lives in flux-system beside that Provider, since an Alert names a Provider of its own
    /// namespace, and follows the environment's namespace: Flux Alerts take no namespace wildcard, and the tenant
    /// namespaces the setup's Alert follows are not where environments run.
    /// </summary>
    private static JsonObject StatusAlert(EnvironmentClaim claim) =>
        Object("notification.toolkit.fluxcd.io/v1beta3", "Alert", $"gantry-env-{claim.EnvironmentName}", ClusterSetupRenderer.FluxNamespace, Labels(claim), new JsonObject
        {
            ["providerRef"] = new JsonObject { ["name"] = ClusterSetupRenderer.Name },
            ["eventSeverity"] = "info",
            ["eventSources"] = new JsonArray(
                new JsonObject { ["kind"] = "HelmRelease", ["name"] = "*", ["namespace"] = claim.EnvironmentName },
                new JsonObject { ["kind"] = "Kustomization", ["name"] = "*", ["namespace"] = claim.EnvironmentName }),
        });

    private sealed record Placement(string Namespace, int Replicas, NodePoolPolicy Pool)
    {
        /// <summary>The pool's extended resources as container limits (for these, requests default to limits); null for none.</summary>
        public JsonObject? Resources()
        {
            if (Pool.Resources.Count == 0)
            {
                return null;
            }

            var limits = new JsonObject();
            foreach (var (name, quantity) in Pool.Resources.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                limits[name] = quantity;
            }

            return new JsonObject { ["limits"] = limits };
        }

        public JsonObject NodeSelector()
        {
            var selector = new JsonObject();
            foreach (var (key, value) in Pool.NodeSelector.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                selector[key] = value;
            }

            return selector;
        }

        public JsonArray Tolerations() => new(Pool.Tolerations.Select(t =>
        {
            var toleration = new JsonObject { ["key"] = t.Key, ["operator"] = t.Operator };
            if (t.Value is not null)
            {
                toleration["value"] = t.Value;
            }

            toleration["effect"] = t.Effect;
            return (JsonNode)toleration;
        }).ToArray());
    }

    private static JsonObject Source(EnvironmentClaim claim, ServiceDefinition service)
    {
        if (service.Chart is { } chart)
        {
            var spec = new JsonObject { ["interval"] = "1h", ["url"] = chart.Repository };
            if (chart.IsOci)
            {
                spec["type"] = "oci";
            }

            return Object("source.toolkit.fluxcd.io/v1", "HelmRepository", service.Name, claim.EnvironmentName, Labels(claim, service.Name), spec);
        }

        var kustomize = service.Kustomize!;
        return Object("source.toolkit.fluxcd.io/v1", "GitRepository", service.Name, claim.EnvironmentName, Labels(claim, service.Name), new JsonObject
        {
            ["interval"] = "5m",
            ["url"] = kustomize.Repository,
            ["ref"] = new JsonObject { ["branch"] = kustomize.Branch },
        });
    }

    private static JsonObject HelmRelease(EnvironmentClaim claim, EnvironmentService claimed, ServiceDefinition service, string tag, Placement placement, JsonNode[] dependsOn)
    {
        var chart = service.Chart!;
        var values = new JsonObject
        {
            ["replicaCount"] = placement.Replicas,
            ["image"] = new JsonObject { ["repository"] = claimed.DockerImage ?? service.Image, ["tag"] = tag },
            ["nodeSelector"] = placement.NodeSelector(),
            ["tolerations"] = placement.Tolerations(),
            ["envFrom"] = EnvironmentAddOnRenderer.EnvFrom(),
        };
        if (placement.Resources() is { } resources)
        {
            values["resources"] = resources;
        }

        if (claimed.AnsibleArtifact is not null)
        {
            values["ansibleArtifact"] = claimed.AnsibleArtifact;
        }

        var spec = new JsonObject
        {
            ["interval"] = "10m",
            ["releaseName"] = service.Name,
            ["chart"] = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["chart"] = chart.Name,
                    ["version"] = chart.Version,
                    ["sourceRef"] = new JsonObject { ["kind"] = "HelmRepository", ["name"] = service.Name },
                    ["interval"] = "1h",
                },
            },
            ["install"] = new JsonObject { ["remediation"] = new JsonObject { ["retries"] = 3 } },
            ["upgrade"] = new JsonObject { ["remediation"] = new JsonObject { ["retries"] = 3 } },
            ["values"] = values,
        };
        if (dependsOn.Length > 0)
        {
            spec["dependsOn"] = new JsonArray(dependsOn);
        }

        return Object("helm.toolkit.fluxcd.io/v2", "HelmRelease", service.Name, placement.Namespace, Labels(claim, service.Name), spec);
    }

    private static JsonObject FluxKustomization(EnvironmentClaim claim, EnvironmentService claimed, ServiceDefinition service, string tag, Placement placement, JsonNode[] dependsOn)
    {
        var image = new JsonObject { ["name"] = service.Image };
        if (claimed.DockerImage is not null)
        {
            image["newName"] = claimed.DockerImage;
        }

        image["newTag"] = tag;

        // JSON 6902 operations on every Deployment of the folder: the type's replicas, the node pool's placement and
        // the platform endpoints as the first container's environment. A pool's extended resources (a GPU) set the
        // first container's resources. JSON 6902 cannot add a key to a map that may not exist, so both replace what
        // the folder set there. (A Flux Kustomization cannot dependsOn a HelmRelease: these do not wait for dedicated
        // add-ons.)
        var operations = new JsonArray(
            new JsonObject { ["op"] = "add", ["path"] = "/spec/replicas", ["value"] = placement.Replicas },
            new JsonObject { ["op"] = "add", ["path"] = "/spec/template/spec/nodeSelector", ["value"] = placement.NodeSelector() },
            new JsonObject { ["op"] = "add", ["path"] = "/spec/template/spec/tolerations", ["value"] = placement.Tolerations() },
            new JsonObject { ["op"] = "add", ["path"] = "/spec/template/spec/containers/0/envFrom", ["value"] = EnvironmentAddOnRenderer.EnvFrom() });
        if (placement.Resources() is { } resources)
        {
            operations.Add(new JsonObject { ["op"] = "add", ["path"] = "/spec/template/spec/containers/0/resources", ["value"] = resources });
        }
        var spec = new JsonObject
        {
            ["interval"] = "10m",
            ["path"] = service.Kustomize!.Path,
            ["prune"] = true,
            ["sourceRef"] = new JsonObject { ["kind"] = "GitRepository", ["name"] = service.Name },
            ["targetNamespace"] = placement.Namespace,
            ["images"] = new JsonArray(image),
            ["patches"] = new JsonArray(new JsonObject
            {
                ["target"] = new JsonObject { ["kind"] = "Deployment" },
                ["patch"] = YamlWriter.Write(operations),
            }),
        };
        if (dependsOn.Length > 0)
        {
            spec["dependsOn"] = new JsonArray(dependsOn);
        }

        return Object("kustomize.toolkit.fluxcd.io/v1", "Kustomization", service.Name, placement.Namespace, Labels(claim, service.Name), spec);
    }

    private static JsonObject Labels(EnvironmentClaim claim, string? service = null)
    {
        var labels = new JsonObject
        {
            ["app.kubernetes.io/managed-by"] = "gantry",
            ["gantry.dev/environment"] = claim.EnvironmentName,
            ["gantry.dev/environment-type"] = claim.EnvironmentType,
            ["gantry.dev/pool"] = claim.EnvironmentPool,
        };
        if (service is not null)
        {
            labels["gantry.dev/service"] = service;
        }

        return labels;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
