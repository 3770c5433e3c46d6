using Gantry.Core.Identity;
using Gantry.Data.Identity;
using Gantry.Data.Tenants;
using Gantry.Data.Users;
using Gantry.Data;

namespace Gantry.Server.Identity;

/// <summary>
/// Reads a user's principal from the database for every request, so a removed membership, a demotion or a deleted
/// user takes effect at once rather than when the access token expires. Where the database can say that no user,
/// membership or tenant changed since (<see cref="IMetadataDatabase.IdentityVersion"/>: SQLite, which only this
/// process writes), the principal read for an earlier request is used again: reading it was a fifth of the server's
/// CPU per instance change. With PostgreSQL, which replicas share, it is read every time.
/// </summary>
public sealed class UserPrincipalLoader(UserRepository users, MembershipRepository memberships, RefreshTokenRepository refreshTokens, IMetadataDatabase database)
{
    private readonly IdentityCache<(string UserId, PrincipalKind Kind), Principal?> _loaded = new(database, 10_000);
    private readonly IdentityCache<string, bool> _revokedLogins = new(database, 10_000, StringComparer.Ordinal);

    /// <summary>Whether the login an access token names was revoked; cached like principals (revocations move the identity version).</summary>
    public Task<bool> IsLoginRevokedAsync(string familyId, CancellationToken cancellationToken = default) =>
        _revokedLogins.GetAsync(familyId, () => refreshTokens.IsFamilyRevokedAsync(familyId, cancellationToken));

    public Task<Principal?> LoadAsync(string userId, PrincipalKind kind, CancellationToken cancellationToken = default) =>
        _loaded.GetAsync((userId, kind), async () =>
        {
            var user = await users.FindByIdAsync(userId, cancellationToken);
            return user is null ? null : await ToPrincipalAsync(user, kind, cancellationToken);
        });

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
