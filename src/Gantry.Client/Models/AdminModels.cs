namespace Gantry.Client;

/// <summary>Limits of a tenant; null means no limit (<c>/api/v1/tenants</c>).</summary>
public sealed record TenantQuotas
{
    public int? MaxInstances { get; init; }

    public int? MaxReplicasPerInstance { get; init; }

    public IReadOnlyList<string>? AllowedOfferings { get; init; }

    public IReadOnlyList<string>? AllowedEnvironmentTypes { get; init; }
}

public sealed record Tenant(string Name, string? DisplayName, TenantQuotas Quotas, DateTimeOffset CreatedAt);

public sealed record TenantRequest
{
    public string? Name { get; init; }

    public string? DisplayName { get; init; }

    public TenantQuotas? Quotas { get; init; }
}

/// <summary>What a tenant update changes: fields left null stay; <see cref="Quotas"/>, when given, replaces all quotas.</summary>
public sealed record TenantPatch
{
    public string? DisplayName { get; init; }

    public TenantQuotas? Quotas { get; init; }
}

public sealed record Member(string Tenant, string UserId, string? Username, string Role, DateTimeOffset CreatedAt);

public sealed record MembershipSummary(string Tenant, string Role);

/// <summary>A user as the API shows it: never the password hash.</summary>
public sealed record User(
    string Id, string Username, string? Email, bool IsPlatformAdmin, string? ExternalIssuer,
    IReadOnlyList<MembershipSummary> Memberships, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record UserRequest
{
    public required string Username { get; init; }

    public required string Password { get; init; }

    public string? Email { get; init; }

    public bool IsPlatformAdmin { get; init; }
}

/// <summary>What a user update changes; fields left null stay.</summary>
public sealed record UserPatch
{
    public string? Email { get; init; }

    public string? Password { get; init; }

    public bool? IsPlatformAdmin { get; init; }
}

/// <summary>An API key as listed: never its secret.</summary>
public sealed record ApiKey(string Id, string Tenant, string Name, string Role, string Prefix, string CreatedBy,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

public sealed record ApiKeyRequest
{
    public required string Name { get; init; }

    public required string Role { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>The answer to a create: the only time the secret <see cref="Key"/> is ever shown.</summary>
public sealed record CreatedApiKey(ApiKey ApiKey, string Key);
