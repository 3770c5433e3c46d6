using System.Security.Claims;
using Gantry.Core.Identity;
using Gantry.Core.Validation;
using Gantry.Data.Identity;
using Gantry.Data.Tenants;
using Gantry.Server.Audit;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Gantry.Server.Hosting;

namespace Gantry.Server.ApiKeys;

public sealed record CreateApiKeyRequest
{
    public string? Name { get; init; }

    public string? Role { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>An API key as listed: never its secret.</summary>
public sealed record ApiKeyResponse(string Id, string Tenant, string Name, string Role, string Prefix, string CreatedBy,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeyResponse From(ApiKeyRecord key) =>
        new(key.Id, key.Tenant, key.Name, key.Role, key.Prefix, key.CreatedBy, key.CreatedAt, key.ExpiresAt, key.RevokedAt);
}

/// <summary>The answer to a create: the only time the secret <see cref="Key"/> is ever shown.</summary>
public sealed record CreatedApiKeyResponse(ApiKeyResponse ApiKey, string Key);

/// <summary><c>/api/v1/tenants/{tenant}/api-keys</c>: tenant admins create, list and revoke keys for automation.</summary>
public static class ApiKeyEndpoints
{
    public const int MaxNameLength = 100;

    /// <summary>How much of the key is kept to recognise it in a list: the prefix and a few random characters.</summary>
    private const int ShownPrefixLength = 14;

    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/tenants/{tenant}/api-keys").WithTags("API keys").RequireAuthorization().AnswersProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
        group.MapPost("/", CreateAsync).WithName("CreateApiKey").WithSummary("Creates an API key with a role; the answer holds the secret, shown this once.");
        group.MapGet("/", ListAsync).WithName("ListApiKeys").WithSummary("Lists the tenant's API keys, without secrets.");
        group.MapDelete("/{id}", RevokeAsync).WithName("RevokeApiKey").WithSummary("Revokes an API key; it stops working at once.");
        return endpoints;
    }

    internal static async Task<Results<Created<CreatedApiKeyResponse>, ProblemHttpResult>> CreateAsync(
        string tenant, CreateApiKeyRequest request, ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants, ApiKeyRepository keys,
        AuditLog audit, TimeProvider time, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Create, ResourceRef.InTenant(tenant, ResourceKinds.ApiKey)) is { } refusal)
        {
            return refusal;
        }

        var now = time.GetUtcNow();
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > MaxNameLength)
        {
            errors.Add("name", $"must be 1 to {MaxNameLength} characters, to say what the key is for");
        }

        if (!TenantRoles.TryParse(request.Role, out var role))
        {
            errors.Add("role", $"must be one of {string.Join(", ", TenantRoles.All)}");
        }

        if (request.ExpiresAt is { } expires && expires <= now)
        {
            errors.Add("expiresAt", "must be in the future");
        }

        errors.ThrowIfAny();
        if (await tenants.FindAsync(tenant, context.RequestAborted) is null)
        {
            return AccessDecisionResults.NotFound();
        }

        var secret = Secrets.Create(Secrets.ApiKeyPrefix);
        var key = new ApiKeyRecord
        {
            Id = Guid.CreateVersion7(now).ToString(),
            Tenant = tenant,
            Name = request.Name!,
            Role = role.ToName(),
            Prefix = secret[..ShownPrefixLength],
            SecretHash = Secrets.Hash(secret),
            CreatedBy = principal.Id,
            CreatedAt = now,
            ExpiresAt = request.ExpiresAt,
        };
        await keys.InsertAsync(key, context.RequestAborted);
        await audit.RecordAsync(context, principal, AuditActions.ApiKeyCreated, tenant, key.Id, $"role {key.Role}");
        return TypedResults.Created($"/api/v1/tenants/{tenant}/api-keys/{key.Id}", new CreatedApiKeyResponse(ApiKeyResponse.From(key), secret));
    }

    internal static async Task<Results<Ok<IReadOnlyList<ApiKeyResponse>>, ProblemHttpResult>> ListAsync(
        string tenant, ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants, ApiKeyRepository keys, CancellationToken cancellationToken)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Read, ResourceRef.InTenant(tenant, ResourceKinds.ApiKey)) is { } refusal)
        {
            return refusal;
        }

        if (await tenants.FindAsync(tenant, cancellationToken) is null)
        {
            return AccessDecisionResults.NotFound();
        }

        var visible = authorizer.Filter(principal, await keys.ListForTenantAsync(tenant, cancellationToken), k => ResourceRef.InTenant(k.Tenant, ResourceKinds.ApiKey, k.Id));
        return TypedResults.Ok<IReadOnlyList<ApiKeyResponse>>([.. visible.Select(ApiKeyResponse.From)]);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string tenant, string id, ClaimsPrincipal user, IAuthorizer authorizer, ApiKeyRepository keys, AuditLog audit, TimeProvider time, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Delete, ResourceRef.InTenant(tenant, ResourceKinds.ApiKey, id)) is { } refusal)
        {
            return refusal;
        }

        if (!await keys.RevokeAsync(tenant, id, time.GetUtcNow(), context.RequestAborted))
        {
            return AccessDecisionResults.NotFound();
        }

        await audit.RecordAsync(context, principal, AuditActions.ApiKeyRevoked, tenant, id);
        return TypedResults.NoContent();
    }
}
