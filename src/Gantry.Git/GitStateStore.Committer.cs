using System.Diagnostics;
using Gantry.Core.Diagnostics;
using Gantry.Core.State;
using Gantry.Git.Objects;
using Gantry.Git.Remotes;
using Gantry.Git.Storage;
using LibGit2Sharp;
using PackBuilder = Gantry.Git.Objects.PackBuilder;

namespace Gantry.Git;

public sealed partial class GitStateStore
{
    /// <summary>
    /// The committer. Building a batch (CPU) overlaps with making the previous batch durable (fsync or push):
    /// batch k+1 is built on batch k's head while k is written, and only persisted once k is. When k fails or
    /// is refused, everything built after it is rebuilt on what is really stored.
    /// </summary>
    private async Task RunCommitterAsync()
    {
        var reader = _queue.Reader;
        Task<PersistOutcome>? inflight = null;
        while (true)
        {
            var batch = Take(reader);
            if (_syncs.Count > 0)
            {
                // Another replica may have pushed: fetch once nothing of ours is in flight, then build on its head.
                if (inflight is not null)
                {
                    await FinishAsync(inflight, null);
                    inflight = null;
                }

                await SyncWithRemoteAsync();
            }

            if (batch.Count == 0)
            {
                if (inflight is not null)
                {
                    var more = reader.WaitToReadAsync().AsTask();
                    await Task.WhenAny(more, inflight);
                    if (!inflight.IsCompleted)
                    {
                        if (!more.IsCompleted || await more)
                        {
                            continue;
                        }

                        await inflight; // the queue is closed: finish the last batch
                    }
                }
                else
                {
                    // Nothing to push: let the other replicas have their turn while this one waits.
                    await ReleaseLeaseAsync();
                    if (await reader.WaitToReadAsync())
                    {
                        continue;
                    }

                    return;
                }
            }

            if (batch.Count > 0 && inflight is not null && _tree!.LoadedTrees > _options.MaxCachedTrees)
            {
                // The cache is only dropped on a stored head (its objects must be readable): finish the batch in flight first.
                await FinishAsync(inflight, null);
                inflight = null;
            }

            if (batch.Count > 0 && UsesLease && (_hold is null || TurnIsOver))
            {
                // Replicas take turns on the remote: store what is in flight, hand the lease on when this turn has
                // pushed its share, and wait for the next turn (fetching when another replica pushed meanwhile).
                if (inflight is not null)
                {
                    await FinishAsync(inflight, null);
                    inflight = null;
                }

                await ReleaseLeaseAsync();
                batch = await TakeLeaseAsync(batch, reader);
            }

            BuiltBatch? built = null;
            var buildFailed = false;
            if (batch.Count > 0)
            {
                try
                {
                    built = Build(batch, _buildHead);
                }
                catch (Exception e)
                {
                    Fail(batch, e);
                    buildFailed = true;
                }
            }

            if (inflight is not null)
            {
                var landed = await FinishAsync(inflight, built);
                inflight = null;
                if (!landed)
                {
                    continue; // the slow path rebuilt and stored (or failed) everything built so far
                }
            }

            if (buildFailed)
            {
                // Only now, with nothing in flight, is the branch on disk the base to start again from.
                ResetToStored();
                continue;
            }

            if (built is not null && built.Landed.Count < _options.MaxBatchSize)
            {
                if (_options.BatchWindow > TimeSpan.Zero)
                {
                    // Callers acknowledged by the batch that was just stored are about to send their next change;
                    // a push or fsync costs about the same for 100 changes as for 300, so wait for them briefly.
                    // Real time on purpose, as for the push backoff: pacing I/O must not stop under a test's fake clock.
                    await Task.Delay(_options.BatchWindow);
                }

                // Changes that queued up while the previous batch was being stored join this one.
                var more = Take(reader, _options.MaxBatchSize - built.Landed.Count);
                if (more.Count > 0)
                {
                    try
                    {
                        Extend(built, more);
                    }
                    catch (Exception e)
                    {
                        Fail([.. built.Landed.Select(l => l.Change), .. more], e);
                        ResetToStored();
                        built = null;
                    }
                }
            }

            if (built is { Landed.Count: > 0 })
            {
                _heldBatches++;
                inflight = Task.Run(() => PersistAsync(built));
            }
        }
    }

