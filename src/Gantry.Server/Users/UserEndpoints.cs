using System.Security.Claims;
using Gantry.Core.Identity;
using Gantry.Core.Validation;
using Gantry.Data.Identity;
using Gantry.Data.Tenants;
using Gantry.Data.Users;
using Gantry.Server.Audit;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Gantry.Server.Hosting;

namespace Gantry.Server.Users;

public sealed record CreateUserRequest
{
    public string? Username { get; init; }

    public string? Password { get; init; }

    public string? Email { get; init; }

    public bool IsPlatformAdmin { get; init; }
}

/// <summary>Fields left out stay as they are.</summary>
public sealed record PatchUserRequest
{
    public string? Email { get; init; }

    public string? Password { get; init; }

    public bool? IsPlatformAdmin { get; init; }
}

public sealed record MembershipSummary(string Tenant, string Role);

/// <summary>A user as the API shows it: never the password hash.</summary>
public sealed record UserResponse(
    string Id, string Username, string? Email, bool IsPlatformAdmin, string? ExternalIssuer,
    IReadOnlyList<MembershipSummary> Memberships, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// <c>/api/v1/users</c>: platform administrators manage users; everyone reads and updates their own record
/// (email, password). Another user's record answers 404.
/// </summary>
public static class UserEndpoints
{
    public const int MaxUsernameLength = 64;

    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/users").WithTags("Users").RequireAuthorization().AnswersProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        group.MapPost("/", CreateAsync).WithName("CreateUser").WithSummary("Creates a local user with a password (platform administrators).");
        group.MapGet("/", ListAsync).WithName("ListUsers").WithSummary("Lists the users the caller may see: all for platform administrators, else themselves.");
        group.MapGet("/{id}", GetAsync).WithName("GetUser").WithSummary("Reads one user with their memberships.");
        group.MapPatch("/{id}", UpdateAsync).WithName("UpdateUser").WithSummary("Changes email or password; platform administrators also the platform-admin flag.");
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteUser").WithSummary("Deletes a user with their memberships and refresh tokens (platform administrators).");
        return endpoints;
    }

    internal static async Task<Results<Created<UserResponse>, ProblemHttpResult>> CreateAsync(
        CreateUserRequest request, ClaimsPrincipal user, IAuthorizer authorizer, UserRepository users, PasswordLogin passwords, AuditLog audit,
        TimeProvider time, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Create, ResourceRef.User()) is { } refusal)
        {
            return refusal;
        }

        var errors = new ValidationErrors();
        ValidateUsername(request.Username, errors);
        ValidateEmail(request.Email, errors);
        PasswordPolicy.Validate(request.Password, request.Username, "password", errors);
        errors.ThrowIfAny();

        var now = time.GetUtcNow();
        var created = new UserRecord
        {
            Id = Guid.CreateVersion7(now).ToString(),
            Username = request.Username!,
            Email = request.Email,
            IsPlatformAdmin = request.IsPlatformAdmin,
            CreatedAt = now,
            UpdatedAt = now,
        };
        created = created with { PasswordHash = passwords.Hash(created, request.Password!) };
        if (!await users.TryInsertAsync(created, context.RequestAborted))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The username is taken.", detail: $"A user named '{created.Username}' exists already.");
        }

        await audit.RecordAsync(context, principal, AuditActions.UserCreated, target: created.Id, detail: created.IsPlatformAdmin ? "platform-admin" : null);
        return TypedResults.Created($"/api/v1/users/{created.Id}", ToResponse(created, []));
    }

    internal static async Task<Ok<IReadOnlyList<UserResponse>>> ListAsync(
        ClaimsPrincipal user, IAuthorizer authorizer, UserRepository users, MembershipRepository memberships, CancellationToken cancellationToken)
    {
        var visible = authorizer.Filter(user.ToPrincipal(), await users.ListAsync(cancellationToken), u => ResourceRef.User(u.Id));
        var result = new List<UserResponse>(visible.Count);
        foreach (var found in visible)
        {
            result.Add(ToResponse(found, await memberships.ListForUserAsync(found.Id, cancellationToken)));
        }

        return TypedResults.Ok<IReadOnlyList<UserResponse>>(result);
    }

    internal static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetAsync(
        string id, ClaimsPrincipal user, IAuthorizer authorizer, UserRepository users, MembershipRepository memberships, CancellationToken cancellationToken)
    {
        if (authorizer.Refuse(user.ToPrincipal(), ResourceAction.Read, ResourceRef.User(id)) is { } refusal)
        {
            return refusal;
        }

        return await users.FindByIdAsync(id, cancellationToken) is { } found
            ? TypedResults.Ok(ToResponse(found, await memberships.ListForUserAsync(id, cancellationToken)))
            : AccessDecisionResults.NotFound();
    }

    internal static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> UpdateAsync(
        string id, PatchUserRequest request, ClaimsPrincipal user, IAuthorizer authorizer, UserRepository users, MembershipRepository memberships,
        RefreshTokenRepository refreshTokens, PasswordLogin passwords, AuditLog audit, TimeProvider time, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Update, ResourceRef.User(id)) is { } refusal)
        {
            return refusal;
        }

        // Promotion is the platform's business, not a user's own.
        if (request.IsPlatformAdmin is not null && !principal.IsPlatformAdmin)
        {
            return AccessDecision.Forbidden.ToProblem();
        }

        if (await users.FindByIdAsync(id, context.RequestAborted) is not { } found)
        {
            return AccessDecisionResults.NotFound();
        }

        if (request.IsPlatformAdmin == false && found.IsPlatformAdmin && string.Equals(id, principal.Id, StringComparison.Ordinal))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "You cannot demote yourself.",
                detail: "Ask another platform administrator, so that one always remains.");
        }

        var errors = new ValidationErrors();
        ValidateEmail(request.Email, errors);
        if (request.Password is not null)
        {
            PasswordPolicy.Validate(request.Password, found.Username, "password", errors);
        }

        errors.ThrowIfAny();
        var now = time.GetUtcNow();
        var updated = found with
        {
            Email = request.Email ?? found.Email,
            IsPlatformAdmin = request.IsPlatformAdmin ?? found.IsPlatformAdmin,
            PasswordHash = request.Password is null ? found.PasswordHash : passwords.Hash(found, request.Password),
            UpdatedAt = now,
        };
        await users.UpdateAsync(updated, context.RequestAborted);
        if (request.Password is not null)
        {
            // A new password ends every session that the old one opened.
            await refreshTokens.RevokeForUserAsync(id, now, context.RequestAborted);
        }

        var changed = string.Join(", ", new[] { request.Email is null ? null : "email", request.Password is null ? null : "password", request.IsPlatformAdmin is null ? null : $"platform-admin={updated.IsPlatformAdmin}" }.OfType<string>());
        await audit.RecordAsync(context, principal, AuditActions.UserUpdated, target: id, detail: changed);
        return TypedResults.Ok(ToResponse(updated, await memberships.ListForUserAsync(id, context.RequestAborted)));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, ClaimsPrincipal user, IAuthorizer authorizer, UserRepository users, AuditLog audit, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Delete, ResourceRef.User(id)) is { } refusal)
        {
            return refusal;
        }

        if (string.Equals(id, principal.Id, StringComparison.Ordinal))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "You cannot delete yourself.",
                detail: "Ask another platform administrator, so that one always remains.");
        }

        if (!await users.DeleteAsync(id, context.RequestAborted))
        {
            return AccessDecisionResults.NotFound();
        }

        await audit.RecordAsync(context, principal, AuditActions.UserDeleted, target: id);
        return TypedResults.NoContent();
    }

    private static UserResponse ToResponse(UserRecord user, IReadOnlyList<MembershipRecord> memberships) => new(
        user.Id, user.Username, user.Email, user.IsPlatformAdmin, user.ExternalIssuer,
        [.. memberships.Select(m => new MembershipSummary(m.Tenant, m.Role))], user.CreatedAt, user.UpdatedAt);

    // Usernames appear in audit records and URLs: lower-case letters, digits and . _ @ - keep them unambiguous.
    private static void ValidateUsername(string? username, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(username) || username.Length > MaxUsernameLength
            || !username.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '@' or '-'))
        {
            errors.Add("username", $"must be 1 to {MaxUsernameLength} lower-case letters, digits or . _ @ -");
        }
    }

    private static void ValidateEmail(string? email, ValidationErrors errors)
    {
        if (email is not null && (email.Length > 254 || email.IndexOf('@', StringComparison.Ordinal) is <= 0 || email.EndsWith('@')))
        {
            errors.Add("email", "must be an email address");
        }
    }
}
