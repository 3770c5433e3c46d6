using Gantry.Sealing.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Gantry.Sealing;

/// <summary>Composition-root registration of the sealing services.</summary>
public static class SealingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SealingKeyPool"/> as a singleton that also runs as a hosted service, with validated
    /// options (checked at start). Bind <see cref="SealingKeyPoolOptions.SectionName"/> from configuration in the host
    /// or pass <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddSealingKeyPool(this IServiceCollection services, Action<SealingKeyPoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SealingKeyPoolOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.Validate().Count == 0, $"invalid {SealingKeyPoolOptions.SectionName} options").ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SealingKeyPool>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SealingKeyPool>(sp => sp.GetRequiredService<SealingKeyPool>()));
        return services;
    }
}
