using Gantry.Client;

namespace Gantry.Cli.Commands;

/// <summary>
/// Says when an environment's status may have moved: the status stream of its pool (the tenant the engines report
/// environments under) carries an event for it. While the stream is connected a waiter looks again on each event,
/// and at most every <see cref="Fallback"/> in case one was missed before the stream connected; when the stream is
/// refused or breaks, it looks every <see cref="PollInterval"/>, as before there was a stream.
/// </summary>
internal sealed class EnvironmentChanges : IAsyncDisposable
{
    /// <summary>How often to look while the stream is connected, for an event that came before it did.</summary>
    public static readonly TimeSpan Fallback = TimeSpan.FromSeconds(5);

    /// <summary>How often to look without the stream.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _changed = new(0);
    private readonly CancellationTokenSource _stop;
    private readonly Task _reader;
    private volatile bool _streaming = true;

    private EnvironmentChanges(GantryClient client, string pool, string name, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _reader = ReadAsync(client, pool, name, _stop.Token);
    }

    /// <summary>Starts following the pool's stream for <paramref name="name"/>; connect it before reading the status.</summary>
    public static EnvironmentChanges Follow(GantryClient client, string pool, string name, CancellationToken cancellationToken) =>
        new(client, pool, name, cancellationToken);

    /// <summary>Waits until an event for the environment arrives or it is time to look anyway, at most <paramref name="remaining"/>.</summary>
    public async Task WaitAsync(TimeSpan remaining, CancellationToken cancellationToken)
    {
        var wait = _streaming ? Fallback : PollInterval;
        await _changed.WaitAsync(remaining < wait ? (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) : wait, cancellationToken);

        // Several events may have come at once: one look covers them all.
        while (_changed.CurrentCount > 0)
        {
            await _changed.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reader;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _changed.Dispose();
    }

    private async Task ReadAsync(GantryClient client, string pool, string name, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await foreach (var e in client.StreamStatusEventsAsync(pool, cancellationToken: cancellationToken))
            {
                if (e.Kind == "environment" && e.Target == name)
                {
                    _changed.Release();
                }
            }
        }
        catch (Exception e) when (e is GantryApiException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // No stream for this caller or server (refused, unreachable): looking once a second will do.
        }

        _streaming = false;
        if (!cancellationToken.IsCancellationRequested)
        {
            _changed.Release();
        }
    }
}
