using Gantry.Core.Validation;
using Gantry.Core.Versions;

namespace Gantry.Core.Environments;

/// <summary>
/// Checks a completed claim (see <see cref="EnvironmentPlanner.Complete"/>) against the type policies and the
/// service catalog, collecting every problem under the claim's own field names so one answer names them all.
/// </summary>
public static class EnvironmentValidator
{
    public static void Validate(EnvironmentClaim claim, EnvironmentPolicies policies, ServiceCatalog catalog, DateTimeOffset now, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(errors);

        ResourceName.Validate(claim.EnvironmentName, "environment_name", errors);
        if (string.IsNullOrWhiteSpace(claim.User))
        {
            errors.Add("user", "is required");
        }

        var policy = policies.Type(claim.EnvironmentType);
        if (policy is null)
        {
            errors.Add("environment_type", $"must be one of: {string.Join(", ", policies.Types.Keys.Order(StringComparer.Ordinal))}");
        }

        // The environment pool is the team that owns the environment (a tenant); the caller checks it exists.
        ResourceName.Validate(claim.EnvironmentPool, "environment_pool", errors);

        if (policy is not null)
        {
            ValidateMethod(claim, policy, errors);
            ValidateDates(claim, policy, now, errors);
        }

        ValidateServices(claim, catalog, errors);
    }

    /// <summary>
    /// Checks where each service of a planned claim (see <see cref="EnvironmentPlanner.WithNodePools"/>) runs: a
    /// configured node pool that the environment's type allows. A problem names the service and the pool.
    /// </summary>
    public static void ValidateNodePools(EnvironmentClaim claim, EnvironmentPolicies policies, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(errors);
        var policy = policies.Type(claim.EnvironmentType);
        foreach (var service in claim.Services.Where(s => s.NodePool is not null))
        {
            var field = $"services.{service.Name}.node_pool";
            if (policies.NodePool(service.NodePool) is null)
            {
                errors.Add(field, $"'{service.NodePool}' is not a node pool; the node pools are: {string.Join(", ", policies.NodePools.Keys.Order(StringComparer.Ordinal))}");
            }
            else if (policy is not null && !policy.AllowsNodePool(service.NodePool!))
            {
                errors.Add(field, $"{service.Name} cannot run on node pool '{service.NodePool}': {claim.EnvironmentType} environments use {string.Join(", ", policy.NodePools)}");
            }
        }
    }

    private static void ValidateMethod(EnvironmentClaim claim, EnvironmentTypePolicy policy, ValidationErrors errors)
    {
        if (!DeploymentMethods.All.Contains(claim.DeploymentMethod, StringComparer.Ordinal))
        {
            errors.Add("deployment_method", "must be bucket or git");
        }
        else if (!policy.DeploymentMethods.Contains(claim.DeploymentMethod, StringComparer.Ordinal))
        {
            errors.Add("deployment_method", $"{claim.EnvironmentType} environments use {string.Join(" or ", policy.DeploymentMethods)}");
        }
    }

    private static void ValidateDates(EnvironmentClaim claim, EnvironmentTypePolicy policy, DateTimeOffset now, ValidationErrors errors)
    {
        if (claim.CreationDate is not { } created)
        {
            errors.Add("creation_date", "is required");
            return;
        }

        if (claim.ExpirationDate is { } expires)
        {
            if (expires <= created)
            {
                errors.Add("expiration_date", "must be after creation_date");
            }
            else if (expires <= now)
            {
                errors.Add("expiration_date", "is in the past");
            }

            if (policy.MaxLifetime is { } max && expires - created > max)
            {
                errors.Add("expiration_date", $"{claim.EnvironmentType} environments live at most {Describe(max)} (until {created + max:yyyy-MM-dd'T'HH:mm:ss'Z'})");
            }
        }
        else if (policy.MaxLifetime is not null)
        {
            errors.Add("expiration_date", $"is required: {claim.EnvironmentType} environments expire");
        }
    }

    private static void ValidateServices(EnvironmentClaim claim, ServiceCatalog catalog, ValidationErrors errors)
    {
        var named = claim.Services.Where(s => !s.Implicit).ToList();
        if (named.Count == 0)
        {
            errors.Add("services", "name at least one service");
        }

        foreach (var service in claim.Services)
        {
            var field = $"services.{service.Name}";
            if (!ResourceName.IsDns1123Label(service.Name))
            {
                errors.Add(field, "a service name is a DNS-1123 label");
            }
            else if (catalog.Find(service.Name) is null)
            {
                errors.Add(field, $"unknown service; the catalog has: {string.Join(", ", catalog.All.Select(s => s.Name))}");
            }

            if (!VersionConstraint.TryParse(service.Version, out _, out var problem))
            {
                errors.Add($"{field}.version", problem);
            }

            if (service.DockerImage is { } image && (image.Length == 0 || image.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            {
                errors.Add($"{field}.docker_image", "must be an image reference without spaces");
            }
        }
    }

    private static string Describe(TimeSpan span) =>
        span.TotalHours >= 48 && span.TotalHours % 24 == 0 ? $"{span.TotalDays:0} days" : $"{span.TotalHours:0.#} hours";
}
