using Gantry.Core.Catalog;
using Gantry.Core.Yaml;
using Gantry.Core.Diagnostics;

namespace Gantry.Core.Rendering;

/// <summary>
/// The pure heart of Gantry: a tenant and its instances in, the complete file tree of that tenant out. No I/O, no
/// clock, no randomness: the same input always renders the same bytes, so a change is the difference between the
/// tree in Git and the tree rendered now.
/// </summary>
/// <remarks>
/// The tree has two parts. Each instance's own files (its claim, its HelmRelease folder or Application and
/// SealedSecret) depend on nothing but the tenant, its claim and its offering. The tenant's shared files (namespaces,
/// lockdown, project, sources, kustomizations) depend only on each instance's name, namespace, offering and whether
/// it has sealed values (<see cref="InstanceOutline"/>). So one instance's change is rendered by <c>RenderChange</c>
/// from that instance alone and the outlines of the others, and the shared files only when one of those moved.
/// </remarks>
public static class TenantRenderer
{
    public static IReadOnlyDictionary<string, byte[]> Render(string tenant, IEnumerable<RenderedInstance> instances) =>
        RenderFirst(tenant, instances).Puts;

    /// <summary>The whole tree as the first change to a folder that was never rendered: every file is put.</summary>
    public static TenantChange RenderFirst(string tenant, IEnumerable<RenderedInstance> instances)
    {
        using var activity = GantryTracing.Source.StartActivity("gantry.render");
        var all = Checked(tenant, instances);
        var shared = RenderShared(tenant, all.Select(i => i.Outline));
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        files.AddRange(shared.Files);
        foreach (var instance in all)
        {
            files.AddRange(RenderInstance(tenant, instance));
        }

        return new TenantChange(files.ToDictionary(StringComparer.Ordinal), [], shared);
    }

    /// <summary>The tenant's shared files: namespaces, lockdown, project, sources, kustomizations.</summary>
    public static SharedFiles RenderShared(string tenant, IEnumerable<RenderedInstance> instances) =>
        RenderShared(tenant, instances.Select(i => i.Outline));

    /// <summary>The tenant's shared files from what they read of each instance.</summary>
    public static SharedFiles RenderShared(string tenant, IEnumerable<InstanceOutline> instances)
    {
        var all = Checked(tenant, instances);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        FluxRenderer.RenderShared(tenant, all.Where(i => i.Offering.Engine == GitOpsEngine.Flux).ToList(), files);
        ArgoCdRenderer.RenderShared(tenant, all.Where(i => i.Offering.Engine == GitOpsEngine.ArgoCd).ToList(), files);
        return new SharedFiles(files);
    }

    /// <summary>One instance's own files: its claim and what its engine reads.</summary>
    public static IReadOnlyDictionary<string, byte[]> RenderInstance(string tenant, RenderedInstance instance)
    {
        Checked(tenant, [instance]);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [GitOpsLayout.InstanceClaim(tenant, instance.Claim.Name)] = YamlWriter.WriteUtf8(instance.Claim.ToDocument()),
        };
        if (instance.Offering.Engine == GitOpsEngine.Flux)
        {
            FluxRenderer.RenderInstance(tenant, instance, files);
        }
        else
        {
            ArgoCdRenderer.RenderInstance(tenant, instance, files);
        }

