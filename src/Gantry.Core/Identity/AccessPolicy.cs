namespace Gantry.Core.Identity;

/// <summary>What a principal wants to do with a resource.</summary>
public enum ResourceAction
{
    Read,
    Create,
    Update,
    Delete,
}

/// <summary>The kinds of resource the policy knows. Later features add theirs here and to <see cref="AccessPolicy"/>.</summary>
public static class ResourceKinds
{
    public const string Tenant = "tenant";
    public const string Member = "member";
    public const string ApiKey = "api-key";
    public const string Audit = "audit";
    public const string User = "user";
    public const string Instance = "instance";
    public const string Environment = "environment";
    public const string SealingKey = "sealing-key";
    public const string ChangeRequest = "change-request";
    public const string InstancePin = "instance-pin";
    public const string Rollout = "rollout";
}

/// <summary>
/// The thing acted on. <see cref="Tenant"/> is null for platform-wide resources (users, the audit log as a whole);
/// <see cref="Name"/> is null for the collection (a list or a create).
/// </summary>
public sealed record ResourceRef(string? Tenant, string Kind, string? Name = null)
{
    public static ResourceRef InTenant(string tenant, string kind, string? name = null) => new(tenant, kind, name);

    public static ResourceRef User(string? id = null) => new(null, ResourceKinds.User, id);
}

/// <summary>The policy's answer, with the status the API turns it into.</summary>
public enum AccessDecision
{
    /// <summary>Go ahead.</summary>
    Allowed,

    /// <summary>The principal may see the resource but not do this to it: 403.</summary>
    Forbidden,

    /// <summary>The principal may not even know the resource exists: 404.</summary>
    NotFound,
}

/// <summary>
/// The pure policy: roles to allowed actions. The server's authorizer is the one place that asks it; every
/// endpoint and every list goes through that authorizer.
/// </summary>
public static class AccessPolicy
{
    public static AccessDecision Decide(Principal principal, ResourceAction action, ResourceRef resource)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(resource);
        if (principal.IsPlatformAdmin)
        {
            return AccessDecision.Allowed;
        }

        if (resource.Tenant is null)
        {
            return DecidePlatformWide(principal, action, resource);
        }

        // Not a member: the tenant and everything in it do not exist for this principal.
        if (principal.RoleIn(resource.Tenant) is not { } role)
        {
            return AccessDecision.NotFound;
        }

        return MinimumRole(action, resource.Kind) is { } needed && role >= needed
            ? AccessDecision.Allowed
            : AccessDecision.Forbidden;
    }

    /// <summary>Whether <paramref name="action"/> is allowed; a shorthand for filters.</summary>
    public static bool Allows(Principal principal, ResourceAction action, ResourceRef resource) =>
        Decide(principal, action, resource) == AccessDecision.Allowed;

    /// <summary>The least role that may do <paramref name="action"/> on a <paramref name="kind"/> in a tenant; null for platform admins only.</summary>
    public static TenantRole? MinimumRole(ResourceAction action, string kind) => (kind, action) switch
    {
        // Creating, changing quotas of, and deleting tenants is the platform's business.
        (ResourceKinds.Tenant, ResourceAction.Read) => TenantRole.Viewer,
        (ResourceKinds.Tenant, _) => null,
        (ResourceKinds.Member, ResourceAction.Read) => TenantRole.Viewer,
        (ResourceKinds.Member, _) => TenantRole.Admin,
        (ResourceKinds.ApiKey, _) => TenantRole.Admin,
        (ResourceKinds.Audit, ResourceAction.Read) => TenantRole.Admin,
        (ResourceKinds.Audit, _) => null,
        (ResourceKinds.Instance or ResourceKinds.Environment, ResourceAction.Read) => TenantRole.Viewer,
        (ResourceKinds.Instance or ResourceKinds.Environment, _) => TenantRole.Operator,

        // Anyone in the tenant may fetch the certificate to seal with; only admins take the private key or rotate.
        (ResourceKinds.SealingKey, ResourceAction.Read) => TenantRole.Viewer,
        (ResourceKinds.SealingKey, _) => TenantRole.Admin,

        // Everyone in the pool sees what is proposed; deciding (approve, reject) is for its administrators. Who may
        // propose follows the kind of the change (an environment: operators), checked against that kind.
        (ResourceKinds.ChangeRequest, ResourceAction.Read) => TenantRole.Viewer,
        (ResourceKinds.ChangeRequest, _) => TenantRole.Admin,

        // Holding an instance back from the fleet, and moving a tenant's fleet, are its administrators' decisions.
        (ResourceKinds.InstancePin or ResourceKinds.Rollout, ResourceAction.Read) => TenantRole.Viewer,
        (ResourceKinds.InstancePin or ResourceKinds.Rollout, _) => TenantRole.Admin,
        _ => null,
    };

    // Users: everyone may read and update their own record (email, password); only platform admins see or
    // manage others, and a user's record is invisible to other users.
    private static AccessDecision DecidePlatformWide(Principal principal, ResourceAction action, ResourceRef resource)
    {
        if (resource.Kind == ResourceKinds.User && resource.Name is not null
            && principal.Kind != PrincipalKind.ApiKey && string.Equals(resource.Name, principal.Id, StringComparison.Ordinal))
        {
            return action is ResourceAction.Read or ResourceAction.Update ? AccessDecision.Allowed : AccessDecision.Forbidden;
        }

        // The collection is no secret (anyone may ask to list it); another user's record is.
        return resource.Name is null ? AccessDecision.Forbidden : AccessDecision.NotFound;
    }
}
