using System.Text.Json.Nodes;
using Gantry.Core.Catalog;
using Gantry.Core.Instances;
using Gantry.Core.Status;
using Gantry.Core.Yaml;
using static Gantry.Core.Rendering.Manifests;

namespace Gantry.Core.Rendering;

/// <summary>
/// Renders a tenant's Flux instances: the tenant namespace and each target namespace, a service account that
/// helm-controller impersonates (Flux multi-tenancy lockdown: a chart can only touch the tenant's namespaces), one
/// chart source per offering, and per instance a HelmRelease whose values come from a ConfigMap that a
/// kustomize configMapGenerator makes from <c>values.yaml</c> (the runner design's values_override.yaml).
/// </summary>
internal static class FluxRenderer
{
    public const string ServiceAccount = "gantry-reconciler";

    // The ConfigMap's generated name carries a content hash; this tells kustomize to rewrite the HelmRelease's
    // reference too, so a values change is a new ConfigMap and a new HelmRelease spec (fluxcd.io docs, "valuesFrom").
    private static readonly JsonObject KustomizeConfig = new()
    {
        ["nameReference"] = Array(
            new JsonObject
            {
                ["kind"] = "ConfigMap",
                ["version"] = "v1",
                ["fieldSpecs"] = Array(new JsonObject { ["path"] = "spec/valuesFrom/name", ["kind"] = "HelmRelease" }),
            }),
    };

    /// <summary>
    /// Renders the tenant's shared Flux files: namespaces, lockdown, one chart source per offering and the
    /// kustomization listing each instance's release folder. They read only each instance's name, namespace, offering
    /// and whether it has sealed values.
    /// </summary>
    public static void RenderShared(string tenant, IReadOnlyList<InstanceOutline> instances, IDictionary<string, byte[]> files)
    {
        var root = GitOpsLayout.FluxRoot(tenant);
        var namespaces = instances.Select(i => i.Namespace).Prepend(tenant).Distinct(StringComparer.Ordinal).ToList();

        files[$"{root}/namespaces.yaml"] = YamlWriter.WriteAllUtf8(namespaces.Select(ns => (JsonNode?)Object("v1", "Namespace", ns, null,
            Labels(tenant).With("toolkit.fluxcd.io/tenant", tenant))));
        files[$"{root}/rbac.yaml"] = YamlWriter.WriteAllUtf8(Rbac(tenant, namespaces));

        var offerings = instances.Select(i => i.Offering).DistinctBy(o => o.Name).OrderBy(o => o.Name, StringComparer.Ordinal).ToList();
        var resources = new List<string> { "namespaces.yaml", "rbac.yaml" };
        if (offerings.Count > 0)
        {
            files[$"{root}/sources.yaml"] = YamlWriter.WriteAllUtf8(offerings.Select(o => (JsonNode?)Source(tenant, o)));
            resources.Add("sources.yaml");
        }

        resources.AddRange(instances.Select(i => $"releases/{i.Name}").Order(StringComparer.Ordinal));
        files[$"{root}/kustomization.yaml"] = YamlWriter.WriteUtf8(Kustomization(resources));
    }

