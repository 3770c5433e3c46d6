using System.Text;
using Gantry.Core.Catalog;
using Gantry.Core.Yaml;

namespace Gantry.Core.Rendering;

/// <summary>
/// The pure heart of Gantry: a tenant and its instances in, the complete file tree of that tenant out. No I/O, no
/// clock, no randomness: the same input always renders the same bytes, so a change is the difference between the
/// tree in Git and the tree rendered now.
/// </summary>
public static class TenantRenderer
{
    public static IReadOnlyDictionary<string, byte[]> Render(string tenant, IEnumerable<RenderedInstance> instances) =>
        Render(tenant, instances, static _ => true);

    /// <summary>
    /// The tenant's shared files (namespaces, lockdown, project, sources, kustomizations) and the files of
    /// <paramref name="instance"/> only. Every other instance's files depend on nothing but the tenant, its own claim
    /// and its offering, so when only <paramref name="instance"/> changes they are the same before and after: the
    /// difference of two such renders is the difference of the whole trees, without writing every instance's YAML
    /// twice per change.
    /// </summary>
    public static IReadOnlyDictionary<string, byte[]> RenderSharedAnd(string tenant, IEnumerable<RenderedInstance> instances, string instance) =>
        Render(tenant, instances, i => i.Claim.Name == instance);

    private static Dictionary<string, byte[]> Render(string tenant, IEnumerable<RenderedInstance> instances, Func<RenderedInstance, bool> withOwnFiles)
    {
        var all = instances.ToList();
        if (all.FirstOrDefault(i => i.Claim.Tenant != tenant) is { } stranger)
        {
            throw new ArgumentException($"Instance '{stranger.Claim.Name}' belongs to tenant '{stranger.Claim.Tenant}', not '{tenant}'.", nameof(instances));
        }

        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var instance in all.Where(withOwnFiles))
        {
            files[GitOpsLayout.InstanceClaim(tenant, instance.Claim.Name)] = YamlWriter.Write(instance.Claim.ToDocument());
        }

        FluxRenderer.Render(tenant, all.Where(i => i.Offering.Engine == GitOpsEngine.Flux).ToList(), withOwnFiles, files);
        ArgoCdRenderer.Render(tenant, all.Where(i => i.Offering.Engine == GitOpsEngine.ArgoCd).ToList(), withOwnFiles, files);
        return files.ToDictionary(f => f.Key, f => Encoding.UTF8.GetBytes(f.Value), StringComparer.Ordinal);
    }

    /// <summary>The Flux index over every tenant: what the bootstrap Kustomization applies.</summary>
    public static IReadOnlyDictionary<string, byte[]> RenderFluxIndex(IEnumerable<string> tenants) => new Dictionary<string, byte[]>
    {
        [GitOpsLayout.FluxClusterIndex] = Encoding.UTF8.GetBytes(YamlWriter.Write(Manifests.Kustomization(
            tenants.Order(StringComparer.Ordinal).Select(GitOpsLayout.FluxIndexEntry)))),
    };
}
