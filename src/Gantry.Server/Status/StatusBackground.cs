using Gantry.Data.Status;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Status;

/// <summary>Tells the live side of status that a change was committed: the engines are notified, listeners read.</summary>
public sealed class DeploymentSignals(EngineNotifier notifier, StatusFeed feed)
{
    public void Committed(string tenant, string revision)
    {
        feed.Signal();
        notifier.Committed(tenant, revision);
    }
}

/// <summary>Keeps each instance's timeline to <see cref="StatusOptions.TimelineLength"/> events.</summary>
public sealed partial class StatusTimelinePruner(
    StatusEventRepository events, IOptions<StatusOptions> options, TimeProvider time, ILogger<StatusTimelinePruner> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var pruned = await events.PruneAsync(options.Value.TimelineLength, stoppingToken);
                if (pruned > 0)
                {
                    Log.Pruned(logger, pruned);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Failed(logger, e);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7301, Level = LogLevel.Information, Message = "Pruned {Count} old status events")]
        public static partial void Pruned(ILogger logger, int count);

        [LoggerMessage(EventId = 7302, Level = LogLevel.Warning, Message = "Pruning the status timeline failed; it runs again later")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}

/// <summary>
/// <c>/hc</c>: how notifying the clusters has gone, as counts only (the page is anonymous: cluster names, hosts and
/// errors are in each cluster's own answer, for those who manage it); Degraded while a cluster's latest notification failed.
/// </summary>
internal sealed class EngineNotificationsHealthCheck(EngineNotifier notifier) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var states = notifier.States.Values.ToList();
        var failing = states.Count(s => s.Failing);
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["clusters"] = states.Count,
            ["failing"] = failing,
            ["sent"] = states.Sum(s => s.Sent),
            ["failed"] = states.Sum(s => s.Failed),
        };
        return Task.FromResult(failing == 0
            ? HealthCheckResult.Healthy($"{states.Count} clusters notified", data)
            : HealthCheckResult.Degraded($"the latest notification to {failing} of {states.Count} clusters failed; GET /api/v1/clusters says which and why", data: data));
    }
}
