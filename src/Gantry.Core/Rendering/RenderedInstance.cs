using Gantry.Core.Catalog;
using Gantry.Core.Instances;

namespace Gantry.Core.Rendering;

/// <summary>One instance with the offering it is of: the unit the renderers work on.</summary>
public sealed record RenderedInstance(InstanceClaim Claim, Offering Offering);
