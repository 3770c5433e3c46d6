namespace Gantry.Core.Environments;

/// <summary>
/// Claims stored before node pools were their own thing: <c>environment_pool</c> named both the tenant that owns
/// the environment and the node pool all its services ran on, and no service carried a <c>node_pool</c>. A claim
/// Gantry stores now has a node pool on every service, so a service without one marks the claim as old; the
/// migration gives every service one and keeps the owner, which makes it run once per claim whenever it runs.
/// </summary>
public static class LegacyPoolMigration
{
    /// <summary>True for a claim stored by the previous version (some service has no node pool).</summary>
    public static bool IsLegacy(EnvironmentClaim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return claim.Services.Any(s => s.NodePool is null);
    }

    /// <summary>
    /// The claim with a node pool on every service: the old pool when it is a node pool the type allows (so the
    /// services stay where they ran), otherwise the service's catalog pool. <c>environment_pool</c> is kept: the
    /// tenant that owned the environment still does. <paramref name="moved"/> names the services whose placement
    /// changed, for the audit record.
    /// </summary>
    public static EnvironmentClaim Migrate(EnvironmentClaim claim, EnvironmentPolicies policies, ServiceCatalog catalog, out IReadOnlyList<string> moved)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(catalog);
        var type = policies.Type(claim.EnvironmentType);
        var keep = policies.NodePool(claim.EnvironmentPool) is not null && (type is null || type.AllowsNodePool(claim.EnvironmentPool));
        var changed = new List<string>();
        var services = claim.Services.Select(s =>
        {
            if (s.NodePool is not null)
            {
                return s;
            }

            var nodePool = keep ? claim.EnvironmentPool : catalog.Find(s.Name)?.NodePool ?? EnvironmentPolicies.DefaultNodePool;
            if (nodePool != claim.EnvironmentPool)
            {
                changed.Add($"{s.Name}: {claim.EnvironmentPool} -> {nodePool}");
            }

            return s with { NodePool = nodePool };
        }).ToList();
        moved = changed;
        return claim with { Services = services };
    }
}
