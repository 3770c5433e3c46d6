namespace Gantry.Core.Environments;

/// <summary>What an environment type allows and implies: placement, availability, lifetime, approval.</summary>
public sealed record EnvironmentTypePolicy
{
    /// <summary>Run every service with <see cref="Replicas"/> replicas (more than one) instead of one.</summary>
    public bool HighAvailability { get; init; }

    /// <summary>Replicas per service; 1 unless <see cref="HighAvailability"/>.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>The pools an environment of this type may be placed in; empty allows every configured pool.</summary>
    public IReadOnlyList<string> Pools { get; init; } = [];

    /// <summary>Changes wait for a change request to be approved by another admin of the pool.</summary>
    public bool RequiresApproval { get; init; }

    /// <summary>The deployment methods allowed; the first is the default when a claim names none.</summary>
    public IReadOnlyList<string> DeploymentMethods { get; init; } = [Environments.DeploymentMethods.Bucket, Environments.DeploymentMethods.Git];

    /// <summary>Prereleases (dev tags such as <c>1.3.0-dev.4</c>) may satisfy constraints.</summary>
    public bool AllowDevTags { get; init; }

    /// <summary>The lifetime when a claim sets no <c>expiration_date</c>; null never expires by default.</summary>
    public TimeSpan? DefaultLifetime { get; init; }

    /// <summary>The longest lifetime from creation (and the furthest <c>extend</c> reaches); null for no bound.</summary>
    public TimeSpan? MaxLifetime { get; init; }

    public bool AllowsPool(string pool) => Pools.Count == 0 || Pools.Contains(pool, StringComparer.Ordinal);

    public string DefaultDeploymentMethod => DeploymentMethods.Count > 0 ? DeploymentMethods[0] : Environments.DeploymentMethods.Bucket;
}

/// <summary>A node pool: where the services of environments in it are scheduled.</summary>
public sealed record PoolPolicy
{
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyList<PoolToleration> Tolerations { get; init; } = [];
}

/// <summary>A Kubernetes toleration the pool's nodes need (their taint).</summary>
public sealed record PoolToleration
{
    public required string Key { get; init; }

    /// <summary><c>Equal</c> or <c>Exists</c>.</summary>
    public string Operator { get; init; } = "Equal";

    public string? Value { get; init; }

    /// <summary><c>NoSchedule</c>, <c>PreferNoSchedule</c> or <c>NoExecute</c>.</summary>
    public string Effect { get; init; } = "NoSchedule";
}

/// <summary>
/// The environment types and pools in force. <see cref="Default"/> is the platform-service design's: dev has no HA
/// and no expiry in general-restricted, general-public or spot; stage is HA in general-restricted, general-public or
/// memory; prod is HA in any pool, Git only, behind approval; sue (a short-lived user environment) has no HA, accepts
/// dev tags and expires 24 hours after creation unless it sets its own date, at most 7 days.
/// </summary>
public sealed record EnvironmentPolicies
{
    public const string PoolLabel = "gantry.dev/pool";

    public required IReadOnlyDictionary<string, EnvironmentTypePolicy> Types { get; init; }

    public required IReadOnlyDictionary<string, PoolPolicy> Pools { get; init; }

    public static EnvironmentPolicies Default { get; } = new()
    {
        Types = new Dictionary<string, EnvironmentTypePolicy>(StringComparer.Ordinal)
        {
            ["dev"] = new() { Pools = ["general-restricted", "general-public", "spot"] },
            ["stage"] = new() { HighAvailability = true, Replicas = 2, Pools = ["general-restricted", "general-public", "memory"] },
            ["prod"] = new()
            {
                HighAvailability = true,
                Replicas = 3,
                RequiresApproval = true,
                DeploymentMethods = [DeploymentMethods.Git],
            },
            ["sue"] = new()
            {
                AllowDevTags = true,
                DefaultLifetime = TimeSpan.FromHours(24),
                MaxLifetime = TimeSpan.FromDays(7),
            },
        },
        Pools = new Dictionary<string, PoolPolicy>(StringComparer.Ordinal)
        {
            ["general-restricted"] = Pool("general-restricted"),
            ["general-public"] = Pool("general-public"),
            ["spot"] = Pool("spot", tainted: true),
            ["memory"] = Pool("memory", tainted: true),
        },
    };

    public EnvironmentTypePolicy? Type(string? name) => name is null ? null : Types.GetValueOrDefault(name);

    public PoolPolicy? Pool(string? name) => name is null ? null : Pools.GetValueOrDefault(name);

    /// <summary>
    /// The expiry a claim gets: its own date when it sets one, else creation plus the type's default lifetime
    /// (null for none).
    /// </summary>
    public static DateTimeOffset? ExpiryOf(EnvironmentTypePolicy policy, DateTimeOffset created, DateTimeOffset? requested)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return requested ?? (policy.DefaultLifetime is { } lifetime ? created + lifetime : null);
    }

    // Nodes of a pool carry the gantry.dev/pool label; spot and memory nodes are also tainted so that only
    // environments placed there land on them.
    private static PoolPolicy Pool(string name, bool tainted = false) => new()
    {
        NodeSelector = new Dictionary<string, string>(StringComparer.Ordinal) { [PoolLabel] = name },
        Tolerations = tainted ? [new PoolToleration { Key = PoolLabel, Value = name }] : [],
    };
}
