using Gantry.Core.Environments;

namespace Gantry.Server.Environments;

/// <summary>
/// Environment settings, bound from the <c>Environments</c> section. Types and node pools start from the design's
/// defaults (<see cref="EnvironmentPolicies.Default"/>); an entry here changes the fields it sets, or adds a type or
/// node pool (<c>Environments:Types:sue:MaxLifetime=3.00:00:00</c>, <c>Environments:NodePools:gpu:NodeSelector:gpu=true</c>).
/// </summary>
public sealed class EnvironmentOptions
{
    public const string SectionName = "Environments";

    /// <summary>A folder of <c>*.yaml</c> service files; defaults to the shipped examples/services beside the binary.</summary>
    public string ServicesPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "services");

    /// <summary>How often the expiry service looks for expired environments.</summary>
    public TimeSpan ExpiryInterval { get; set; } = TimeSpan.FromMinutes(1);

    public Dictionary<string, EnvironmentTypeOptions> Types { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, NodePoolOptions> NodePools { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The add-ons (logging, api-gateway, authorization, monitoring by default) and how each type gets them.</summary>
    public Dictionary<string, AddOnOptions> AddOns { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The zone under which stage and prod environments get their public DNS name.</summary>
    public string? DnsZone { get; set; }

    /// <summary>
    /// Converts environments stored by the previous version (environment pool = node pool) at start, once
    /// (docs/environments.md#migration); off, the platform admin runs it (<c>POST /api/v1/admin/environments/migrate</c>).
    /// </summary>
    public bool MigrateAtStart { get; set; } = true;

    /// <summary>How often the environments bucket is listed for claims put there without the API.</summary>
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Watch the environments bucket for claims put there without the API.</summary>
    public bool WatchBucket { get; set; } = true;

    /// <summary>
    /// Renders every environment again at start and rewrites those whose manifests changed (a new add-on chart
    /// version, a changed node pool), static ones in one commit; off, the platform admin runs it
    /// (<c>POST /api/v1/admin/environments/rerender</c>).
    /// </summary>
    public bool RerenderAtStart { get; set; } = true;

    /// <summary>The defaults with the configured entries applied.</summary>
    public EnvironmentPolicies ToPolicies()
    {
        var defaults = EnvironmentPolicies.Default;
        var types = new Dictionary<string, EnvironmentTypePolicy>(defaults.Types, StringComparer.Ordinal);
        foreach (var (name, o) in Types)
        {
            var p = types.GetValueOrDefault(name) ?? new EnvironmentTypePolicy();
            types[name] = p with
            {
                HighAvailability = o.HighAvailability ?? p.HighAvailability,
                Replicas = o.Replicas ?? p.Replicas,
                NodePools = o.NodePools ?? p.NodePools,
                RequiresApproval = o.RequiresApproval ?? p.RequiresApproval,
                DeploymentMethods = o.DeploymentMethods ?? p.DeploymentMethods,
                AllowDevTags = o.AllowDevTags ?? p.AllowDevTags,
                DefaultLifetime = o.DefaultLifetime ?? p.DefaultLifetime,
                MaxLifetime = o.MaxLifetime ?? p.MaxLifetime,
                EdgeProtection = o.EdgeProtection ?? p.EdgeProtection,
                PublicDns = o.PublicDns ?? p.PublicDns,
                Cluster = o.Cluster ?? p.Cluster,
                ClusterNodesPerPool = o.ClusterNodesPerPool ?? p.ClusterNodesPerPool,
                HaControlPlane = o.HaControlPlane ?? p.HaControlPlane,
            };
        }

        var pools = new Dictionary<string, NodePoolPolicy>(defaults.NodePools, StringComparer.Ordinal);
        foreach (var (name, o) in NodePools)
        {
            var p = pools.GetValueOrDefault(name) ?? new NodePoolPolicy();
            pools[name] = p with
            {
                Description = o.Description ?? p.Description,
                Resources = o.Resources ?? p.Resources,
                NodeSelector = o.NodeSelector ?? p.NodeSelector,
                Tolerations = o.Tolerations?.Select(t => new PoolToleration
                {
                    Key = t.Key ?? string.Empty,
                    Operator = t.Operator ?? "Equal",
                    Value = t.Value,
                    Effect = t.Effect ?? "NoSchedule",
                }).ToList() ?? p.Tolerations,
            };
        }

        return new EnvironmentPolicies
        {
            Types = types,
            NodePools = pools,
            AddOns = AddOnOptions.Apply(defaults.AddOns, AddOns),
            DnsZone = DnsZone ?? defaults.DnsZone,
        };
    }
}

/// <summary>Changes to one environment type's policy; unset fields keep the default.</summary>
public sealed class EnvironmentTypeOptions
{
    public bool? HighAvailability { get; set; }

    public int? Replicas { get; set; }

    /// <summary>The node pools services of this type may run on (empty: every configured node pool).</summary>
    public List<string>? NodePools { get; set; }

    public bool? RequiresApproval { get; set; }

    public List<string>? DeploymentMethods { get; set; }

    public bool? AllowDevTags { get; set; }

    public TimeSpan? DefaultLifetime { get; set; }

    public TimeSpan? MaxLifetime { get; set; }

    /// <summary>The environment's edge is guarded by the WAF (stage and prod by default).</summary>
    public bool? EdgeProtection { get; set; }

    /// <summary>The environment gets a public DNS name under <c>Environments:DnsZone</c> (stage and prod by default).</summary>
    public bool? PublicDns { get; set; }

    /// <summary><c>Shared</c> (a namespace on the application cluster) or <c>Dedicated</c> (a Crossplane-claimed cluster).</summary>
    public ClusterMode? Cluster { get; set; }

    /// <summary>Nodes per node pool of a dedicated cluster.</summary>
    public int? ClusterNodesPerPool { get; set; }

    /// <summary>A dedicated cluster's control plane is highly available.</summary>
    public bool? HaControlPlane { get; set; }
}

/// <summary>A node pool's placement; unset fields keep the default.</summary>
public sealed class NodePoolOptions
{
    public string? Description { get; set; }

    /// <summary>Extended resources every container placed on the pool requests (<c>nvidia.com/gpu: 1</c>).</summary>
    public Dictionary<string, string>? Resources { get; set; }

    public Dictionary<string, string>? NodeSelector { get; set; }

    public List<TolerationOptions>? Tolerations { get; set; }
}

public sealed class TolerationOptions
{
    public string? Key { get; set; }

    public string? Operator { get; set; }

    public string? Value { get; set; }

    public string? Effect { get; set; }
}
