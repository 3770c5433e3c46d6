using Gantry.Core.State;

namespace Gantry.Core.Rendering;

/// <summary>
/// Where everything lives in the desired-state repository. One place, so the layout is documented once
/// (docs/gitops-layout.md) and changed once. Every segment is a DNS-1123 label validated before it gets here.
/// </summary>
public static class GitOpsLayout
{
    public const string TenantsFolder = StateLayout.TenantsFolder;

    /// <summary>The Flux index the bootstrap Kustomization applies: one entry per tenant.</summary>
    public const string FluxClusterIndex = "clusters/flux/kustomization.yaml";

    /// <summary>
    /// The tenant's folder, fanned out by a hash (<c>tenants/3/a/f/acme</c>) so that no Git tree on a changed path
    /// grows with the number of tenants (see docs/git-engine.md).
    /// </summary>
    public static string TenantRoot(string tenant) => StateLayout.TenantFolder(tenant);

    /// <summary>The glob matching every tenant's Argo CD folder, for the ApplicationSet's Git directory generator.</summary>
    public static string ArgoCdFolderGlob => $"{TenantsFolder}/*/*/*/*/argocd";

    /// <summary>Which segment of an Argo CD folder path (0-based) is the tenant name.</summary>
    public static int ArgoCdFolderTenantSegment => 4;

    public static string InstanceClaims(string tenant) => $"{TenantRoot(tenant)}/instances";

    public static string InstanceClaim(string tenant, string instance) => $"{InstanceClaims(tenant)}/{instance}.yaml";

    public static string FluxRoot(string tenant) => $"{TenantRoot(tenant)}/flux";

    /// <summary>The tenant's Flux kustomization: present once the tenant's folder has been rendered.</summary>
    public static string FluxKustomization(string tenant) => $"{FluxRoot(tenant)}/kustomization.yaml";

    /// <summary>How <see cref="FluxClusterIndex"/> lists a tenant: its Flux folder, relative to the index.</summary>
    public static string FluxIndexEntry(string tenant) => $"../../{FluxRoot(tenant)}";

    /// <summary>The tenant a <see cref="FluxIndexEntry"/> names (the folder before <c>flux</c>), or null.</summary>
    public static string? TenantOfFluxIndexEntry(string entry)
    {
        var segments = entry.Split('/');
        return segments.Length >= 2 && segments[^1] == "flux" ? segments[^2] : null;
    }

    public static string FluxRelease(string tenant, string instance) => $"{FluxRoot(tenant)}/releases/{instance}";

    public static string ArgoCdRoot(string tenant) => $"{TenantRoot(tenant)}/argocd";

    public static string ArgoCdApplication(string tenant, string instance) => $"{ArgoCdRoot(tenant)}/applications/{instance}.yaml";

    /// <summary>An Argo CD instance's SealedSecret, applied by the tenant's app-of-apps into the instance's namespace.</summary>
    public static string ArgoCdSecrets(string tenant, string instance) => $"{ArgoCdRoot(tenant)}/secrets/{instance}.yaml";

    /// <summary>Every file of one instance, rendered or claimed: what a delete removes and a history follows.</summary>
    public static IReadOnlyList<string> InstancePaths(string tenant, string instance) =>
    [
        InstanceClaim(tenant, instance),
        FluxRelease(tenant, instance),
        ArgoCdApplication(tenant, instance),
        ArgoCdSecrets(tenant, instance),
    ];
}
