namespace Gantry.Core.Identity;

/// <summary>How a principal proved who it is.</summary>
public enum PrincipalKind
{
    /// <summary>A local user with a Gantry-issued access token.</summary>
    User,

    /// <summary>A tenant API key: one tenant, one role.</summary>
    ApiKey,

    /// <summary>A user whose bearer token came from a configured external OpenID Connect issuer.</summary>
    External,
}

/// <summary>
/// Who is calling, as the policy sees it: an id, the tenant roles and whether it spans all tenants.
/// Built once per request from the authenticated identity; carries no secret.
/// </summary>
public sealed record Principal
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required PrincipalKind Kind { get; init; }

    public bool IsPlatformAdmin { get; init; }

    /// <summary>
    /// The user's address as the database held it when the request was authenticated, for commit authors; null for
    /// API keys and users without one. Carried here so that a change does not read the user a second time.
    /// </summary>
    public string? Email { get; init; }

    public IReadOnlyDictionary<string, TenantRole> Memberships { get; init; } = new Dictionary<string, TenantRole>(StringComparer.Ordinal);

    /// <summary>The role held in <paramref name="tenant"/>, or null for none.</summary>
    public TenantRole? RoleIn(string tenant) => Memberships.TryGetValue(tenant, out var role) ? role : null;
}
