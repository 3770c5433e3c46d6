namespace Gantry.Core.Instances;

/// <summary>Limits a platform admin sets per tenant. Null means no limit.</summary>
public sealed record TenantQuota
{
    public static TenantQuota Unlimited { get; } = new();

    public int? MaxInstances { get; init; }

    public int? MaxReplicasPerInstance { get; init; }

    /// <summary>Offerings the tenant may use; null for all.</summary>
    public IReadOnlyCollection<string>? AllowedOfferings { get; init; }
}
