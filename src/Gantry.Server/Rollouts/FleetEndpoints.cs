using System.Security.Claims;
using Gantry.Core.Identity;
using Gantry.Core.Versions;
using Gantry.Data.Instances;
using Gantry.Server.Catalog;
using Gantry.Server.Hosting;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Rollouts;

/// <summary>
/// An offering's fleet in numbers: instances by chart version and by phase, how many are pinned, and how many run a
/// chart version outside the offering's constraint (out of policy: a rollout or a change must move them).
/// </summary>
public sealed record FleetResponse(
    string Offering, string? Tenant, long Total, IReadOnlyDictionary<string, long> ByChartVersion, IReadOnlyDictionary<string, long> ByPhase,
    long Pinned, long OutOfPolicy);

/// <summary><c>GET /api/v1/offerings/{name}/fleet</c>, answered from the index with two grouped queries.</summary>
public static class FleetEndpoints
{
    public static IEndpointRouteBuilder MapFleetEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api/v1/offerings").WithTags("Offerings").RequireAuthorization()
            .AnswersProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound)
            .MapGet("/{name}/fleet", GetAsync).WithName("GetOfferingFleet")
            .WithSummary("Counts of the offering's instances by chart version and phase, pinned and out of policy; the whole platform (platform admins) or ?tenant= (its members).");
        return endpoints;
    }

    internal static async Task<Results<Ok<FleetResponse>, ProblemHttpResult>> GetAsync(
        string name, ClaimsPrincipal user, IAuthorizer authorizer, OfferingCatalog catalog, InstanceRepository index, PinRepository pins,
        TimeProvider time, HttpContext context, string? tenant = null)
    {
        var principal = user.ToPrincipal();
        var refusal = tenant is null
            ? principal.IsPlatformAdmin ? null : AccessDecision.Forbidden.ToProblem()
            : authorizer.Refuse(principal, ResourceAction.Read, ResourceRef.InTenant(tenant, ResourceKinds.Instance));
        if (refusal is not null)
        {
            return refusal;
        }

        if (catalog.Find(name) is not { } offering)
        {
            return AccessDecisionResults.NotFound($"There is no offering '{name}'.");
        }

        var counts = await index.CountFleetAsync(name, tenant, context.RequestAborted);
        var allowed = VersionConstraint.Parse(offering.Chart.Version);
        return TypedResults.Ok(new FleetResponse(
            name, tenant, counts.Sum(c => c.Count),
            counts.GroupBy(c => c.ChartVersion, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(c => c.Count)),
            counts.GroupBy(c => c.Phase, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(c => c.Count)),
            await pins.CountActiveAsync(name, tenant, time.GetUtcNow(), context.RequestAborted),
            counts.Where(c => !allowed.Matches(c.ChartVersion)).Sum(c => c.Count)));
    }
}
