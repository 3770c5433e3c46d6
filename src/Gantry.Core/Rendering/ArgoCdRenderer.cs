using System.Text.Json.Nodes;
using Gantry.Core.Catalog;
using Gantry.Core.Instances;
using Gantry.Core.Status;
using Gantry.Core.Yaml;
using static Gantry.Core.Rendering.Manifests;

namespace Gantry.Core.Rendering;

/// <summary>
/// Renders a tenant's Argo CD instances: an AppProject of the tenant's own (never <c>default</c>: Argo CD issue
/// #3045) that allows only the tenant's namespaces and the catalog's chart sources and no cluster-scoped resources,
/// and per instance an Application with the chart, version, values and automated sync, as in the Qdrant PoC.
/// </summary>
internal static class ArgoCdRenderer
{
    public const string ArgoCdNamespace = "argocd";
    public const string InClusterServer = "https://kubernetes.default.svc";

    /// <summary>Projects are named per tenant with a prefix, so no tenant name can select a shared project.</summary>
    public static string ProjectName(string tenant) => $"gantry-{tenant}";

    /// <summary>
    /// Renders the tenant's project and the kustomization of its app-of-apps (each instance's Application and, when it
    /// has sealed values, its SealedSecret). They read only each instance's name, namespace, offering and whether it
    /// has sealed values.
    /// </summary>
    public static void RenderShared(string tenant, IReadOnlyList<InstanceOutline> instances, IDictionary<string, byte[]> files)
    {
        var root = GitOpsLayout.ArgoCdRoot(tenant);
        var ordered = instances.OrderBy(i => i.Name, StringComparer.Ordinal).ToList();

        files[$"{root}/appproject.yaml"] = YamlWriter.WriteUtf8(Project(tenant, ordered));
        var resources = new List<string> { "appproject.yaml" };
        resources.AddRange(ordered.Select(i => $"applications/{i.Name}.yaml"));

        // The SealedSecrets go with the tenant's app-of-apps, which applies them into the instances' namespaces
        // (the platform project allows that kind): an Application can only deploy its chart.
        resources.AddRange(ordered.Where(i => i.HasSealedValues).Select(i => $"secrets/{i.Name}.yaml"));
        files[$"{root}/kustomization.yaml"] = YamlWriter.WriteUtf8(Kustomization(resources));
    }

    /// <summary>Renders one instance's Application and, when it has sealed values, its SealedSecret.</summary>
    public static void RenderInstance(string tenant, RenderedInstance instance, IDictionary<string, byte[]> files)
    {
        files[GitOpsLayout.ArgoCdApplication(tenant, instance.Claim.Name)] = YamlWriter.WriteUtf8(Application(tenant, instance));
        if (InstanceSecrets.SealedSecret(instance.Claim, instance.Offering) is { } sealedSecret)
        {
            files[GitOpsLayout.ArgoCdSecrets(tenant, instance.Claim.Name)] = YamlWriter.WriteUtf8(sealedSecret);
        }
    }

    private static JsonObject Project(string tenant, IReadOnlyList<InstanceOutline> instances)
    {
        var sources = instances.Select(i => RepoUrl(i.Offering.Chart)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var destinations = instances.Select(i => i.Namespace).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return Object("argoproj.io/v1alpha1", "AppProject", ProjectName(tenant), ArgoCdNamespace, Labels(tenant), new JsonObject
        {
            ["description"] = $"Instances of tenant {tenant}, managed by Gantry",
            ["sourceRepos"] = new JsonArray(sources.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
            ["destinations"] = new JsonArray(destinations.Select(ns => (JsonNode)new JsonObject
            {
                ["server"] = InClusterServer,
                ["namespace"] = ns,
            }).ToArray()),
            // Empty whitelist: no cluster-scoped resources at all (Argo CD denies all when the list is empty).
            ["clusterResourceWhitelist"] = new JsonArray(),
        });
    }

    private static JsonObject Application(string tenant, RenderedInstance instance)
    {
        var (claim, offering) = (instance.Claim, instance.Offering);
        var application = Object("argoproj.io/v1alpha1", "Application", $"{tenant}-{claim.Name}", ArgoCdNamespace,
            Labels(tenant, claim.Name, offering.Name), new JsonObject
            {
                ["project"] = ProjectName(tenant),
                ["source"] = new JsonObject
                {
                    ["repoURL"] = RepoUrl(offering.Chart),
                    ["chart"] = offering.Chart.Name,
                    ["targetRevision"] = claim.ChartVersion,
                    ["helm"] = new JsonObject
                    {
                        ["releaseName"] = claim.Name,
                        ["valuesObject"] = ChartValues(claim, offering),
                    },
                },
                ["destination"] = new JsonObject { ["server"] = InClusterServer, ["namespace"] = claim.Namespace },
                ["syncPolicy"] = new JsonObject
                {
                    ["automated"] = new JsonObject { ["prune"] = true, ["selfHeal"] = true },
                    ["syncOptions"] = Array(JsonValue.Create("CreateNamespace=true")),
                },
            });

        // Gantry's notification template sends these back with every event (the Application's own sync revision is
        // the chart version, not the Git commit): which tenant, which instance, which change.
        Annotate(application,
            (StatusAnnotations.TenantAnnotation, tenant),
            (StatusAnnotations.InstanceAnnotation, claim.Name),
            (StatusAnnotations.GenerationAnnotation, claim.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        // Deleting the Application (Gantry removes its file) also deletes what it deployed.
        application["metadata"]!["finalizers"] = Array(JsonValue.Create("resources-finalizer.argocd.argoproj.io"));
        return application;
    }

    // Argo CD cannot hand a chart a value from a Secret: the chart gets a reference to the instance's Secret at the
    // path the offering declares (e.g. Qdrant's apiKey.valueFrom.secretKeyRef) and reads the value in the cluster.
    private static JsonObject ChartValues(InstanceClaim claim, Offering offering)
    {
        var values = claim.ChartValues(offering);
        foreach (var secret in InstanceSecrets.Present(claim, offering))
        {
            if (secret.SecretKeyRefPath is { } path)
            {
                ValuesPath.Set(values, path, new JsonObject { ["name"] = InstanceSecrets.SecretName(claim.Name), ["key"] = secret.Name });
            }
        }

        return values;
    }

    // Argo CD names OCI Helm repositories without the scheme (repoURL: ghcr.io/org/charts, chart: name).
    private static string RepoUrl(ChartSource chart) => chart.IsOci ? chart.Repository["oci://".Length..] : chart.Repository;
}
