using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Gantry.Server.Hosting;

namespace Gantry.Server.Status;

public static class StatusServiceCollectionExtensions
{
    /// <summary>Deployment status: clusters, the engines' webhooks, the status feed and streams, and notifying the engines.</summary>
    public static IServiceCollection AddDeploymentStatus(this IServiceCollection services)
    {
        services.AddOptions<StatusOptions>().BindConfiguration(StatusOptions.SectionName);
        services.TryAddSingleton<ClusterSecrets>();
        services.TryAddSingleton<ClusterCache>();
        services.TryAddSingleton<StatusMetrics>();
        services.TryAddSingleton<EngineEventRecorder>();
        services.TryAddSingleton<DeploymentWaiter>();
        services.TryAddSingleton<DeploymentSignals>();
        services.TryAddSingleton<StatusFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<StatusFeed>());
        services.TryAddSingleton<EngineNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<EngineNotifier>());
        services.AddHostedService<StatusTimelinePruner>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEngineNotificationSender, FluxReceiverSender>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEngineNotificationSender, ArgoCdWebhookSender>());
        services.AddHttpClient(FluxReceiverSender.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptionsMonitor<StatusOptions>>();
                return OutboundTargetGuard.CreateHandler(() => options.CurrentValue.NotifyAllowLoopback);
            });
        return services;
    }
}
