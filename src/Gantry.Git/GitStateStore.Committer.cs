using System.Diagnostics;
using Gantry.Core.State;
using Gantry.Git.Objects;
using Gantry.Git.Remotes;
using Gantry.Git.Storage;
using LibGit2Sharp;
using PackBuilder = Gantry.Git.Objects.PackBuilder;

namespace Gantry.Git;

public sealed partial class GitStateStore
{
    private async Task RunCommitterAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingChange>(_options.MaxBatchSize);
        while (await reader.WaitToReadAsync())
        {
            while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var pending))
            {
                _metrics.Dequeued();
                if (pending.TryTake())
                {
                    batch.Add(pending);
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                await CommitBatchAsync(batch);
            }
            catch (Exception e)
            {
                var reason = e is StateStoreException ? e.Message : $"{e.GetType().Name}: {RemoteUrl.Scrub(e.Message, _password)}";
                Log.BatchFailed(logger, batch.Count, reason, e);
                var failure = e as StateStoreException ?? new StateStoreException("The change could not be stored: " + reason, e);
                foreach (var pending in batch)
                {
                    if (pending.Done.TrySetException(failure))
                    {
                        _metrics.Changes.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
                    }
                }

                // Start the next batch from what is really stored.
                _head = RepositoryFiles.ReadRef(_gitDir, _refName);
                _cacheHead = null;
            }

            batch.Clear();
        }
    }

    private async Task CommitBatchAsync(List<PendingChange> batch)
    {
        _metrics.BatchSize.Record(batch.Count);
        var pending = batch;
        for (var attempt = 0; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            var baseHead = _head;
            if (_cacheHead != baseHead || _cacheHead is null)
            {
                _tree!.Reset(baseHead is { } h ? GitHash.FromBytes(_writer!.Lookup<Commit>(new ObjectId(h.ToString())).Tree.Id.RawId) : null);
                _cacheHead = baseHead;
            }

            var pack = new PackBuilder();
            var landed = BuildCommits(pending, baseHead, pack);
            if (landed.Count == 0)
            {
                return;
            }

            var newHead = landed[^1].Commit;
            var (packBytes, indexBytes, name) = pack.Build();
            var files = new PackFiles(packBytes, indexBytes, name);
            RepositoryFiles.InstallPack(_gitDir, packBytes, indexBytes, name, sync: _remote is null && _options.SyncToDisk);
            _cacheHead = null; // the cache now holds the batch's trees; it matches newHead only once the branch moves
            _metrics.CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

            string? refusal = null;
            if (_remote is not null)
            {
                var pushStarted = Stopwatch.GetTimestamp();
                refusal = await _remote.PushAsync(baseHead, newHead, files, CancellationToken.None);
                _metrics.PushDuration.Record(Stopwatch.GetElapsedTime(pushStarted).TotalMilliseconds);
                if (refusal is null)
                {
                    _metrics.PushBytes.Add(packBytes.Length);
                }
            }

            if (refusal is null)
            {
                if (!RepositoryFiles.TryUpdateRef(_gitDir, _refName, baseHead, newHead, _remote is null && _options.SyncToDisk, force: _remote is not null))
                {
                    throw new StateStoreException($"The branch {_refName} of {_gitDir} was moved by another process; only one Gantry may write a repository.");
                }

                _head = newHead;
                _cacheHead = newHead;
                _headText = newHead.ToString();
                foreach (var (change, commit) in landed)
                {
                    change.Done.TrySetResult(commit.ToString());
                }

                _metrics.Changes.Add(landed.Count, new KeyValuePair<string, object?>("outcome", "committed"));
                Log.BatchCommitted(logger, landed.Count, _headText, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                return;
            }

            _metrics.PushRejections.Add(1);
            pending = landed.Select(l => l.Change).ToList();
            Log.PushRejected(logger, _remote!.DisplayUrl, refusal, pending.Count, attempt + 1);
            if (attempt >= _options.PushRetries)
            {
                throw new StateStoreException($"The remote {_remote.DisplayUrl} kept refusing the push ({refusal}) after {attempt + 1} attempts.");
            }

            await Task.Delay(Backoff(attempt), timeProvider);
            var remoteHead = FetchRemote(adopt: true);
            pending = RejectRemoteConflicts(pending, baseHead, remoteHead);
            _head = remoteHead;
            _headText = remoteHead?.ToString();
            _cacheHead = null;
        }
    }

    /// <summary>Applies each change to the tree cache and writes its commits; changes that conflict with their base are refused here.</summary>
    private List<(PendingChange Change, GitHash Commit)> BuildCommits(List<PendingChange> pending, GitHash? baseHead, PackBuilder pack)
    {
        var landed = new List<(PendingChange, GitHash)>(pending.Count);
        var committer = new ChangeAuthor(_options.CommitterName, _options.CommitterEmail);
        var now = timeProvider.GetUtcNow();
        var parent = baseHead;
        foreach (var p in pending)
        {
            var change = p.Change;
            if (change.BaseRevision is { } baseRevision)
            {
                var conflicts = change.Paths.Where(path => IdAt(baseRevision, path) != _tree!.Find(path)).ToList();
                if (conflicts.Count > 0)
                {
                    Reject(p, conflicts, parent);
                    continue;
                }
            }

            foreach (var (path, content) in change.Puts)
            {
                _tree!.Put(path, pack.Add(GitObjectType.Blob, content.Span));
            }

            foreach (var path in change.Deletes)
            {
                _tree!.Delete(path);
            }

            if (_options.CommitMode == GitCommitMode.PerChange)
            {
                parent = CommitWriter.Write(pack, _tree!.WriteDirty(pack), parent, change.Author, committer, now, change.Message, change.Trailers());
                landed.Add((p, parent.Value));
            }
            else
            {
                landed.Add((p, default));
            }
        }

        if (_options.CommitMode == GitCommitMode.PerBatch && landed.Count > 0)
        {
            var single = landed.Count == 1 ? landed[0].Item1.Change : null;
            var message = single?.Message ?? $"Apply {landed.Count} changes\n\n" + string.Join('\n', landed.Select(l => "- " + FirstLine(l.Item1.Change.Message)));
            var commit = CommitWriter.Write(
                pack,
                _tree!.WriteDirty(pack),
                parent,
                single?.Author ?? committer,
                committer,
                now,
                message,
                landed.SelectMany(l => l.Item1.Change.Trailers()));
            for (var i = 0; i < landed.Count; i++)
            {
                landed[i] = (landed[i].Item1, commit);
            }
        }

        return landed;
    }

    /// <summary>After another writer moved the branch from <paramref name="oldHead"/> to <paramref name="newHead"/>, refuses changes to paths it touched.</summary>
    private List<PendingChange> RejectRemoteConflicts(List<PendingChange> pending, GitHash? oldHead, GitHash? newHead)
    {
        var kept = new List<PendingChange>(pending.Count);
        var oldRevision = oldHead?.ToString();
        var newRevision = newHead?.ToString();
        foreach (var p in pending)
        {
            var conflicts = p.Change.Paths.Where(path => IdAt(oldRevision, path) != IdAt(newRevision, path)).ToList();
            if (conflicts.Count > 0)
            {
                Reject(p, conflicts, newHead);
            }
            else
            {
                kept.Add(p);
            }
        }

        return kept;
    }

    private void Reject(PendingChange pending, List<string> conflicts, GitHash? current)
    {
        Log.Conflict(logger, pending.Change.ChangeId ?? "(none)", string.Join(", ", conflicts.Take(5)));
        _metrics.Changes.Add(1, new KeyValuePair<string, object?>("outcome", "conflict"));
        pending.Done.TrySetException(new ChangeConflictException(conflicts, current?.ToString()));
    }

    /// <summary>The blob or tree id at <paramref name="path"/> in <paramref name="revision"/>; null when absent. An unknown revision matches nothing.</summary>
    private GitHash? IdAt(string? revision, string path)
    {
        if (revision is null)
        {
            return null;
        }

        var commit = _writer!.Lookup<Commit>(new ObjectId(revision));
        if (commit is null)
        {
            return TreeCache.Unwritten;
        }

        var entry = commit.Tree[path];
        return entry is null ? null : GitHash.FromBytes(entry.Target.Id.RawId);
    }

    private TimeSpan Backoff(int attempt)
    {
        var delay = Math.Min(_options.PushRetryDelay.TotalMilliseconds * Math.Pow(2, attempt), _options.MaxPushRetryDelay.TotalMilliseconds);
#pragma warning disable CA5394 // Jitter spreads competing writers apart; it needs no cryptographic randomness.
        return TimeSpan.FromMilliseconds(delay * (0.5 + Random.Shared.NextDouble()));
#pragma warning restore CA5394
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n', StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).Trim();
    }
}
