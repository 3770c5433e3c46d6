using Gantry.Core.Versions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gantry.Registries;

public static class RegistriesServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ITagSource"/> (OCI registries, Helm repositories, static lists, behind a short cache),
    /// with <see cref="RegistriesOptions"/> bound from the <c>Registries</c> configuration section when an
    /// <see cref="IConfiguration"/> is registered, then <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddTagSources(this IServiceCollection services, Action<RegistriesOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsBuilder = services.AddOptions<RegistriesOptions>()
            .Configure<IServiceProvider>((options, provider) =>
                provider.GetService<IConfiguration>()?.GetSection(RegistriesOptions.SectionName).Bind(options))
            .Validate(o => o.Timeout > TimeSpan.Zero, $"{RegistriesOptions.SectionName}:Timeout must be positive")
            .Validate(o => o.MaxResponseBytes > 0, $"{RegistriesOptions.SectionName}:MaxResponseBytes must be positive")
            .Validate(o => o.PageSize > 0, $"{RegistriesOptions.SectionName}:PageSize must be positive")
            .Validate(o => o.MaxPages > 0, $"{RegistriesOptions.SectionName}:MaxPages must be positive")
            .Validate(o => o.Credentials.All(c => c.Host.Length > 0), $"{RegistriesOptions.SectionName}:Credentials: every entry needs a Host")
            .ValidateOnStart();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TagListCache>();
        services.TryAddSingleton<StaticTagSource>();
        services.AddHttpClient<OciTagSource>(ConfigureClient);
        services.AddHttpClient<HelmRepositoryTagSource>(ConfigureClient);
        services.AddHttpClient(HelmChartPackageSource.ClientName).ConfigureHttpClient(ConfigureClient);
        services.TryAddSingleton<HelmChartPackageSource>();
        services.TryAddSingleton<Core.Catalog.IChartPackageSource>(provider => provider.GetRequiredService<HelmChartPackageSource>());
        services.TryAddTransient<ITagSource, TagSourceDispatcher>();
        return services;
    }

    private static void ConfigureClient(IServiceProvider provider, HttpClient client)
    {
        var options = provider.GetRequiredService<IOptions<RegistriesOptions>>().Value;
        client.Timeout = options.Timeout;
        client.MaxResponseContentBufferSize = Math.Min(options.MaxResponseBytes, int.MaxValue);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Gantry");
    }
}
