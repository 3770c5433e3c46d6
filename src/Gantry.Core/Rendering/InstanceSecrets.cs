using System.Text.Json.Nodes;
using Gantry.Core.Catalog;
using Gantry.Core.Instances;
using static Gantry.Core.Rendering.Manifests;

namespace Gantry.Core.Rendering;

/// <summary>
/// The one Secret that carries an instance's secret values, as a Sealed Secrets <c>SealedSecret</c> (strict scope, so
/// its values open only as this Secret in this namespace). Where it lives depends on who reads it: Flux takes
/// <c>valuesFrom</c> a Secret in the HelmRelease's own namespace (the tenant's), while an Argo CD chart reads it in
/// the instance's namespace through the Secret reference the offering declares.
/// </summary>
public static class InstanceSecrets
{
    /// <summary>
    /// The Secret's name: instance names are unique per tenant and no other object Gantry renders is a Secret, so it
    /// cannot collide with a rendered object; at most 71 characters, a valid Secret name.
    /// </summary>
    public static string SecretName(string instance) => $"{instance}-secrets";

    /// <summary>The namespace the Secret is sealed for and applied to.</summary>
    public static string Namespace(InstanceClaim claim, Offering offering) => Namespace(claim.Tenant, claim.Namespace, offering);

    /// <summary>The namespace the Secret of an instance deployed to <paramref name="instanceNamespace"/> lives in.</summary>
    public static string Namespace(string tenant, string instanceNamespace, Offering offering) =>
        offering.Engine == GitOpsEngine.Flux ? tenant : instanceNamespace;

    /// <summary>The secrets of the offering that have a sealed value, in declaration order.</summary>
    public static IEnumerable<OfferingSecret> Present(InstanceClaim claim, Offering offering) =>
        offering.Secrets.Where(s => claim.SealedSecrets.ContainsKey(s.Name));

    /// <summary>The SealedSecret manifest (bitnami.com/v1alpha1), or null when the instance has no sealed value.</summary>
    internal static JsonObject? SealedSecret(InstanceClaim claim, Offering offering)
    {
        var present = Present(claim, offering).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        if (present.Count == 0)
        {
            return null;
        }

        var (name, ns) = (SecretName(claim.Name), Namespace(claim, offering));
        var labels = Labels(claim.Tenant, claim.Name, offering.Name);
        var encrypted = claim.SealedSecretsObject();
        foreach (var stale in encrypted.Select(e => e.Key).Where(k => !present.Contains(k)).ToList())
        {
            encrypted.Remove(stale); // a secret the offering no longer declares is not handed to the chart
        }

        return Object("bitnami.com/v1alpha1", "SealedSecret", name, ns, labels, new JsonObject
        {
            ["encryptedData"] = encrypted,
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = labels.DeepClone() },
                ["type"] = "Opaque",
            },
        });
    }
}
