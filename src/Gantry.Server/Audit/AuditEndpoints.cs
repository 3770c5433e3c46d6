using System.Security.Claims;
using Gantry.Core.Identity;
using Gantry.Data.Identity;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Gantry.Server.Hosting;

namespace Gantry.Server.Audit;

public sealed record AuditEventResponse(
    long Id, DateTimeOffset OccurredAt, string? ActorId, string? ActorName, string? ActorKind, string Action, string Outcome,
    string? Tenant, string? Target, string? ClientIp, string? Detail)
{
    public static AuditEventResponse From(AuditEventRecord e) =>
        new(e.Id, e.OccurredAt, e.ActorId, e.ActorName, e.ActorKind, e.Action, e.Outcome, e.Tenant, e.Target, e.ClientIp, e.Detail);
}

/// <summary>
/// <c>GET /api/v1/audit</c>: platform administrators read every event; tenant admins read their tenants' events.
/// Events without a tenant (logins, users) are the platform's.
/// </summary>
public static class AuditEndpoints
{
    public const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api/v1/audit").WithTags("Audit").RequireAuthorization().AnswersProblems(StatusCodes.Status403Forbidden)
            .MapGet("/", ListAsync)
            .WithName("ListAuditEvents")
            .WithSummary("Audit events, newest first; filters ?tenant=, ?actor= (id or name), ?action= (exact, or a prefix ending in *), ?target=, ?since= and ?until= (RFC 3339); ?before= pages by id, ?limit= (at most 500).");
        return endpoints;
    }

    internal static async Task<Results<Ok<IReadOnlyList<AuditEventResponse>>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user, IAuthorizer authorizer, AuditRepository audit, string? tenant, long? before, int? limit, CancellationToken cancellationToken,
        string? actor = null, string? action = null, string? target = null, DateTimeOffset? since = null, DateTimeOffset? until = null)
    {
        var principal = user.ToPrincipal();
        var take = Math.Clamp(limit ?? 100, 1, MaxLimit);
        var query = new AuditQuery { Actor = actor, Action = action, Target = target, Since = since, Until = until, BeforeId = before, Limit = take };
        if (tenant is not null)
        {
            var decision = authorizer.Decide(principal, ResourceAction.Read, ResourceRef.InTenant(tenant, ResourceKinds.Audit));
            return decision == AccessDecision.Allowed
                ? TypedResults.Ok<IReadOnlyList<AuditEventResponse>>([.. (await audit.ListAsync(query with { Tenant = tenant }, cancellationToken)).Select(AuditEventResponse.From)])
                : decision.ToProblem();
        }

        if (principal.IsPlatformAdmin)
        {
            return TypedResults.Ok<IReadOnlyList<AuditEventResponse>>([.. (await audit.ListAsync(query, cancellationToken)).Select(AuditEventResponse.From)]);
        }

        // Everyone else: the events of each tenant the policy lets them read, merged newest first.
        var readable = authorizer.Filter(principal, principal.Memberships.Keys, t => ResourceRef.InTenant(t, ResourceKinds.Audit));
        var events = new List<AuditEventRecord>();
        foreach (var readableTenant in readable)
        {
            events.AddRange(await audit.ListAsync(query with { Tenant = readableTenant }, cancellationToken));
        }

        return TypedResults.Ok<IReadOnlyList<AuditEventResponse>>([.. events.OrderByDescending(e => e.Id).Take(take).Select(AuditEventResponse.From)]);
    }
}
