namespace Gantry.Core.Environments;

/// <summary>What an environment type allows and implies: placement, availability, lifetime, approval.</summary>
public sealed record EnvironmentTypePolicy
{
    /// <summary>Run every service with <see cref="Replicas"/> replicas (more than one) instead of one.</summary>
    public bool HighAvailability { get; init; }

    /// <summary>Replicas per service; 1 unless <see cref="HighAvailability"/>.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>The node pools services of this type may run on; empty allows every configured node pool.</summary>
    public IReadOnlyList<string> NodePools { get; init; } = [];

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

    /// <summary>
    /// Where the environment runs: a namespace on the shared application cluster (dev and sue), or a cluster of its
    /// own that Gantry claims through Crossplane (stage and prod).
    /// </summary>
    public ClusterMode Cluster { get; init; } = ClusterMode.Shared;

    /// <summary>Nodes per node pool of a dedicated cluster.</summary>
    public int ClusterNodesPerPool { get; init; } = 1;

    /// <summary>A dedicated cluster's control plane is highly available (prod).</summary>
    public bool HaControlPlane { get; init; }

    /// <summary>The environment's edge is protected by the web application firewall (stage and prod).</summary>
    public bool EdgeProtection { get; init; }

    /// <summary>The environment gets a public DNS name, <c>&lt;name&gt;.&lt;DnsZone&gt;</c> (stage and prod).</summary>
    public bool PublicDns { get; init; }

    public bool AllowsNodePool(string nodePool) => NodePools.Count == 0 || NodePools.Contains(nodePool, StringComparer.Ordinal);

    public string DefaultDeploymentMethod => DeploymentMethods.Count > 0 ? DeploymentMethods[0] : Environments.DeploymentMethods.Bucket;
}

/// <summary>Whether an environment shares the application cluster or gets its own.</summary>
public enum ClusterMode
{
    Shared,
    Dedicated,
}

/// <summary>
/// A node pool: a group of nodes that workloads are scheduled on, chosen per service (not per environment, and not
/// to be confused with the environment pool, the team that owns environments).
/// </summary>
public sealed record NodePoolPolicy
{
    /// <summary>What the pool is for, for people (docs, error messages).</summary>
    public string Description { get; init; } = string.Empty;

    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The tolerations of the pool's taints; empty for an untainted pool.</summary>
    public IReadOnlyList<PoolToleration> Tolerations { get; init; } = [];

    /// <summary>Extended resources every container placed here requests (<c>nvidia.com/gpu: 1</c> on <c>ai</c>).</summary>
    public IReadOnlyDictionary<string, string> Resources { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
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
/// The environment types and node pools in force. <see cref="Default"/> is the platform design's: dev and sue run
/// on general-restricted, general-public or spot, stage on general-restricted, general-public or memory, prod on any
/// pool; dev has no HA and no expiry; stage and prod are HA; prod is Git only, behind approval; sue (a short-lived
/// user environment) has no HA, accepts dev tags and expires 24 hours after creation unless it sets its own date,
/// at most 7 days.
/// </summary>
public sealed record EnvironmentPolicies
{
    /// <summary>The node label (and taint key) that names a node's pool.</summary>
    public const string NodePoolLabel = "gantry.dev/pool";

    /// <summary>Where a service runs when neither the catalog nor the claim says otherwise.</summary>
    public const string DefaultNodePool = "general-public";

    public required IReadOnlyDictionary<string, EnvironmentTypePolicy> Types { get; init; }

    public required IReadOnlyDictionary<string, NodePoolPolicy> NodePools { get; init; }

    /// <summary>The add-ons every environment gets, shared or dedicated by type.</summary>
    public IReadOnlyList<AddOnPolicy> AddOns { get; init; } = AddOnDefaults.All;

    /// <summary>The DNS zone under which types with <see cref="EnvironmentTypePolicy.PublicDns"/> get a name.</summary>
    public string DnsZone { get; init; } = "environments.example.com";

    /// <summary>The public DNS name of an environment of a type with public DNS; null otherwise.</summary>
    public string? DnsNameOf(EnvironmentClaim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return Type(claim.EnvironmentType)?.PublicDns == true ? $"{claim.EnvironmentName}.{DnsZone}" : null;
    }

    public static EnvironmentPolicies Default { get; } = new()
    {
        Types = new Dictionary<string, EnvironmentTypePolicy>(StringComparer.Ordinal)
        {
            ["dev"] = new() { NodePools = ["general-restricted", "general-public", "spot"] },
            ["stage"] = new()
            {
                HighAvailability = true,
                Replicas = 2,
                NodePools = ["general-restricted", "general-public", "memory"],
                EdgeProtection = true,
                PublicDns = true,
                Cluster = ClusterMode.Dedicated,
                ClusterNodesPerPool = 2,
            },
            ["prod"] = new()
            {
                HighAvailability = true,
                Replicas = 3,
                EdgeProtection = true,
                PublicDns = true,
                Cluster = ClusterMode.Dedicated,
                ClusterNodesPerPool = 3,
                HaControlPlane = true,
                RequiresApproval = true,
                DeploymentMethods = [DeploymentMethods.Git],
            },
            ["sue"] = new()
            {
                NodePools = ["general-restricted", "general-public", "spot"],
                AllowDevTags = true,
                DefaultLifetime = TimeSpan.FromHours(24),
                MaxLifetime = TimeSpan.FromDays(7),
            },
        },
        NodePools = new Dictionary<string, NodePoolPolicy>(StringComparer.Ordinal)
        {
            ["general-restricted"] = Define("general-restricted", "System workloads; tainted so that application pods do not land there unless placed.", tainted: true),
            ["general-public"] = Define("general-public", "Application workloads; the default, untainted."),
            ["memory"] = Define("memory", "Memory-heavy workloads; tainted.", tainted: true),
            ["storage"] = Define("storage", "Storage-heavy workloads (fast local disks); tainted.", tainted: true),
            ["spot"] = Define("spot", "Interruptible spot capacity; tainted.", tainted: true),
            ["ai"] = Define("ai", "GPU nodes; tainted, and every container placed there requests a GPU.", tainted: true) with
            {
                Resources = new Dictionary<string, string>(StringComparer.Ordinal) { ["nvidia.com/gpu"] = "1" },
            },
        },
    };

    public EnvironmentTypePolicy? Type(string? name) => name is null ? null : Types.GetValueOrDefault(name);

    public NodePoolPolicy? NodePool(string? name) => name is null ? null : NodePools.GetValueOrDefault(name);

    /// <summary>
    /// The expiry a claim gets: its own date when it sets one, else creation plus the type's default lifetime
    /// (null for none).
    /// </summary>
    public static DateTimeOffset? ExpiryOf(EnvironmentTypePolicy policy, DateTimeOffset created, DateTimeOffset? requested)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return requested ?? (policy.DefaultLifetime is { } lifetime ? created + lifetime : null);
    }

    // Nodes of a pool carry the gantry.dev/pool label; tainted pools also carry the taint gantry.dev/pool=<pool>,
    // so only services placed there land on them.
    private static NodePoolPolicy Define(string name, string description, bool tainted = false) => new()
    {
        Description = description,
        NodeSelector = new Dictionary<string, string>(StringComparer.Ordinal) { [NodePoolLabel] = name },
        Tolerations = tainted ? [new PoolToleration { Key = NodePoolLabel, Value = name }] : [],
    };
}
