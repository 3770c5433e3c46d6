using System.Security.Claims;
using Gantry.Core.Identity;
using Gantry.Core.Validation;
using Gantry.Data.Tenants;
using Gantry.Server.Audit;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Gantry.Server.Hosting;

namespace Gantry.Server.Tenants;

public sealed record CreateTenantRequest
{
    public string? Name { get; init; }

    public string? DisplayName { get; init; }

    public TenantQuotas? Quotas { get; init; }
}

/// <summary>Fields left out stay as they are; <see cref="Quotas"/>, when given, replaces all quotas.</summary>
public sealed record PatchTenantRequest
{
    public string? DisplayName { get; init; }

    public TenantQuotas? Quotas { get; init; }
}

public sealed record TenantResponse(string Name, string? DisplayName, TenantQuotas Quotas, DateTimeOffset CreatedAt)
{
    public static TenantResponse From(TenantRecord tenant) => new(tenant.Name, tenant.DisplayName, tenant.Quotas, tenant.CreatedAt);
}

/// <summary><c>/api/v1/tenants</c>: platform administrators create, change and delete tenants; members read their own.</summary>
public static class TenantEndpoints
{
    public const int MaxDisplayNameLength = 200;

    public static IEndpointRouteBuilder MapTenantEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/tenants").WithTags("Tenants").RequireAuthorization().AnswersProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        group.MapPost("/", CreateAsync).WithName("CreateTenant").WithSummary("Creates a tenant (platform administrators).");
        group.MapGet("/", ListAsync).WithName("ListTenants").WithSummary("Lists the tenants the caller may see.");
        group.MapGet("/{tenant}", GetAsync).WithName("GetTenant").WithSummary("Reads one tenant with its quotas.");
        group.MapPatch("/{tenant}", UpdateAsync).WithName("UpdateTenant").WithSummary("Changes the display name or quotas (platform administrators).");
        group.MapDelete("/{tenant}", DeleteAsync).WithName("DeleteTenant").WithSummary("Deletes a tenant with its memberships and API keys (platform administrators).");
        return endpoints;
    }

    internal static async Task<Results<Created<TenantResponse>, ProblemHttpResult>> CreateAsync(
        CreateTenantRequest request, ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants, AuditLog audit, TimeProvider time, HttpContext context)
    {
        var principal = user.ToPrincipal();
        var errors = new ValidationErrors();
        ResourceName.Validate(request.Name, "name", errors);
        ValidateDisplayName(request.DisplayName, errors);
        request.Quotas?.Validate("quotas", errors);
        errors.ThrowIfAny();

        var decision = authorizer.Decide(principal, ResourceAction.Create, ResourceRef.InTenant(request.Name!, ResourceKinds.Tenant, request.Name));
        if (decision != AccessDecision.Allowed)
        {
            // Creating is never "not found": a caller who may not create tenants is told so.
            return AccessDecision.Forbidden.ToProblem();
        }

        var tenant = new TenantRecord { Name = request.Name!, DisplayName = request.DisplayName, Quotas = request.Quotas ?? new(), CreatedAt = time.GetUtcNow() };
        if (!await tenants.TryInsertAsync(tenant, context.RequestAborted))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The tenant exists.", detail: $"A tenant named '{tenant.Name}' exists already.");
        }

        await audit.RecordAsync(context, principal, AuditActions.TenantCreated, tenant.Name, tenant.Name);
        return TypedResults.Created($"/api/v1/tenants/{tenant.Name}", TenantResponse.From(tenant));
    }

    internal static async Task<Ok<IReadOnlyList<TenantResponse>>> ListAsync(ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants, CancellationToken cancellationToken)
    {
        var visible = authorizer.Filter(user.ToPrincipal(), await tenants.ListAsync(cancellationToken), t => ResourceRef.InTenant(t.Name, ResourceKinds.Tenant, t.Name));
        return TypedResults.Ok<IReadOnlyList<TenantResponse>>([.. visible.Select(TenantResponse.From)]);
    }

    internal static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> GetAsync(
        string tenant, ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants, CancellationToken cancellationToken)
    {
        if (authorizer.Refuse(user.ToPrincipal(), ResourceAction.Read, ResourceRef.InTenant(tenant, ResourceKinds.Tenant, tenant)) is { } refusal)
        {
            return refusal;
        }

        return await tenants.FindAsync(tenant, cancellationToken) is { } found
            ? TypedResults.Ok(TenantResponse.From(found))
            : AccessDecisionResults.NotFound();
    }

    internal static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> UpdateAsync(
        string tenant, PatchTenantRequest request, ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants, AuditLog audit, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Update, ResourceRef.InTenant(tenant, ResourceKinds.Tenant, tenant)) is { } refusal)
        {
            return refusal;
        }

        var errors = new ValidationErrors();
        ValidateDisplayName(request.DisplayName, errors);
        request.Quotas?.Validate("quotas", errors);
        errors.ThrowIfAny();

        if (await tenants.FindAsync(tenant, context.RequestAborted) is not { } found)
        {
            return AccessDecisionResults.NotFound();
        }

        var updated = found with { DisplayName = request.DisplayName ?? found.DisplayName, Quotas = request.Quotas ?? found.Quotas };
        await tenants.UpdateAsync(updated, context.RequestAborted);
        await audit.RecordAsync(context, principal, AuditActions.TenantUpdated, tenant, tenant);
        return TypedResults.Ok(TenantResponse.From(updated));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string tenant, ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants, AuditLog audit, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Delete, ResourceRef.InTenant(tenant, ResourceKinds.Tenant, tenant)) is { } refusal)
        {
            return refusal;
        }

        if (!await tenants.DeleteAsync(tenant, context.RequestAborted))
        {
            return AccessDecisionResults.NotFound();
        }

        await audit.RecordAsync(context, principal, AuditActions.TenantDeleted, tenant, tenant);
        return TypedResults.NoContent();
    }

    private static void ValidateDisplayName(string? displayName, ValidationErrors errors)
    {
        if (displayName is { Length: > MaxDisplayNameLength })
        {
            errors.Add("displayName", $"must be at most {MaxDisplayNameLength} characters");
        }
    }
}
