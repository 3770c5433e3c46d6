using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Gantry.Data.Clusters;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Status;

/// <summary>How notifying one cluster has gone, for the cluster's answer and <c>/hc</c>.</summary>
public sealed record ClusterNotificationState(
    long Sent, long Failed, string? LastRevision, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt, string? LastError)
{
    public static ClusterNotificationState None { get; } = new(0, 0, null, null, null, null);

    /// <summary>Whether the latest notification failed (after its retries).</summary>
    public bool Failing => LastFailureAt is { } failed && (LastSuccessAt is null || failed > LastSuccessAt);
}

/// <summary>
/// Tells the engines of the clusters bound to a tenant that it has a new commit, so they reconcile now instead of at
/// their next poll. Commits are queued without waiting; what queued while the last round ran goes out as one round,
/// one notification per cluster with the newest revision. Each cluster is notified on its own (a slow or failing
/// cluster delays nobody else), retried with doubling waits, and never blocks or fails the change that caused it.
/// </summary>
public sealed partial class EngineNotifier(
    ClusterRepository clusters,
    IEnumerable<IEngineNotificationSender> senders,
    StatusMetrics metrics,
    IOptions<StatusOptions> options,
    TimeProvider time,
    ILogger<EngineNotifier> logger) : BackgroundService
{
    private readonly Channel<Commit> _commits = Channel.CreateUnbounded<Commit>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, ClusterLane> _lanes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IEngineNotificationSender> _senders = senders.ToDictionary(s => s.Engine, StringComparer.Ordinal);

    /// <summary>Queues a notification for the clusters bound to <paramref name="tenant"/>; returns at once.</summary>
    public void Committed(string tenant, string revision) =>
        _commits.Writer.TryWrite(new Commit(tenant, revision, Stopwatch.GetTimestamp()));

    /// <summary>How notifying each cluster has gone, by cluster name.</summary>
    public IReadOnlyDictionary<string, ClusterNotificationState> States =>
        _lanes.ToDictionary(l => l.Key, l => l.Value.State, StringComparer.Ordinal);

    public ClusterNotificationState StateOf(string cluster) => _lanes.TryGetValue(cluster, out var lane) ? lane.State : ClusterNotificationState.None;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _commits.Reader;
        while (await reader.WaitToReadAsync(stoppingToken))
        {
            // One round: everything queued so far, the newest revision per tenant.
            var round = new Dictionary<string, Commit>(StringComparer.Ordinal);
            while (reader.TryRead(out var commit))
            {
                round[commit.Tenant] = round.TryGetValue(commit.Tenant, out var earlier) ? commit with { QueuedAt = earlier.QueuedAt } : commit;
            }

            try
            {
                await DispatchAsync(round.Values, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.RoundFailed(logger, e);
            }
        }
    }

    private async Task DispatchAsync(IEnumerable<Commit> commits, CancellationToken cancellationToken)
    {
        var perCluster = new Dictionary<string, Commit>(StringComparer.Ordinal);
        foreach (var commit in commits)
        {
            foreach (var cluster in await clusters.ClustersOfTenantAsync(commit.Tenant, cancellationToken))
            {
                // The repository is one branch: a cluster only needs its newest revision; latency counts from the oldest.
                perCluster[cluster] = perCluster.TryGetValue(cluster, out var other)
                    ? commit with { QueuedAt = Math.Min(other.QueuedAt, commit.QueuedAt) } : commit;
            }
        }

        foreach (var (name, commit) in perCluster)
        {
            _lanes.GetOrAdd(name, n => new ClusterLane(this, n)).Offer(commit, cancellationToken);
        }
    }

    private async Task SendAsync(ClusterLane lane, Commit commit, CancellationToken cancellationToken)
    {
        var cluster = await clusters.FindAsync(lane.Name, cancellationToken);
        if (cluster?.NotifyUrl is null || !_senders.TryGetValue(cluster.Engine, out var sender))
        {
            return;
        }

        var settings = options.Value;
        var delay = settings.NotifyRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(settings.NotifyTimeout);
                await sender.SendAsync(cluster, commit.Revision, timeout.Token);
                metrics.Notifications.Add(1, new("engine", cluster.Engine), new("outcome", "sent"));
                metrics.NotifyLatency.Record(Stopwatch.GetElapsedTime(commit.QueuedAt).TotalSeconds, new KeyValuePair<string, object?>("engine", cluster.Engine));
                lane.Succeeded(commit.Revision, time.GetUtcNow());
                return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or EngineNotificationException && !cancellationToken.IsCancellationRequested)
            {
                var error = e is OperationCanceledException ? $"no answer within {settings.NotifyTimeout.TotalSeconds:0} s" : e.Message;
                if (attempt >= settings.NotifyAttempts)
                {
                    metrics.Notifications.Add(1, new("engine", cluster.Engine), new("outcome", "failed"));
                    lane.Failed(commit.Revision, error, time.GetUtcNow());
                    Log.GaveUp(logger, cluster.Name, attempt, error);
                    return;
                }

                metrics.Notifications.Add(1, new("engine", cluster.Engine), new("outcome", "retried"));
                Log.Retrying(logger, cluster.Name, attempt, error);
                await Task.Delay(delay, time, cancellationToken);
                delay *= 2;
            }
        }
    }

    private void Unexpected(ClusterLane lane, Commit commit, Exception e)
    {
        lane.Failed(commit.Revision, e.Message, time.GetUtcNow());
        Log.Unexpected(logger, lane.Name, e);
    }

    private sealed record Commit(string Tenant, string Revision, long QueuedAt);

    /// <summary>One cluster's notifications: at most one in flight, and the newest commit waiting behind it.</summary>
    private sealed class ClusterLane(EngineNotifier notifier, string name)
    {
        private readonly Lock _lock = new();
        private Commit? _waiting;
        private bool _running;
        private ClusterNotificationState _state = ClusterNotificationState.None;

        public string Name { get; } = name;

        public ClusterNotificationState State
        {
            get
            {
                lock (_lock)
                {
                    return _state;
                }
            }
        }

        public void Offer(Commit commit, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                _waiting = _waiting is null ? commit : commit with { QueuedAt = Math.Min(_waiting.QueuedAt, commit.QueuedAt) };
                if (_running)
                {
                    return;
                }

                _running = true;
            }

            _ = Task.Run(() => RunAsync(cancellationToken), CancellationToken.None);
        }

        public void Succeeded(string revision, DateTimeOffset now)
        {
            lock (_lock)
            {
                _state = _state with { Sent = _state.Sent + 1, LastRevision = revision, LastSuccessAt = now };
            }
        }

        public void Failed(string revision, string error, DateTimeOffset now)
        {
            lock (_lock)
            {
                _state = _state with { Failed = _state.Failed + 1, LastRevision = revision, LastFailureAt = now, LastError = error };
            }
        }

        private async Task RunAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                Commit next;
                lock (_lock)
                {
                    if (_waiting is null || cancellationToken.IsCancellationRequested)
                    {
                        _running = false;
                        return;
                    }

                    (next, _waiting) = (_waiting, null);
                }

                try
                {
                    await notifier.SendAsync(this, next, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    notifier.Unexpected(this, next, e);
                }
                catch (OperationCanceledException)
                {
                    lock (_lock)
                    {
                        _running = false;
                    }

                    return;
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7201, Level = LogLevel.Information, Message = "Notifying cluster {Cluster} failed (try {Attempt}): {Error}; trying again")]
        public static partial void Retrying(ILogger logger, string cluster, int attempt, string error);

        [LoggerMessage(EventId = 7202, Level = LogLevel.Warning, Message = "Gave up notifying cluster {Cluster} after {Attempts} tries: {Error}; its engine finds the commit at its next poll")]
        public static partial void GaveUp(ILogger logger, string cluster, int attempts, string error);

        [LoggerMessage(EventId = 7204, Level = LogLevel.Error, Message = "Notifying cluster {Cluster} failed unexpectedly")]
        public static partial void Unexpected(ILogger logger, string cluster, Exception exception);

        [LoggerMessage(EventId = 7203, Level = LogLevel.Error, Message = "A notification round failed; the next commit starts a new one")]
        public static partial void RoundFailed(ILogger logger, Exception exception);
    }
}

/// <summary>Tells one kind of engine about a new commit, in its own protocol.</summary>
public interface IEngineNotificationSender
{
    /// <summary>The engine this sender speaks to (<see cref="ClusterEngines"/>).</summary>
    string Engine { get; }

    /// <summary>Sends one notification; throws <see cref="HttpRequestException"/> or <see cref="EngineNotificationException"/> when it was not accepted.</summary>
    Task SendAsync(ClusterRecord cluster, string revision, CancellationToken cancellationToken);
}

/// <summary>The engine answered, but not with success.</summary>
public sealed class EngineNotificationException(string message) : Exception(message);