    /// <summary>
    /// Waits for the batch in flight. When it was refused or failed, <paramref name="builtOnIt"/> (built on its head)
    /// is void too: both are redone on the stored head by the slow path, and false is returned.
    /// </summary>
    private async Task<bool> FinishAsync(Task<PersistOutcome> inflight, BuiltBatch? builtOnIt)
    {
        var outcome = await inflight;
        if (outcome.Refusal is null && outcome.Failure is null)
        {
            MergePacksIfDue();
            return true;
        }

        var redo = new List<PendingChange>();
        if (outcome.Failure is not null)
        {
            Fail(outcome.Batch.Landed.Select(l => l.Change).ToList(), outcome.Failure);
        }
        else
        {
            redo.AddRange(outcome.Batch.Landed.Select(l => l.Change));
        }

        redo.AddRange(builtOnIt?.Landed.Select(l => l.Change) ?? []);
        ResetToStored();
        await CommitSeriallyAsync(redo, outcome.Refusal);
        return false;
    }

    private List<PendingChange> Take(System.Threading.Channels.ChannelReader<PendingChange> reader, int? limit = null)
    {
        var batch = new List<PendingChange>();
        while (batch.Count < (limit ?? _options.MaxBatchSize) && reader.TryRead(out var pending))
        {
            if (TakeSync(pending))
            {
                continue;
            }

            _metrics.Dequeued();
            if (pending.TryTake())
            {
                batch.Add(pending);
            }
        }

        return batch;
    }

    /// <summary>The slow path after a refused push or a failure: one batch at a time, fetching and rebasing as needed.</summary>
    private async Task CommitSeriallyAsync(List<PendingChange> pending, string? refusal)
    {
        try
        {
            for (var attempt = 0; pending.Count > 0; attempt++)
            {
                if (refusal is not null)
                {
                    _metrics.PushRejections.Add(1);
                    Log.PushRejected(logger, _remote!.DisplayUrl, refusal, pending.Count, attempt + 1);
                    if (attempt >= _options.PushRetries)
                    {
                        throw new StateStoreException($"The remote {_remote.DisplayUrl} kept refusing the push ({refusal}) after {attempt + 1} attempts.");
                    }

                    await Task.Delay(Backoff(attempt));
                    var stored = _head;
                    var remoteHead = FetchRemote(adopt: true);
                    pending = RejectRemoteConflicts(pending, stored, remoteHead);
                    _head = remoteHead;
                    _headText = remoteHead?.ToString();
                    ResetToStored();
                }

                if (pending.Count == 0)
                {
                    return;
                }

                var built = Build(pending, _buildHead);
                if (built.Landed.Count == 0)
                {
                    return;
                }

                var outcome = await PersistAsync(built);
                if (outcome.Failure is { } failure)
                {
                    throw failure;
                }

                refusal = outcome.Refusal;
                pending = refusal is null ? [] : built.Landed.Select(l => l.Change).ToList();
            }
        }
        catch (Exception e)
        {
            Fail(pending, e);
            ResetToStored();
        }
    }

    /// <summary>Builds the batch's objects and commits on <paramref name="baseHead"/> in memory.</summary>
    private BuiltBatch Build(List<PendingChange> batch, GitHash? baseHead)
    {
        var started = Stopwatch.GetTimestamp();
        // The cache is dropped when it does not match the base, or has grown past its bound (it only ever loads
        // trees on changed paths; reloading those from the packs is cheap).
        if (_cacheHead != baseHead || _cacheHead is null || _tree!.LoadedTrees > _options.MaxCachedTrees)
        {
            _tree!.Reset(baseHead is { } h ? GitHash.FromBytes(_writer!.Lookup<Commit>(new ObjectId(h.ToString())).Tree.Id.RawId) : null);
            _cacheHead = baseHead;
        }

        var built = new BuiltBatch(baseHead, new PackBuilder(), started);
        Extend(built, batch);
        return built;
    }

    /// <summary>Adds changes to a built batch that is not stored yet, as commits on top of its head.</summary>
    private void Extend(BuiltBatch built, List<PendingChange> batch)
    {
        var landed = BuildCommits(batch, built.NewHead ?? built.BaseHead, built.Objects);
        if (landed.Count == 0)
        {
            return;
        }

        built.Landed.AddRange(landed);
        built.NewHead = landed[^1].Commit;
        _cacheHead = built.NewHead;
        _buildHead = built.NewHead;
    }

