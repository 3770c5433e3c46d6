using System.Security.Claims;
using Gantry.Core.Identity;

namespace Gantry.Server.Identity;

/// <summary>
/// The claims every authentication scheme produces, whatever proved the caller: Gantry JWT, API key or an external
/// issuer. The authorizer reads only these, so one policy serves all of them.
/// </summary>
public static class GantryClaims
{
    public const string Subject = "sub";

    /// <summary>The login (refresh token family) an access token was issued for (OpenID Connect's session id claim).</summary>
    public const string Login = "sid";
    public const string Name = "name";
    public const string Kind = "gantry_kind";
    public const string PlatformAdmin = "platform_admin";
    public const string Email = "email";

    /// <summary>One claim per membership, <c>tenant:role</c>.</summary>
    public const string TenantRole = "tenant_role";

    public const string AuthenticationType = "Gantry";

    public static ClaimsIdentity CreateIdentity(Principal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var identity = new ClaimsIdentity(AuthenticationType, Name, null);
        identity.AddClaim(new Claim(Subject, principal.Id));
        identity.AddClaim(new Claim(Name, principal.Name));
        identity.AddClaim(new Claim(Kind, principal.Kind.ToString()));
        if (principal.IsPlatformAdmin)
        {
            identity.AddClaim(new Claim(PlatformAdmin, "true"));
        }

        if (principal.Email is not null)
        {
            identity.AddClaim(new Claim(Email, principal.Email));
        }

        foreach (var (tenant, role) in principal.Memberships)
        {
            identity.AddClaim(new Claim(TenantRole, $"{tenant}:{role.ToName()}"));
        }

        return identity;
    }

    /// <summary>The principal of an authenticated request. Only identities built by <see cref="CreateIdentity"/> count.</summary>
    public static Principal ToPrincipal(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var identity = user.Identities.FirstOrDefault(i => i.IsAuthenticated && i.AuthenticationType == AuthenticationType)
            ?? throw new InvalidOperationException("The request has no Gantry identity; is the endpoint missing RequireAuthorization()?");
        var memberships = new Dictionary<string, Core.Identity.TenantRole>(StringComparer.Ordinal);
        foreach (var claim in identity.FindAll(TenantRole))
        {
            var separator = claim.Value.LastIndexOf(':');
            if (separator > 0 && TenantRoles.TryParse(claim.Value[(separator + 1)..], out var role))
            {
                memberships[claim.Value[..separator]] = role;
            }
        }

        return new Principal
        {
            Id = identity.FindFirst(Subject)!.Value,
            Name = identity.FindFirst(Name)?.Value ?? string.Empty,
            Kind = Enum.Parse<PrincipalKind>(identity.FindFirst(Kind)!.Value),
            IsPlatformAdmin = identity.HasClaim(PlatformAdmin, "true"),
            Email = identity.FindFirst(Email)?.Value,
            Memberships = memberships,
        };
    }

    /// <summary>Merges memberships, keeping the higher role where both name a tenant.</summary>
    public static Dictionary<string, Core.Identity.TenantRole> Merge(
        IEnumerable<KeyValuePair<string, Core.Identity.TenantRole>> first, IEnumerable<KeyValuePair<string, Core.Identity.TenantRole>> second)
    {
        var merged = new Dictionary<string, Core.Identity.TenantRole>(StringComparer.Ordinal);
        foreach (var (tenant, role) in first.Concat(second))
        {
            if (!merged.TryGetValue(tenant, out var existing) || role > existing)
            {
                merged[tenant] = role;
            }
        }

        return merged;
    }
}
