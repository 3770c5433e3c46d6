using System.Diagnostics;
using Gantry.Core.State;

namespace Gantry.Git;

// Taking turns with other replicas that push to the same remote (see IRemoteWriteLease). Committer thread only.
public sealed partial class GitStateStore
{
    // The lease while this committer holds it, and how many batches it has pushed in this turn.
    private IRemoteLeaseHold? _hold;
    private int _heldBatches;

    // Set once the lease answered that this deployment needs none (one process on SQLite).
    private bool _leaseUnneeded;

    /// <summary>Whether batches go through the write lease: a remote shared through a lease that this deployment gives.</summary>
    private bool UsesLease => lease is not null && _remote is not null && !_leaseUnneeded;

    /// <summary>The lease's key: the remote without credentials and the branch.</summary>
    private string LeaseKey => _remote!.DisplayUrl + "#" + _refName;

    /// <summary>Whether this turn has pushed its share and should be handed on before the next batch.</summary>
    private bool TurnIsOver => _hold is not null && _heldBatches >= _options.LeaseBatches;

    /// <summary>
    /// Waits for the lease, then makes the branch the remote's head when another replica pushed since this one's last
    /// push, refusing the changes whose paths it touched. Returns the changes to build: <paramref name="batch"/> and
    /// those queued during the wait, which would otherwise wait for the next turn. Sync requests queued meanwhile are
    /// answered at once (reads must not wait for this replica's turn to push). Without the lease (the database is
    /// unreachable, or the wait too long) the batch goes on as a lone writer's would: the remote checks the push all
    /// the same.
    /// </summary>
    private async Task<List<PendingChange>> TakeLeaseAsync(List<PendingChange> batch, System.Threading.Channels.ChannelReader<PendingChange> reader)
    {
        var started = Stopwatch.GetTimestamp();
        string outcome;
        try
        {
            using var timeout = new CancellationTokenSource(_options.LeaseTimeout);
            var acquiring = lease!.AcquireAsync(LeaseKey, timeout.Token);
            Task<bool>? arrived = null;
            while (!acquiring.IsCompleted)
            {
                arrived ??= reader.WaitToReadAsync().AsTask();
                if (await Task.WhenAny(acquiring, arrived) == arrived)
                {
                    // Changes join this turn's batch (while it has room); syncs are answered now.
                    var open = await arrived;
                    arrived = null;
                    batch.AddRange(Take(reader, Math.Max(0, _options.MaxBatchSize - batch.Count)));
                    if (_syncs.Count > 0)
                    {
                        await SyncWithRemoteAsync();
                    }

                    if (!open || batch.Count >= _options.MaxBatchSize)
                    {
                        break; // the queue is closed, or the batch full: only the lease is left to wait for
                    }
                }
            }

            _hold = await acquiring;
            _heldBatches = 0;
            if (_hold is null)
            {
                _leaseUnneeded = true;
                return batch;
            }

            outcome = "held";
        }
        catch (Exception e) when (e is OperationCanceledException or System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            Log.LeaseUnavailable(logger, _remote!.DisplayUrl, e is OperationCanceledException ? $"no turn within {_options.LeaseTimeout.TotalSeconds:0} s" : e.Message);
            _metrics.LeaseWait.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("outcome", "unavailable"));
            return batch;
        }

        // What queued while the lease was granted joins too.
        batch.AddRange(Take(reader, Math.Max(0, _options.MaxBatchSize - batch.Count)));
        if (_hold.RecordedHead is not { } recorded || recorded != _headText)
        {
            // Someone else pushed since this replica's last push (or nobody recorded a push yet): build on their head.
            var stored = _head;
            try
            {
                outcome = await TryCatchUpFromRelayAsync() ? "relayed" : "fetched";
                var remoteHead = outcome == "relayed" ? _head : FetchRemote(adopt: true);
                batch = RejectRemoteConflicts(batch, stored, remoteHead);
                ResetToStored();
            }
            catch (Exception e)
            {
                Fail(batch, e);
                ResetToStored();
                batch = [];
                outcome = "failed";
            }
        }

        // Syncs taken with the last changes: the branch now holds every push recorded, so every acknowledged write,
        // which is what a refresh asks for. A fetch request asks the remote itself, and a failed catch-up is tried once
        // more: those sync on their own, and fail or not on their own.
        if (_syncs.Count > 0)
        {
            if (outcome == "failed" || SyncsNeedFetch)
            {
                await SyncWithRemoteAsync();
            }
            else
            {
                AnswerSyncs();
            }
        }

        _metrics.LeaseWait.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
        return batch;
    }

    /// <summary>Hands the lease on; nothing of this replica may be in flight.</summary>
    private async Task ReleaseLeaseAsync()
    {
        if (_hold is { } hold)
        {
            _hold = null;
            await hold.DisposeAsync();
        }
    }
}