    /// <summary>Makes a built batch durable: pack installed, pushed, branch moved; then acknowledges its changes.</summary>
    private async Task<PersistOutcome> PersistAsync(BuiltBatch batch)
    {
        // One span per batch, linked to the spans of the requests whose changes it carries.
        using var activity = GantryTracing.Source.StartActivity(
            "gantry.git.persist", ActivityKind.Internal, parentContext: default,
            links: batch.Landed.Where(l => l.Change.Trace is not null).Select(l => new ActivityLink(l.Change.Trace!.Value)));
        activity?.SetTag(GantryTracing.Tags.BatchSize, batch.Landed.Count);
        try
        {
            _metrics.BatchSize.Record(batch.Landed.Count);
            var (packBytes, indexBytes, name) = batch.Objects.Build();
            var files = new PackFiles(packBytes, indexBytes, name);
            RepositoryFiles.InstallPack(_gitDir, files.Pack, files.Index, files.Name, sync: _remote is null && _options.SyncToDisk);
            Interlocked.Increment(ref _packsSinceMerge);
            _metrics.CommitDuration.Record(Stopwatch.GetElapsedTime(batch.Started).TotalSeconds);
            if (_remote is not null)
            {
                var pushStarted = Stopwatch.GetTimestamp();
                string? refusal;
                using (var push = GantryTracing.Source.StartActivity("gantry.git.push"))
                {
                    refusal = await _remote.PushAsync(batch.BaseHead, batch.NewHead!.Value, files, CancellationToken.None);
                    push?.SetTag(GantryTracing.Tags.Outcome, refusal is null ? "pushed" : "rejected");
                }

                _metrics.PushDuration.Record(Stopwatch.GetElapsedTime(pushStarted).TotalSeconds);
                if (refusal is not null)
                {
                    activity?.SetTag(GantryTracing.Tags.Outcome, "rejected");
                    return new PersistOutcome(batch, refusal, null);
                }

                _metrics.PushBytes.Add(files.Pack.Length);
            }

            if (!RepositoryFiles.TryUpdateRef(_gitDir, _refName, batch.BaseHead, batch.NewHead!.Value, _remote is null && _options.SyncToDisk, force: _remote is not null))
            {
                throw new StateStoreException($"The branch {_refName} of {_gitDir} was moved by another process; only one Gantry may write a repository.");
            }

            _head = batch.NewHead;
            _headText = batch.NewHead.Value.ToString();
            await RecordPushAsync(batch, files);

            foreach (var (change, commit) in batch.Landed)
            {
                change.Done.TrySetResult(commit.ToString());
            }

            _metrics.Changes.Add(batch.Landed.Count, new KeyValuePair<string, object?>("outcome", "committed"));
            activity?.SetTag(GantryTracing.Tags.Commit, _headText).SetTag(GantryTracing.Tags.Outcome, "committed");
            Log.BatchCommitted(logger, batch.Landed.Count, _headText, Stopwatch.GetElapsedTime(batch.Started).TotalMilliseconds);
            return new PersistOutcome(batch, null, null);
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            return new PersistOutcome(batch, null, e);
        }
        finally
        {
            // Stored, pushed or given up: a refused or failed batch is built again from its changes, never from this pack.
            batch.Objects.Dispose();
        }
    }

    private void Fail(List<PendingChange> changes, Exception e)
    {
        var reason = e is StateStoreException ? e.Message : $"{e.GetType().Name}: {RemoteUrl.Scrub(e.Message, _password)}";
        Log.BatchFailed(logger, changes.Count, reason, e);
        var failure = e as StateStoreException ?? new StateStoreException("The change could not be stored: " + reason, e);
        foreach (var pending in changes)
        {
            if (pending.Done.TrySetException(failure))
            {
                _metrics.Changes.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            }
        }
    }

    /// <summary>Forgets everything built but not stored; the next batch starts from the branch on disk.</summary>
    private void ResetToStored()
    {
        _head = RepositoryFiles.ReadRef(_gitDir, _refName);
        _headText = _head?.ToString();
        _buildHead = _head;
        _cacheHead = null;
    }

    /// <summary>A batch built in memory: its objects (a pack not yet sealed) and the commit of each change.</summary>
    private sealed class BuiltBatch(GitHash? baseHead, PackBuilder objects, long started)
    {
        public GitHash? BaseHead { get; } = baseHead;

        public GitHash? NewHead { get; set; }

        public PackBuilder Objects { get; } = objects;

        public List<(PendingChange Change, GitHash Commit)> Landed { get; } = [];

        public long Started { get; } = started;
    }

    private sealed record PersistOutcome(BuiltBatch Batch, string? Refusal, Exception? Failure);
}
