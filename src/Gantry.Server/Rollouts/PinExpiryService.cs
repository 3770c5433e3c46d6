namespace Gantry.Server.Rollouts;

/// <summary>Lifts expired pins every minute (each lift is audited), so no pin holds an instance past its date unseen.</summary>
public sealed partial class PinExpiryService(PinService pins, TimeProvider time, ILogger<PinExpiryService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await pins.LiftExpiredAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.SweepFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Lifting expired pins failed; retrying at the next interval")]
        public static partial void SweepFailed(ILogger logger, Exception exception);
    }
}
