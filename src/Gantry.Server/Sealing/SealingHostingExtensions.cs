using Gantry.Sealing;
using Gantry.Sealing.Keys;
using Gantry.Server.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Sealing;

/// <summary>Composition-root registration of tenant key custody.</summary>
public static class SealingHostingExtensions
{
    /// <summary>
    /// Binds <see cref="SealingOptions"/> (checked at start) and the key pool (<c>Sealing:KeyPool</c>), and registers
    /// <see cref="SealingKeyCustody"/> and the controller certificate fetcher.
    /// </summary>
    public static IServiceCollection AddSealingCustody(this IServiceCollection services)
    {
        services.AddOptions<SealingOptions>().BindConfiguration(SealingOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SealingOptions>, SealingOptionsValidator>());
        services.AddOptions<SealingKeyPoolOptions>().BindConfiguration(SealingKeyPoolOptions.SectionName);
        services.AddSealingKeyPool();
        services.TryAddSingleton<SealingKeyCustody>();

        // The URL comes from a tenant admin: no redirects to elsewhere, a short timeout (the fetcher also limits size),
        // and the connection made only to addresses a tenant may aim Gantry at, whatever the name resolves to.
        services.AddHttpClient<ControllerCertificateFetcher>(client => client.Timeout = ControllerCertificateFetcher.Timeout)
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var options = provider.GetRequiredService<IOptionsMonitor<SealingOptions>>();
                return OutboundTargetGuard.CreateHandler(() => options.CurrentValue.ControllerCertAllowLoopback);
            });
        return services;
    }
}
