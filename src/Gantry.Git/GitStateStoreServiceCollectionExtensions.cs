using Gantry.Core.State;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gantry.Git;

public static class GitStateStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="GitStateStore"/> as the singleton <see cref="IStateStore"/>, bound to the "Git" section of
    /// <paramref name="configuration"/> and checked at start, plus a hosted service that starts and stops its committer.
    /// </summary>
    public static IServiceCollection AddGitStateStore(this IServiceCollection services, IConfiguration configuration, Action<GitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GitOptions>().Bind(configuration.GetSection(GitOptions.SectionName));
        return services.AddGitStateStore(configure);
    }

    /// <summary>Registers <see cref="GitStateStore"/> configured only by code.</summary>
    public static IServiceCollection AddGitStateStore(this IServiceCollection services, Action<GitOptions>? configure = null)
    {
        var builder = services.AddOptions<GitOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GitOptions>, GitOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new GitMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<GitStateStore>();
        services.TryAddSingleton<IStateStore>(sp => sp.GetRequiredService<GitStateStore>());
        services.AddHostedService<GitStateStoreHostedService>();
        return services;
    }
}

/// <summary>Starts the store's committer with the host and drains it when the host stops.</summary>
internal sealed class GitStateStoreHostedService(GitStateStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => store.StopAsync(cancellationToken);
}
