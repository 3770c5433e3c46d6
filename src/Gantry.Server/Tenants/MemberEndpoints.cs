using System.Security.Claims;
using Gantry.Core.Identity;
using Gantry.Core.Validation;
using Gantry.Data.Tenants;
using Gantry.Data.Users;
using Gantry.Server.Audit;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Gantry.Server.Hosting;

namespace Gantry.Server.Tenants;

public sealed record SetMemberRequest
{
    public string? Role { get; init; }
}

public sealed record MemberResponse(string Tenant, string UserId, string? Username, string Role, DateTimeOffset CreatedAt);

/// <summary><c>/api/v1/tenants/{tenant}/members</c>: members read the list; tenant admins set and remove roles.</summary>
public static class MemberEndpoints
{
    public static IEndpointRouteBuilder MapMemberEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/tenants/{tenant}/members").WithTags("Tenants").RequireAuthorization().AnswersProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
        group.MapGet("/", ListAsync).WithName("ListMembers").WithSummary("Lists the tenant's members and their roles.");
        group.MapPut("/{userId}", SetAsync).WithName("SetMember").WithSummary("Adds a user to the tenant, or changes their role (tenant admins).");
        group.MapDelete("/{userId}", RemoveAsync).WithName("RemoveMember").WithSummary("Removes a user from the tenant (tenant admins).");
        return endpoints;
    }

    internal static async Task<Results<Ok<IReadOnlyList<MemberResponse>>, ProblemHttpResult>> ListAsync(
        string tenant, ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants, MembershipRepository memberships, UserRepository users,
        CancellationToken cancellationToken)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Read, ResourceRef.InTenant(tenant, ResourceKinds.Member)) is { } refusal)
        {
            return refusal;
        }

        if (await tenants.FindAsync(tenant, cancellationToken) is null)
        {
            return AccessDecisionResults.NotFound();
        }

        var visible = authorizer.Filter(principal, await memberships.ListForTenantAsync(tenant, cancellationToken), m => ResourceRef.InTenant(m.Tenant, ResourceKinds.Member, m.UserId));
        var result = new List<MemberResponse>(visible.Count);
        foreach (var membership in visible)
        {
            var member = await users.FindByIdAsync(membership.UserId, cancellationToken);
            result.Add(new MemberResponse(membership.Tenant, membership.UserId, member?.Username, membership.Role, membership.CreatedAt));
        }

        return TypedResults.Ok<IReadOnlyList<MemberResponse>>(result);
    }

    internal static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> SetAsync(
        string tenant, string userId, SetMemberRequest request, ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants,
        MembershipRepository memberships, UserRepository users, AuditLog audit, TimeProvider time, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Update, ResourceRef.InTenant(tenant, ResourceKinds.Member, userId)) is { } refusal)
        {
            return refusal;
        }

        var errors = new ValidationErrors();
        if (!TenantRoles.TryParse(request.Role, out var role))
        {
            errors.Add("role", $"must be one of {string.Join(", ", TenantRoles.All)}");
        }

        errors.ThrowIfAny();
        if (await tenants.FindAsync(tenant, context.RequestAborted) is null)
        {
            return AccessDecisionResults.NotFound();
        }

        if (await users.FindByIdAsync(userId, context.RequestAborted) is not { } member)
        {
            return AccessDecisionResults.NotFound($"There is no user with id '{userId}'.");
        }

        var record = new MembershipRecord { Tenant = tenant, UserId = userId, Role = role.ToName(), CreatedAt = time.GetUtcNow() };
        await memberships.UpsertAsync(record, context.RequestAborted);
        await audit.RecordAsync(context, principal, AuditActions.MemberSet, tenant, userId, $"role {record.Role}");
        return TypedResults.Ok(new MemberResponse(tenant, userId, member.Username, record.Role, record.CreatedAt));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        string tenant, string userId, ClaimsPrincipal user, IAuthorizer authorizer, MembershipRepository memberships, AuditLog audit, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Delete, ResourceRef.InTenant(tenant, ResourceKinds.Member, userId)) is { } refusal)
        {
            return refusal;
        }

        if (!await memberships.DeleteAsync(tenant, userId, context.RequestAborted))
        {
            return AccessDecisionResults.NotFound();
        }

        await audit.RecordAsync(context, principal, AuditActions.MemberRemoved, tenant, userId);
        return TypedResults.NoContent();
    }
}