        return files;
    }

    /// <summary>
    /// What to write when one instance goes from <paramref name="before"/> to <paramref name="after"/> (null:
    /// absent), <paramref name="shared"/> being the tenant's shared files now and <paramref name="instances"/> all of
    /// its instances afterwards (read only when the shared files must be rendered again). Applied to the tree, it
    /// gives the whole tree rendered from <paramref name="instances"/>, without rendering any other instance.
    /// </summary>
    /// <remarks>
    /// The shared files read only each instance's name, namespace, offering and whether it has sealed values, and an
    /// instance's set of files only its engine and whether it has sealed values. When the changed instance keeps all
    /// of these (a scale, new values, another chart version) the shared files stay as they are, no file goes away,
    /// and the instance's files are put as rendered now: the state store leaves a file whose content did not change
    /// as it is. Otherwise both sides are rendered and compared.
    /// </remarks>
    public static TenantChange RenderChange(
        string tenant, SharedFiles shared, RenderedInstance? before, RenderedInstance? after, IEnumerable<RenderedInstance> instances) =>
        RenderChange(tenant, shared, before, after, instances.Select(i => i.Outline));

    /// <summary>
    /// <see cref="RenderChange(string, SharedFiles, RenderedInstance?, RenderedInstance?, IEnumerable{RenderedInstance})"/>
    /// with the tenant's instances afterwards as outlines: all the shared files read of them.
    /// </summary>
    public static TenantChange RenderChange(
        string tenant, SharedFiles shared, RenderedInstance? before, RenderedInstance? after, IEnumerable<InstanceOutline> instances)
    {
        using var activity = GantryTracing.Source.StartActivity("gantry.render");
        Checked(tenant, new[] { before, after }.OfType<RenderedInstance>());
        if (before is not null && after is not null && before.Outline.SameAs(after.Outline))
        {
            return before.Claim.IsSameAs(after.Claim)
                ? new TenantChange(new Dictionary<string, byte[]>(), [], shared)
                : new TenantChange(RenderInstance(tenant, after), [], shared);
        }

        var sharedAfter = RenderShared(tenant, instances);
        var old = new Dictionary<string, byte[]>(shared.Files, StringComparer.Ordinal);
        var now = new Dictionary<string, byte[]>(sharedAfter.Files, StringComparer.Ordinal);
        old.AddRange(before is null ? [] : RenderInstance(tenant, before));
        now.AddRange(after is null ? [] : RenderInstance(tenant, after));

        var puts = now.Where(f => !old.TryGetValue(f.Key, out var previous) || !previous.AsSpan().SequenceEqual(f.Value))
            .ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var deletes = old.Keys.Where(path => !now.ContainsKey(path)).Order(StringComparer.Ordinal).ToList();
        return new TenantChange(puts, deletes, sharedAfter);
    }

    /// <summary>The Flux index over every tenant: what the bootstrap Kustomization applies.</summary>
    public static IReadOnlyDictionary<string, byte[]> RenderFluxIndex(IEnumerable<string> tenants) => new Dictionary<string, byte[]>
    {
        [GitOpsLayout.FluxClusterIndex] = YamlWriter.WriteUtf8(Manifests.Kustomization(
            tenants.Order(StringComparer.Ordinal).Select(GitOpsLayout.FluxIndexEntry))),
    };

    // In name order, whatever order the caller keeps them in: the shared files list instances (and their namespaces),
    // and the same instances must give the same bytes however they were gathered.
    private static List<RenderedInstance> Checked(string tenant, IEnumerable<RenderedInstance> instances)
    {
        var all = instances.OrderBy(i => i.Claim.Name, StringComparer.Ordinal).ToList();
        if (all.FirstOrDefault(i => i.Claim.Tenant != tenant) is { } stranger)
        {
            throw new ArgumentException($"Instance '{stranger.Claim.Name}' belongs to tenant '{stranger.Claim.Tenant}', not '{tenant}'.", nameof(instances));
        }

        return all;
    }

    private static List<InstanceOutline> Checked(string tenant, IEnumerable<InstanceOutline> instances)
    {
        var all = instances.OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
        if (all.FirstOrDefault(i => i.Tenant != tenant) is { } stranger)
        {
            throw new ArgumentException($"Instance '{stranger.Name}' belongs to tenant '{stranger.Tenant}', not '{tenant}'.", nameof(instances));
        }

        return all;
    }

    private static void AddRange(this IDictionary<string, byte[]> files, IEnumerable<KeyValuePair<string, byte[]>> more)
    {
        foreach (var (path, bytes) in more)
        {
            files[path] = bytes;
        }
    }
}

/// <summary>A tenant's shared files (namespaces, lockdown, project, sources, kustomizations).</summary>
public sealed record SharedFiles(IReadOnlyDictionary<string, byte[]> Files);

/// <summary>The files one change puts and deletes, and the tenant's shared files after it.</summary>
public sealed record TenantChange(IReadOnlyDictionary<string, byte[]> Puts, IReadOnlyList<string> Deletes, SharedFiles Shared);
