using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Registry;

/// <summary>The registry token server and the <c>-local</c> retention sweep, on when <c>Registry:Url</c> is set.</summary>
public static class RegistryServiceCollectionExtensions
{
    public static IServiceCollection AddRegistryTokenServer(this IServiceCollection services)
    {
        services.AddOptions<RegistryOptions>().BindConfiguration(RegistryOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegistryOptions>, RegistryOptionsValidator>());
        services.TryAddSingleton<RegistryAccessPolicy>();
        services.TryAddSingleton<RegistryTokenSigner>();
        services.AddHttpClient<RegistryClient>(http => http.Timeout = TimeSpan.FromSeconds(30));
        services.TryAddTransient<LocalImageWarnings>();
        services.TryAddKeyedSingleton<TimeProvider>(RegistryRetentionSweep.ClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        services.TryAddSingleton<RegistryRetentionSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<RegistryRetentionSweep>());
        return services;
    }
}