    private static IEnumerable<JsonNode?> Rbac(string tenant, IEnumerable<string> namespaces)
    {
        yield return Object("v1", "ServiceAccount", ServiceAccount, tenant, Labels(tenant));
        foreach (var ns in namespaces)
        {
            var binding = Object("rbac.authorization.k8s.io/v1", "RoleBinding", ServiceAccount, ns, Labels(tenant));
            binding["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = "admin" };
            binding["subjects"] = Array(new JsonObject { ["kind"] = "ServiceAccount", ["name"] = ServiceAccount, ["namespace"] = tenant });
            yield return binding;
        }
    }

    private static JsonObject Source(string tenant, Offering offering)
    {
        var spec = new JsonObject { ["interval"] = "1h", ["url"] = offering.Chart.Repository };
        if (offering.Chart.IsOci)
        {
            spec["type"] = "oci";
        }

        return Object("source.toolkit.fluxcd.io/v1", "HelmRepository", offering.Name, tenant, Labels(tenant, offering: offering.Name), spec);
    }

    /// <summary>Renders one instance's release folder: HelmRelease, values, their kustomization, and its SealedSecret.</summary>
    public static void RenderInstance(string tenant, RenderedInstance instance, IDictionary<string, byte[]> files)
    {
        var (claim, offering) = (instance.Claim, instance.Offering);
        var folder = GitOpsLayout.FluxRelease(tenant, claim.Name);
        var valuesName = $"{claim.Name}-values";

        var release = Object("helm.toolkit.fluxcd.io/v2", "HelmRelease", claim.Name, tenant, Labels(tenant, claim.Name, offering.Name), new JsonObject
        {
            ["interval"] = "10m",
            ["releaseName"] = claim.Name,
            ["targetNamespace"] = claim.Namespace,
            ["storageNamespace"] = claim.Namespace,
            ["serviceAccountName"] = ServiceAccount,
            ["chart"] = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["chart"] = offering.Chart.Name,
                    ["version"] = claim.ChartVersion,
                    ["sourceRef"] = new JsonObject { ["kind"] = "HelmRepository", ["name"] = offering.Name },
                    ["interval"] = "1h",
                },
            },
            ["install"] = new JsonObject { ["remediation"] = new JsonObject { ["retries"] = 3 } },
            ["upgrade"] = new JsonObject
            {
                ["cleanupOnFail"] = true,
                ["remediation"] = new JsonObject { ["retries"] = 3, ["remediateLastFailure"] = true },
            },
            ["valuesFrom"] = ValuesFrom(claim, offering, valuesName),
        });

        // Forwarded by Flux as event metadata (prefix stripped): each event says which instance and which change.
        Annotate(release,
            (StatusAnnotations.FluxAnnotation(StatusAnnotations.TenantKey), tenant),
            (StatusAnnotations.FluxAnnotation(StatusAnnotations.InstanceKey), claim.Name),
            (StatusAnnotations.FluxAnnotation(StatusAnnotations.GenerationKey), claim.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var resources = new List<string> { "helmrelease.yaml" };
        if (InstanceSecrets.SealedSecret(claim, offering) is { } sealedSecret)
        {
            files[$"{folder}/secrets.yaml"] = YamlWriter.WriteUtf8(sealedSecret);
            resources.Add("secrets.yaml");
        }

        files[$"{folder}/helmrelease.yaml"] = YamlWriter.WriteUtf8(release);
        files[$"{folder}/values.yaml"] = YamlWriter.WriteUtf8(claim.ChartValues(offering));
        files[$"{folder}/kustomizeconfig.yaml"] = YamlWriter.WriteUtf8(KustomizeConfig);
        files[$"{folder}/kustomization.yaml"] = YamlWriter.WriteUtf8(Kustomization(resources, new JsonObject
        {
            ["namespace"] = tenant,
            ["configMapGenerator"] = Array(new JsonObject
            {
                ["name"] = valuesName,
                ["files"] = Array(JsonValue.Create("values.yaml")),
            }),
            ["configurations"] = Array(JsonValue.Create("kustomizeconfig.yaml")),
        }));
    }

    // The values ConfigMap first, then each sealed secret at its values path: later entries win, so a secret is what
    // the chart gets there. literal: the value is set as it is, never read as Helm --set syntax (commas, dots, '=').
    private static JsonArray ValuesFrom(InstanceClaim claim, Offering offering, string valuesName)
    {
        var entries = Array(new JsonObject { ["kind"] = "ConfigMap", ["name"] = valuesName, ["valuesKey"] = "values.yaml" });
        foreach (var secret in InstanceSecrets.Present(claim, offering))
        {
            entries.Add(new JsonObject
            {
                ["kind"] = "Secret",
                ["name"] = InstanceSecrets.SecretName(claim.Name),
                ["valuesKey"] = secret.Name,
                ["targetPath"] = secret.ValuesPath,
                ["literal"] = true,
            });
        }

        return entries;
    }

    private static JsonObject With(this JsonObject labels, string key, string value)
    {
        labels[key] = value;
        return labels;
    }
}
