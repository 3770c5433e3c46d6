using Gantry.Data;
using Gantry.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Instances;

/// <summary>
/// Repairs index rows that lag Git because their writer died between the commit and the row (kill -9, a lost node):
/// at start, then every <see cref="IndexOptions.RepairInterval"/>, through <see cref="InstanceService.RepairIndexAsync"/>.
/// Any replica may repair any intent: the tenant's lock keeps it from racing a live writer.
/// </summary>
public sealed partial class IndexRepairService(
    InstanceService instances, IMetadataDatabase database, IndexRepairMetrics metrics, TimeProvider time, IOptions<IndexOptions> options,
    ILogger<IndexRepairService> logger) : BackgroundService
{
    /// <summary>One pass over the intents at least <paramref name="minimumAge"/> old; answers what was repaired.</summary>
    public async Task<IReadOnlyList<IndexRepair>> RepairAsync(TimeSpan minimumAge, CancellationToken cancellationToken)
    {
        var repairs = await instances.RepairIndexAsync(minimumAge, cancellationToken);
        metrics.Repaired(repairs);
        return repairs;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // SQLite serves this one process: at start no writer is live, so every intent there is an orphan. With shared
        // PostgreSQL another replica may be mid-write: its intents are left to age like at any other pass.
        var minimumAge = database.Provider == DatabaseProviders.Sqlite ? TimeSpan.Zero : options.Value.RepairMinimumAge;
        using var timer = new PeriodicTimer(options.Value.RepairInterval, time);
        do
        {
            try
            {
                await RepairAsync(minimumAge, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.PassFailed(logger, e);
            }

            minimumAge = options.Value.RepairMinimumAge;
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Looking for interrupted instance writes failed; retrying at the next interval")]
        public static partial void PassFailed(ILogger logger, Exception exception);
    }
}
