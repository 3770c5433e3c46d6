using Gantry.Server.Audit;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Environments;

/// <summary>
/// Removes environments whose expiry has passed (their claim and manifests) and records each removal in the audit
/// log. Driven by the injected <see cref="TimeProvider"/>, so tests move time instead of waiting; the index's expiry
/// column makes a sweep one query however many environments there are.
/// </summary>
public sealed partial class EnvironmentExpiryService(
    EnvironmentManager environments,
    Data.Environments.EnvironmentRepository index,
    AuditLog audit,
    TimeProvider time,
    IOptions<EnvironmentOptions> options,
    ILogger<EnvironmentExpiryService> logger) : BackgroundService
{
    private const int BatchSize = 100;

    /// <summary>One sweep: removes every environment expired at the provider's current time; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var removed = 0;
        while (true)
        {
            var now = time.GetUtcNow();
            var expired = await index.ListExpiredAsync(now, BatchSize, cancellationToken);
            var before = removed;
            foreach (var record in expired)
            {
                if (!await environments.ExpireAsync(record.Name, now, cancellationToken))
                {
                    continue;
                }

                await audit.RecordSystemAsync(EnvironmentAuditActions.Expired, record.Pool, record.Name,
                    $"expired {record.ExpiresAt:yyyy-MM-dd'T'HH:mm:ss'Z'}");
                Log.Expired(logger, record.Name, record.Pool);
                removed++;
            }

            // A full batch of which nothing was removed (all extended meanwhile) would come back the same: stop.
            if (expired.Count < BatchSize || removed == before)
            {
                return removed;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ExpiryInterval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One failed sweep (bucket or database briefly away) must not stop expiry for good.
                Log.SweepFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3711, Level = LogLevel.Information, Message = "Environment {Name} in pool {Pool} expired and was removed")]
        public static partial void Expired(ILogger logger, string name, string pool);

        [LoggerMessage(EventId = 3712, Level = LogLevel.Warning, Message = "Environment expiry sweep failed; retrying at the next interval")]
        public static partial void SweepFailed(ILogger logger, Exception exception);
    }
}
