using Gantry.Server.ChangeRequests;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Environments;

public static class EnvironmentServiceCollectionExtensions
{
    /// <summary>
    /// Environments: options (checked at start), the service catalog, the claim store over the environments bucket
    /// (registered by the host), the manager and the expiry service.
    /// </summary>
    public static IServiceCollection AddEnvironments(this IServiceCollection services)
    {
        services.AddOptions<EnvironmentOptions>().BindConfiguration(EnvironmentOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EnvironmentOptions>, EnvironmentOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EnvironmentOptions>, StaticBucketSeparationValidator>());
        services.TryAddSingleton<ServiceCatalogProvider>();
        services.TryAddSingleton<BucketEnvironmentStore>();
        services.TryAddSingleton<StaticEnvironmentPublisher>();
        services.TryAddSingleton<GitEnvironmentStore>();
        services.TryAddSingleton<EnvironmentNames>();
        services.TryAddSingleton<EnvironmentManager>();
        services.TryAddSingleton<EnvironmentExpiryService>();
        services.TryAddSingleton<EnvironmentPoolMigrationService>();
        services.TryAddSingleton<EnvironmentRerenderService>();
        services.TryAddSingleton<BucketClaimProblems>();
        services.TryAddSingleton<EnvironmentBucketWatcher>();
        services.AddChangeRequestHandler<EnvironmentChangeRequestHandler>();
        // The migration starts before expiry, so the first sweep already sees migrated claims.
        services.AddHostedService(sp => sp.GetRequiredService<EnvironmentPoolMigrationService>());
        services.AddHostedService(sp => sp.GetRequiredService<EnvironmentRerenderService>());
        services.AddHostedService(sp => sp.GetRequiredService<EnvironmentExpiryService>());
        services.AddHostedService(sp => sp.GetRequiredService<EnvironmentBucketWatcher>());
        return services;
    }
}
