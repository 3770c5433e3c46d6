using Gantry.Core.Validation;
using Gantry.Core.Versions;

namespace Gantry.Core.Environments;

/// <summary>
/// Turns a request into the claim that is stored: who and when, the type's defaults, the services actually
/// deployed (the named ones plus their dependencies, or the whole catalog), and the tag each constraint resolves to.
/// </summary>
public static class EnvironmentPlanner
{
    /// <summary>
    /// The request with the server's facts and the type's defaults: the principal as <c>user</c>, <paramref name="now"/>
    /// (to the second) as <c>creation_date</c> unless <paramref name="created"/> keeps an existing one, the claim's own expiry or the
    /// type's default lifetime, the type's default deployment method.
    /// </summary>
    public static EnvironmentClaim Complete(EnvironmentClaim request, string user, DateTimeOffset now, EnvironmentPolicies policies, DateTimeOffset? created = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policies);
        var creation = created ?? ToTheSecond(now);
        var policy = policies.Type(request.EnvironmentType);
        return request with
        {
            User = user,
            CreationDate = creation,
            ExpirationDate = policy is null ? request.ExpirationDate : EnvironmentPolicies.ExpiryOf(policy, creation, request.ExpirationDate),
            DeploymentMethod = request.DeploymentMethod ?? policy?.DefaultDeploymentMethod,
        };
    }

    /// <summary>
    /// A time Gantry writes into a claim: UTC, whole seconds, as the design's claims show them (a claim is read by
    /// people and by the deploy side).
    /// </summary>
    public static DateTimeOffset ToTheSecond(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    /// <summary>
    /// The claim with its implicit services recomputed: with <c>deploy_only_specified</c> the dependency closure of
    /// the named services, otherwise every service of the catalog. Implicit services use the catalog's default
    /// constraint and follow the named ones. Unknown services and cycles are added to <paramref name="errors"/>.
    /// </summary>
    public static EnvironmentClaim WithDeployedServices(EnvironmentClaim claim, ServiceCatalog catalog, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(catalog);
        var named = claim.Services.Where(s => !s.Implicit).ToList();
        var deployed = claim.DeployOnlySpecified
            ? catalog.Closure(named.Select(s => s.Name), errors, "services")
            : catalog.All.ToList();
        var implicitServices = deployed
            .Where(d => !named.Any(n => n.Name == d.Name))
            .Select(d => claim.Service(d.Name) is { Implicit: true } kept && kept.Version == d.DefaultVersion
                ? kept
                : new EnvironmentService { Name = d.Name, Version = d.DefaultVersion, Implicit = true });
        return claim with { Services = [.. named, .. implicitServices] };
    }

    /// <summary>
    /// The claim with every service's node pool filled in: the one the claim asks for, else the catalog's choice for
    /// the service. A service missing from the catalog keeps none (validation names it).
    /// </summary>
    public static EnvironmentClaim WithNodePools(EnvironmentClaim claim, ServiceCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(catalog);
        return claim with
        {
            Services = [.. claim.Services.Select(s => s.NodePool is null && catalog.Find(s.Name) is { } definition ? s with { NodePool = definition.NodePool } : s)],
        };
    }

    /// <summary>
    /// Resolves every service's constraint against its catalog source (dev tags allowed when the type says so) and
    /// stores the tag beside it. Throws <see cref="VersionNotResolvedException"/> naming the service, the constraint
    /// and the tags seen when one matches nothing.
    /// </summary>
    public static async Task<EnvironmentClaim> ResolveAsync(
        EnvironmentClaim claim, ServiceCatalog catalog, EnvironmentTypePolicy policy, ITagSource tags, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(tags);
        var options = new VersionResolveOptions { AllowPrerelease = policy.AllowDevTags };
        var resolved = new List<EnvironmentService>(claim.Services.Count);
        foreach (var service in claim.Services)
        {
            var definition = catalog.Find(service.Name) ?? throw new InvalidOperationException($"service '{service.Name}' was validated but is not in the catalog");
            var seen = await tags.ListTagsAsync(definition.Versions, cancellationToken);
            var resolution = VersionResolver.Resolve(service.Version, seen, options);
            if (!resolution.IsResolved)
            {
                throw new VersionNotResolvedException(resolution) { Service = service.Name };
            }

            resolved.Add(service with { ResolvedVersion = resolution.Tag });
        }

        return claim with { Services = resolved };
    }
}
