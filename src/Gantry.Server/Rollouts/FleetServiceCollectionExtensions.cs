using Gantry.Data.Instances;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gantry.Server.Rollouts;

/// <summary>Fleet operations: version rules, pins, rollouts.</summary>
public static class FleetServiceCollectionExtensions
{
    public static IServiceCollection AddFleetOperations(this IServiceCollection services)
    {
        services.TryAddSingleton<PinRepository>();
        services.TryAddSingleton<PinService>();
        services.TryAddSingleton<VersionRules>();
        services.AddHostedService<PinExpiryService>();
        return services;
    }
}
