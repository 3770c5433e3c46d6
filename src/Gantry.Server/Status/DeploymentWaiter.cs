using System.Globalization;
using Gantry.Core.Status;
using Gantry.Core.Validation;
using Gantry.Data.Instances;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Status;

/// <summary>What a request asked to wait for: a phase and how long at most.</summary>
public sealed record WaitRequest(string Phase, TimeSpan Timeout)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Reads <c>?wait=</c> and <c>?timeout=</c> (<c>120s</c>, <c>2m</c>, or seconds); null when no wait was asked.
    /// Throws a validation failure naming the parameter when either is malformed.
    /// </summary>
    public static WaitRequest? Parse(string? wait, string? timeout, TimeSpan max)
    {
        if (wait is null)
        {
            return timeout is null ? null : throw ValidationFailedException.For("timeout", "is only read with wait=");
        }

        var phase = DeploymentPhase.Parse(wait);
        if (phase is null or DeploymentPhase.Committed)
        {
            throw ValidationFailedException.For("wait", $"must be one of {DeploymentPhase.Reconciling}, {DeploymentPhase.Ready}, {DeploymentPhase.Failed}, {DeploymentPhase.Degraded}");
        }

        var span = timeout is null ? DefaultTimeout : ParseDuration(timeout)
            ?? throw ValidationFailedException.For("timeout", "must be a duration such as 120s, 2m or 90 (seconds)");
        return span <= TimeSpan.Zero || span > max
            ? throw ValidationFailedException.For("timeout", $"must be more than 0 and at most {max.TotalSeconds:0} seconds")
            : new WaitRequest(phase, span);
    }

    internal static TimeSpan? ParseDuration(string text)
    {
        var (number, unit) = text.EndsWith('m') ? (text[..^1], 60) : text.EndsWith('s') ? (text[..^1], 1) : (text, 1);
        return number.Length is > 0 and <= 6 && int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? TimeSpan.FromSeconds((long)value * unit) : null;
    }
}

/// <summary>
/// Holds a request until the engine has said what became of its change: the instance's status reaches the phase
/// asked for, or an outcome (Ready, Failed, Degraded), or a later change replaces it (or deletes the instance), or
/// time runs out.
/// </summary>
public sealed class DeploymentWaiter(StatusFeed feed, InstanceRepository instances, IOptions<StatusOptions> options)
{
    /// <summary>How often a waiting request reads the record again when no event came: one query per waiter per interval.</summary>
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(5);

    public TimeSpan MaxWait => options.Value.MaxWait;

    /// <summary>The instance's record when the wait ended, and whether it ended because the engine answered.</summary>
    public async Task<(InstanceRecord? Record, bool Reached)> WaitAsync(
        string tenant, string name, long generation, WaitRequest wait, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(wait.Timeout);
        var record = default(InstanceRecord);
        try
        {
            while (true)
            {
                // Listen first, then read: an event recorded in between is in the listener, not lost.
                using var listener = await feed.ListenAsync(tenant, name, deadline.Token);
                record = await instances.FindAsync(tenant, name, deadline.Token);
                if (Done(record, generation, wait.Phase))
                {
                    return (record, true);
                }

                while (await NextAsync(listener, generation, deadline.Token))
                {
                    record = await instances.FindAsync(tenant, name, deadline.Token);
                    if (Done(record, generation, wait.Phase))
                    {
                        return (record, true);
                    }
                }

                // The listener fell behind and was closed: listen again and read the record anew.
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (await instances.FindAsync(tenant, name, cancellationToken) ?? record, false);
        }
    }

    /// <summary>
    /// Waits until the record is worth reading again: an event about this generation or a later one, or
    /// <see cref="RecheckInterval"/> without one (deleting an instance removes its timeline and records no event).
    /// False when the listener was closed.
    /// </summary>
    private static async Task<bool> NextAsync(StatusFeed.Listener listener, long generation, CancellationToken cancellationToken)
    {
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        quiet.CancelAfter(RecheckInterval);
        try
        {
            while (await listener.Events.WaitToReadAsync(quiet.Token))
            {
                while (listener.Events.TryRead(out var e))
                {
                    if (e.Applied || e.Generation >= generation)
                    {
                        return true;
                    }
                }
            }

            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return true;
        }
    }

    private static bool Done(InstanceRecord? record, long generation, string phase) =>
        record is null || record.Generation > generation
        || (record.Generation == generation && (record.Status == phase || DeploymentPhase.IsOutcome(record.Status)
            || (phase == DeploymentPhase.Reconciling && record.Status != DeploymentPhase.Committed)));
}
