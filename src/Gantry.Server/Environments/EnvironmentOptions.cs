using Gantry.Core.Environments;

namespace Gantry.Server.Environments;

/// <summary>
/// Environment settings, bound from the <c>Environments</c> section. Types and pools start from the design's
/// defaults (<see cref="EnvironmentPolicies.Default"/>); an entry here changes the fields it sets, or adds a type or
/// pool (<c>Environments:Types:sue:MaxLifetime=3.00:00:00</c>, <c>Environments:Pools:gpu:NodeSelector:gpu=true</c>).
/// </summary>
public sealed class EnvironmentOptions
{
    public const string SectionName = "Environments";

    /// <summary>A folder of <c>*.yaml</c> service files; defaults to the shipped examples/services beside the binary.</summary>
    public string ServicesPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "services");

    /// <summary>How often the expiry service looks for expired environments.</summary>
    public TimeSpan ExpiryInterval { get; set; } = TimeSpan.FromMinutes(1);

    public Dictionary<string, EnvironmentTypeOptions> Types { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, PoolOptions> Pools { get; set; } = new(StringComparer.Ordinal);

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
                Pools = o.Pools ?? p.Pools,
                RequiresApproval = o.RequiresApproval ?? p.RequiresApproval,
                DeploymentMethods = o.DeploymentMethods ?? p.DeploymentMethods,
                AllowDevTags = o.AllowDevTags ?? p.AllowDevTags,
                DefaultLifetime = o.DefaultLifetime ?? p.DefaultLifetime,
                MaxLifetime = o.MaxLifetime ?? p.MaxLifetime,
            };
        }

        var pools = new Dictionary<string, PoolPolicy>(defaults.Pools, StringComparer.Ordinal);
        foreach (var (name, o) in Pools)
        {
            var p = pools.GetValueOrDefault(name) ?? new PoolPolicy();
            pools[name] = p with
            {
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

        return new EnvironmentPolicies { Types = types, Pools = pools };
    }
}

/// <summary>Changes to one environment type's policy; unset fields keep the default.</summary>
public sealed class EnvironmentTypeOptions
{
    public bool? HighAvailability { get; set; }

    public int? Replicas { get; set; }

    public List<string>? Pools { get; set; }

    public bool? RequiresApproval { get; set; }

    public List<string>? DeploymentMethods { get; set; }

    public bool? AllowDevTags { get; set; }

    public TimeSpan? DefaultLifetime { get; set; }

    public TimeSpan? MaxLifetime { get; set; }
}

/// <summary>A pool's placement; unset fields keep the default.</summary>
public sealed class PoolOptions
{
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
