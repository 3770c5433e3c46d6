using System.Security.Claims;
using Gantry.Core.Identity;
using Gantry.Data.Instances;
using Gantry.Server.Audit;
using Gantry.Server.Hosting;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Rollouts;

/// <summary>A pin as the API shows it.</summary>
public sealed record PinResponse(string Tenant, string Instance, string Version, string Reason, DateTimeOffset? Until, string PinnedBy, DateTimeOffset PinnedAt)
{
    public static PinResponse From(PinRecord pin) => new(pin.Tenant, pin.Name, pin.Version, pin.Reason, pin.ExpiresAt, pin.PinnedBy, pin.PinnedAt);
}

/// <summary><c>/api/v1/tenants/{tenant}/instances/{name}/pin</c>: hold an instance at its version, out of rollouts.</summary>
public static class PinEndpoints
{
    public static IEndpointRouteBuilder MapPinEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/tenants/{tenant}/instances/{name}/pin").WithTags("Instances").RequireAuthorization()
            .AnswersProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
        group.MapGet("/", GetAsync).WithName("GetInstancePin").WithSummary("The instance's pin (404 when it has none or it expired).");
        group.MapPut("/", PutAsync).WithName("PinInstance")
            .WithSummary("Pins the instance at a chart version (default: the one it runs) with a reason and an optional expiry; rollouts skip it. Tenant admins and platform admins.");
        group.MapDelete("/", DeleteAsync).WithName("UnpinInstance").WithSummary("Clears the instance's pin.");
        return endpoints;
    }

    internal static async Task<Results<Ok<PinResponse>, ProblemHttpResult>> GetAsync(
        string tenant, string name, ClaimsPrincipal user, IAuthorizer authorizer, PinService pins, HttpContext context)
    {
        if (authorizer.Refuse(user.ToPrincipal(), ResourceAction.Read, ResourceRef.InTenant(tenant, ResourceKinds.InstancePin, name)) is { } refusal)
        {
            return refusal;
        }

        var pin = await pins.FindActiveAsync(tenant, name, context.RequestAborted);
        return pin is null ? AccessDecisionResults.NotFound($"Instance {tenant}/{name} is not pinned.") : TypedResults.Ok(PinResponse.From(pin));
    }

    internal static async Task<Results<Ok<PinResponse>, ProblemHttpResult>> PutAsync(
        string tenant, string name, PinRequest request, ClaimsPrincipal user, IAuthorizer authorizer, PinService pins, AuditLog audit, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Update, ResourceRef.InTenant(tenant, ResourceKinds.InstancePin, name)) is { } refusal)
        {
            return refusal;
        }

        var pin = await pins.SetAsync(principal, tenant, name, request, context.RequestAborted);
        await audit.RecordAsync(context, principal, FleetAuditActions.PinSet, tenant, name,
            $"pinned to {pin.Version}{(pin.ExpiresAt is { } until ? $" until {until:yyyy-MM-dd'T'HH:mm:ss'Z'}" : string.Empty)}: {pin.Reason}");
        return TypedResults.Ok(PinResponse.From(pin));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string tenant, string name, ClaimsPrincipal user, IAuthorizer authorizer, PinService pins, AuditLog audit, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Delete, ResourceRef.InTenant(tenant, ResourceKinds.InstancePin, name)) is { } refusal)
        {
            return refusal;
        }

        if (!await pins.ClearAsync(tenant, name, context.RequestAborted))
        {
            return AccessDecisionResults.NotFound($"Instance {tenant}/{name} is not pinned.");
        }

        await audit.RecordAsync(context, principal, FleetAuditActions.PinCleared, tenant, name);
        return TypedResults.NoContent();
    }
}
