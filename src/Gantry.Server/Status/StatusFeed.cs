using System.Collections.Concurrent;
using System.Threading.Channels;
using Gantry.Data.Status;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Status;

/// <summary>
/// The one reader of the status timeline that every live consumer (event streams, requests waiting for an outcome)
/// listens to. Events reach it only through the database, so a replica sees what another recorded, in id order: a
/// write on this replica signals it to read at once, and it also reads every <see cref="StatusOptions.FeedPollInterval"/>.
/// One query per round serves any number of listeners.
/// </summary>
public sealed partial class StatusFeed(StatusEventRepository events, IOptions<StatusOptions> options, ILogger<StatusFeed> logger) : BackgroundService
{
    private const int PageSize = 1_000;
    private const int ListenerBuffer = 1_024;

    // PostgreSQL hands out ids when a transaction inserts, not when it commits: an id can become visible after a
    // higher one was read. The timed round reads this many ids back and passes on only the ones not yet delivered.
    private const int LateWindow = 256;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Listener, byte>> _listeners = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<long> _recent = [];
    private readonly Queue<long> _recentOrder = new();
    private long _cursor;

    /// <summary>The id of the newest event read so far.</summary>
    public long Cursor => Interlocked.Read(ref _cursor);

    /// <summary>Tells the feed that an event was just recorded here, so it reads now instead of at its next round.</summary>
    public void Signal()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another caller signalled first: one read serves both.
            }
        }
    }

    /// <summary>
    /// Listens to one tenant's events (or one instance's, when <paramref name="target"/> is given), from now on.
    /// A listener that falls more than a buffer behind is closed: its reader sees the channel complete and resumes
    /// from the timeline by id.
    /// </summary>
    public async Task<Listener> ListenAsync(string tenant, string? target, CancellationToken cancellationToken)
    {
        await _started.Task.WaitAsync(cancellationToken);
        var listener = new Listener(this, tenant, target);
        _listeners.GetOrAdd(tenant, _ => new()).TryAdd(listener, 0);
        return listener;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            Interlocked.Exchange(ref _cursor, await events.LastIdAsync(stoppingToken));
        }
        finally
        {
            _started.TrySetResult();
        }

        var interval = options.Value.FeedPollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var signalled = await _signal.WaitAsync(interval, stoppingToken);
            try
            {
                if (_listeners.Values.Any(l => !l.IsEmpty))
                {
                    await ReadAsync(lookBack: !signalled, stoppingToken);
                }
                else if (!signalled)
                {
                    // Nobody listens: no need to read what was recorded, only to know where "now" is for the next listener.
                    Interlocked.Exchange(ref _cursor, Math.Max(Cursor, await events.LastIdAsync(stoppingToken)));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.ReadFailed(logger, e);
            }
        }
    }

    private async Task ReadAsync(bool lookBack, CancellationToken cancellationToken)
    {
        var from = lookBack ? Math.Max(0, Cursor - LateWindow) : Cursor;
        while (true)
        {
            var page = await events.ListAllAfterAsync(from, PageSize, cancellationToken);
            foreach (var e in page)
            {
                if (Remember(e.Id))
                {
                    Deliver(e);
                }
            }

            if (page.Count > 0 && page[^1].Id > Cursor)
            {
                Interlocked.Exchange(ref _cursor, page[^1].Id);
            }

            if (page.Count < PageSize)
            {
                return;
            }

            from = page[^1].Id;
        }
    }

    // Ids delivered lately, so a look-back round passes on only the late ones.
    private bool Remember(long id)
    {
        if (!_recent.Add(id))
        {
            return false;
        }

        _recentOrder.Enqueue(id);
        while (_recentOrder.Count > LateWindow * 8)
        {
            _recent.Remove(_recentOrder.Dequeue());
        }

        return true;
    }

    private void Deliver(StatusEventRecord e)
    {
        if (!_listeners.TryGetValue(e.Tenant, out var listeners))
        {
            return;
        }

        foreach (var listener in listeners.Keys)
        {
            if ((listener.Target is null || (listener.Target == e.Target && e.TargetKind == StatusTargetKinds.Instance))
                && !listener.Writer.TryWrite(e))
            {
                Log.ListenerBehind(logger, e.Tenant);
                listener.Dispose();
            }
        }
    }

    private void Remove(Listener listener)
    {
        if (_listeners.TryGetValue(listener.Tenant, out var listeners))
        {
            listeners.TryRemove(listener, out _);
        }
    }

    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
    }

    /// <summary>One consumer's view of the feed; dispose it to stop listening.</summary>
    public sealed class Listener : IDisposable
    {
        private readonly StatusFeed _feed;
        private readonly Channel<StatusEventRecord> _channel =
            Channel.CreateBounded<StatusEventRecord>(new BoundedChannelOptions(ListenerBuffer) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        internal Listener(StatusFeed feed, string tenant, string? target)
        {
            (_feed, Tenant, Target) = (feed, tenant, target);
        }

        public string Tenant { get; }

        public string? Target { get; }

        /// <summary>The events, in id order; completes when the listener is closed.</summary>
        public ChannelReader<StatusEventRecord> Events => _channel.Reader;

        internal ChannelWriter<StatusEventRecord> Writer => _channel.Writer;

        public void Dispose()
        {
            _channel.Writer.TryComplete();
            _feed.Remove(this);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Reading the status timeline failed; the next round tries again")]
        public static partial void ReadFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "A status listener of tenant {Tenant} fell behind and was closed; it resumes from the timeline")]
        public static partial void ListenerBehind(ILogger logger, string tenant);
    }
}
