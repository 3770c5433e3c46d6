using Gantry.Core.Identity;
using Gantry.Data.Tenants;
using Gantry.Data.Users;

namespace Gantry.Server.Identity;

/// <summary>
/// Reads a user's principal from the database on every request, so a removed membership, a demotion or a deleted
/// user takes effect at once rather than when the access token expires.
/// </summary>
public sealed class UserPrincipalLoader(UserRepository users, MembershipRepository memberships)
{
    public async Task<Principal?> LoadAsync(string userId, PrincipalKind kind, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByIdAsync(userId, cancellationToken);
        return user is null ? null : await ToPrincipalAsync(user, kind, cancellationToken);
    }

    public async Task<Principal> ToPrincipalAsync(UserRecord user, PrincipalKind kind, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var roles = new Dictionary<string, TenantRole>(StringComparer.Ordinal);
        foreach (var membership in await memberships.ListForUserAsync(user.Id, cancellationToken))
        {
            if (TenantRoles.TryParse(membership.Role, out var role))
            {
                roles[membership.Tenant] = role;
            }
        }

        return new Principal
        {
            Id = user.Id,
            Name = user.Username,
            Kind = kind,
            IsPlatformAdmin = user.IsPlatformAdmin,
            Email = user.Email,
            Memberships = roles,
        };
    }
}
