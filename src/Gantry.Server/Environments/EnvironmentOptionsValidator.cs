using Gantry.Core.Environments;
using Gantry.Core.Validation;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Environments;

/// <summary>Checks the environment types and node pools at start; every message names the bad key.</summary>
internal sealed class EnvironmentOptionsValidator : IValidateOptions<EnvironmentOptions>
{
    public ValidateOptionsResult Validate(string? name, EnvironmentOptions options)
    {
        var failures = new List<string>();
        if (options.ExpiryInterval <= TimeSpan.Zero)
        {
            failures.Add("Environments:ExpiryInterval must be positive.");
        }

        if (options.WatchInterval <= TimeSpan.Zero)
        {
            failures.Add("Environments:WatchInterval must be positive.");
        }

        var policies = options.ToPolicies();
        foreach (var (pool, policy) in policies.NodePools)
        {
            if (!ResourceName.IsDns1123Label(pool))
            {
                failures.Add($"Environments:NodePools:{pool}: a node pool name is a DNS-1123 label.");
            }

            if (policy.Tolerations.Any(t => string.IsNullOrWhiteSpace(t.Key)))
            {
                failures.Add($"Environments:NodePools:{pool}:Tolerations: every toleration needs a Key.");
            }

            if (policy.Resources.Any(r => string.IsNullOrWhiteSpace(r.Key) || string.IsNullOrWhiteSpace(r.Value)))
            {
                failures.Add($"Environments:NodePools:{pool}:Resources: every resource needs a name and a quantity.");
            }
        }

        if (!policies.NodePools.ContainsKey(EnvironmentPolicies.DefaultNodePool))
        {
            failures.Add($"Environments:NodePools: the default node pool '{EnvironmentPolicies.DefaultNodePool}' must stay configured.");
        }

        foreach (var (type, policy) in policies.Types)
        {
            var key = $"Environments:Types:{type}";
            if (!ResourceName.IsDns1123Label(type))
            {
                failures.Add($"{key}: a type name is a DNS-1123 label.");
            }

            if (policy.Replicas < 1 || (policy.HighAvailability && policy.Replicas < 2))
            {
                failures.Add($"{key}:Replicas must be at least 1, and at least 2 with HighAvailability.");
            }

            if (policy.ClusterNodesPerPool < 1)
            {
                failures.Add($"{key}:ClusterNodesPerPool must be at least 1.");
            }

            failures.AddRange(policy.NodePools.Where(p => !policies.NodePools.ContainsKey(p)).Select(p => $"{key}:NodePools: '{p}' is not a configured node pool."));
            if (policy.DeploymentMethods.Count == 0 || policy.DeploymentMethods.Any(m => !DeploymentMethods.All.Contains(m, StringComparer.Ordinal)))
            {
                failures.Add($"{key}:DeploymentMethods must list bucket and/or git.");
            }

            // Approval happens through change requests, which only write to Git: such a type cannot use the bucket.
            if (policy.RequiresApproval && policy.DeploymentMethods.Any(m => m != DeploymentMethods.Git))
            {
                failures.Add($"{key}:DeploymentMethods must be [git] when RequiresApproval is true.");
            }

            if (policy.MaxLifetime is { } max && (max <= TimeSpan.Zero || (policy.DefaultLifetime is { } lifetime && lifetime > max)))
            {
                failures.Add($"{key}:MaxLifetime must be positive and at least DefaultLifetime.");
            }
        }

        failures.AddRange(AddOnOptionsValidator.Validate(policies));
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
