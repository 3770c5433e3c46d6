using System.Text.Json.Nodes;

namespace Gantry.Server.Instances;

/// <summary>
/// The answer to <c>PUT …/instances/{name}?dryRun=true</c>: the instance as it would be stored (generation, resolved
/// chart version, values) and the unified diff of each rendered file that would change. Nothing was written.
/// </summary>
public sealed record InstanceDryRunResponse(
    string Tenant,
    string Name,
    string Offering,
    string Version,
    string ChartVersion,
    string Namespace,
    JsonObject Values,
    long Generation,
    bool Created,
    bool Changed,
    IReadOnlyList<PlannedFile> Files)
{
    public static InstanceDryRunResponse From(InstancePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var claim = plan.Planned;
        return new InstanceDryRunResponse(claim.Tenant, claim.Name, claim.Offering, claim.Version, claim.ChartVersion, claim.Namespace,
            claim.Values.DeepClone().AsObject(), claim.Generation, plan.Created, plan.Files.Count > 0, plan.Files);
    }
}
