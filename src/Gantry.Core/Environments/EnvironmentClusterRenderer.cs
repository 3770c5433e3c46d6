using System.Text;
using System.Text.Json.Nodes;
using Gantry.Core.Yaml;
using static Gantry.Core.Rendering.Manifests;

namespace Gantry.Core.Environments;

/// <summary>
/// The platform half of a dedicated cluster, pure: for a type with <see cref="ClusterMode.Dedicated"/>, a Crossplane
/// claim <c>EnvironmentCluster</c> (the composite resource definition in <c>examples/crossplane</c>) sized by the
/// type (its node pools with their labels and taints, nodes per pool, an HA control plane for prod), and the Flux
/// <c>Kustomization</c> that applies the environment's folder onto the new cluster through the kubeconfig the claim
/// writes. Both live in <c>platform/</c> of the environment folder, which the folder's own kustomization does not
/// list: the management cluster applies <c>platform/</c>, the environment's cluster the rest.
/// </summary>
public static class EnvironmentClusterRenderer
{
    public const string ApiVersion = "platform.gantry.dev/v1alpha1";

    public const string ClaimKind = "EnvironmentCluster";

    /// <summary>The namespace of the claims and their kubeconfig secrets on the management cluster.</summary>
    public const string Namespace = "gantry-clusters";

    public const string Folder = "platform";

    /// <summary>The Flux source the management cluster reads environments from: the bucket, or Gantry's repository.</summary>
    public const string BucketSource = "environments";

    public const string GitSource = "flux-system";

    /// <summary>The files of <c>platform/</c> by path in the environment folder; empty for a shared cluster.</summary>
    public static IReadOnlyDictionary<string, byte[]> Render(EnvironmentClaim claim, EnvironmentPolicies policies, JsonObject labels)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(labels);
        if (policies.Type(claim.EnvironmentType) is not { Cluster: ClusterMode.Dedicated } type)
        {
            return new Dictionary<string, byte[]>(StringComparer.Ordinal);
        }

        var secret = $"{claim.EnvironmentName}-kubeconfig";
        return new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [$"{Folder}/cluster.yaml"] = Utf8(YamlWriter.Write(Claim(claim, type, policies, secret, labels.DeepClone().AsObject()))),
            [$"{Folder}/bootstrap.yaml"] = Utf8(YamlWriter.Write(Bootstrap(claim, secret, labels.DeepClone().AsObject()))),
            [$"{Folder}/kustomization.yaml"] = Utf8(YamlWriter.Write(Kustomization(["cluster.yaml", "bootstrap.yaml"]))),
        };
    }

    private static JsonObject Claim(EnvironmentClaim claim, EnvironmentTypePolicy type, EnvironmentPolicies policies, string secret, JsonObject labels)
    {
        var pools = new JsonArray();
        foreach (var (name, pool) in policies.NodePools.Where(p => type.AllowsNodePool(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var nodeLabels = new JsonObject();
            foreach (var (key, value) in pool.NodeSelector.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                nodeLabels[key] = value;
            }

            // The pool's tolerations say which taints its nodes carry.
            var taints = new JsonArray(pool.Tolerations.Select(t => (JsonNode)new JsonObject
            {
                ["key"] = t.Key,
                ["value"] = t.Value ?? string.Empty,
                ["effect"] = t.Effect,
            }).ToArray());
            pools.Add(new JsonObject { ["name"] = name, ["nodes"] = type.ClusterNodesPerPool, ["labels"] = nodeLabels, ["taints"] = taints });
        }

        return Object(ApiVersion, ClaimKind, claim.EnvironmentName, Namespace, labels, new JsonObject
        {
            ["parameters"] = new JsonObject
            {
                ["environment"] = claim.EnvironmentName,
                ["environmentType"] = claim.EnvironmentType,
                ["highAvailabilityControlPlane"] = type.HaControlPlane,
                ["nodePools"] = pools,
            },
            ["writeConnectionSecretToRef"] = new JsonObject { ["name"] = secret },
        });
    }

    private static JsonObject Bootstrap(EnvironmentClaim claim, string secret, JsonObject labels)
    {
        var git = string.Equals(claim.DeploymentMethod, DeploymentMethods.Git, StringComparison.Ordinal);
        var path = git ? EnvironmentLayout.GitRoot(claim.EnvironmentPool, claim.EnvironmentName) : EnvironmentLayout.BucketManifests(claim.EnvironmentPool, claim.EnvironmentName).TrimEnd('/');
        return Object("kustomize.toolkit.fluxcd.io/v1", "Kustomization", $"env-{claim.EnvironmentName}", Namespace, labels, new JsonObject
        {
            ["interval"] = "10m",
            ["path"] = $"./{path}",
            ["prune"] = true,
            ["sourceRef"] = new JsonObject
            {
                ["kind"] = git ? "GitRepository" : "Bucket",
                ["name"] = git ? GitSource : BucketSource,
                ["namespace"] = "flux-system",
            },
            // The cluster must exist before anything is applied to it: Flux waits for the secret the claim writes.
            ["kubeConfig"] = new JsonObject { ["secretRef"] = new JsonObject { ["name"] = secret, ["key"] = "kubeconfig" } },
        });
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
