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
        services.TryAddSingleton<Data.Rollouts.RolloutRepository>();
        services.AddOptions<RolloutOptions>().BindConfiguration(RolloutOptions.SectionName)
            .Validate(o => o.Interval > TimeSpan.Zero && o.Interval <= TimeSpan.FromHours(1), "Rollouts:Interval must be more than 0 and at most 01:00:00.")
            .ValidateOnStart();
        services.TryAddSingleton<RolloutStore>();
        services.TryAddSingleton<RolloutPlanner>();
        services.TryAddSingleton<RolloutWaves>();
        services.TryAddSingleton<RolloutService>();
        services.TryAddSingleton<RolloutRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<RolloutRunner>());
        return services;
    }
}
