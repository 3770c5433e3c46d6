using Microsoft.Extensions.Options;

namespace Gantry.Server.Rollouts;

/// <summary>Configuration section <c>Rollouts</c>.</summary>
public sealed class RolloutOptions
{
    public const string SectionName = "Rollouts";

    /// <summary>How often running rollouts are advanced: a wave committed, a gate judged.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Advances running rollouts: commits the current wave, judges its gate against the deployment status the engines
/// report, starts the next wave or pauses the rollout past its failure threshold, and does a rollback the same way.
/// One step per rollout per round, under the rollout's lock, each step saved before the next.
/// </summary>
public sealed partial class RolloutRunner(RolloutStore store, RolloutWaves waves, TimeProvider time, IOptions<RolloutOptions> options, ILogger<RolloutRunner> logger)
    : BackgroundService
{
    /// <summary>One round over every active rollout.</summary>
    public async Task AdvanceAllAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await store.ActiveIdsAsync(cancellationToken))
        {
            try
            {
                await store.ChangeAsync(id, rollout => StepAsync(rollout, cancellationToken), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A wave that could not be committed (remote away, conflict after retries) is tried again next round.
                Log.StepFailed(logger, id, e);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await AdvanceAllAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.RoundFailed(logger, e);
            }
        }
    }

    private async Task<bool> StepAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        if (rollout.State == RolloutStates.RollingBack && rollout.Rollback is { } rollback)
        {
            if (rollback.State == WaveStates.Pending)
            {
                await waves.CommitRollbackAsync(rollout, rollback, cancellationToken);
            }

            var state = await waves.CheckGateAsync(rollout, rollback, [.. rollout.Instances.Where(i => i.RolledBack)], cancellationToken);
            if (state != WaveStates.Gated)
            {
                rollout.State = RolloutStates.RolledBack;
                rollout.Reason = state == WaveStates.Passed ? rollout.Reason : $"{rollout.Reason}; the rollback's gate failed";
                Log.Finished(logger, rollout.Id, rollout.State);
            }

            return true;
        }

        if (rollout.State != RolloutStates.Running)
        {
            return false;
        }

        if (rollout.CurrentWave is not { } wave)
        {
            rollout.State = RolloutStates.Completed;
            Log.Finished(logger, rollout.Id, rollout.State);
            return true;
        }

        if (wave.State == WaveStates.Pending && RolloutSpec.From(rollout.Request).Window is { } window && !window.IsOpen(time.GetUtcNow()))
        {
            var waiting = $"wave {wave.Index + 1} waits for the window {window.Start}-{window.End} UTC";
            var changed = rollout.Reason != waiting;
            rollout.Reason = waiting;
            return changed;
        }

        if (wave.State == WaveStates.Pending)
        {
            rollout.Reason = null;
            await waves.CommitWaveAsync(rollout, wave, cancellationToken);
            Log.WaveCommitted(logger, rollout.Id, wave.Index + 1, wave.Revision ?? "(nothing to commit)");
        }

        var members = rollout.Instances.Where(i => i.Wave == wave.Index).ToList();
        if (await waves.CheckGateAsync(rollout, wave, members, cancellationToken) == WaveStates.Failed)
        {
            var failed = members.Count(m => m.State == RolloutInstanceStates.Failed);
            rollout.State = RolloutStates.Paused;
            rollout.Reason = $"wave {wave.Index + 1} ({wave.Label}): {failed} instances failed, more than the threshold of {rollout.FailureThreshold}";
            Log.Paused(logger, rollout.Id, rollout.Reason);
        }
        else if (rollout.CurrentWave is null)
        {
            rollout.State = RolloutStates.Completed;
            Log.Finished(logger, rollout.Id, rollout.State);
        }

        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8101, Level = LogLevel.Information, Message = "Rollout {Id}: wave {Wave} committed as {Revision}")]
        public static partial void WaveCommitted(ILogger logger, string id, int wave, string revision);

        [LoggerMessage(EventId = 8102, Level = LogLevel.Warning, Message = "Rollout {Id} paused: {Reason}")]
        public static partial void Paused(ILogger logger, string id, string reason);

        [LoggerMessage(EventId = 8103, Level = LogLevel.Information, Message = "Rollout {Id} is {State}")]
        public static partial void Finished(ILogger logger, string id, string state);

        [LoggerMessage(EventId = 8104, Level = LogLevel.Warning, Message = "Rollout {Id} could not take its next step; trying again next round")]
        public static partial void StepFailed(ILogger logger, string id, Exception exception);

        [LoggerMessage(EventId = 8105, Level = LogLevel.Warning, Message = "A round of rollouts failed; trying again next round")]
        public static partial void RoundFailed(ILogger logger, Exception exception);
    }
}
