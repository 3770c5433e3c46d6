using Gantry.Core.Catalog;
using Gantry.Core.Instances;

namespace Gantry.Core.Rendering;

/// <summary>One instance with the offering it is of: the unit the renderers work on.</summary>
public sealed record RenderedInstance(InstanceClaim Claim, Offering Offering)
{
    /// <summary>What the tenant's shared files read of this instance.</summary>
    public InstanceOutline Outline => InstanceOutline.Of(Claim.Tenant, Claim.Name, Claim.Namespace, Offering, Claim.SealedSecrets.Keys);
}
