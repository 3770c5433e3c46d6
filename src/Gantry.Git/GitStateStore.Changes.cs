using Gantry.Core.State;
using Gantry.Git.Objects;
using LibGit2Sharp;
using PackBuilder = Gantry.Git.Objects.PackBuilder;

namespace Gantry.Git;

public sealed partial class GitStateStore
{
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
                var conflicts = Conflicts(change, baseRevision);
                if (conflicts.Count > 0)
                {
                    Reject(p, conflicts, parent);
                    continue;
                }
            }

            foreach (var (path, content) in change.Puts)
            {
                // A file put with the content it has already leaves the tree, and the pack, as they are.
                var id = GitHash.Compute(GitObjectType.Blob, content.Span);
                if (_tree!.Find(path) != id)
                {
                    _tree.Put(path, pack.Add(id, GitObjectType.Blob, content.Span));
                }
            }

            foreach (var path in change.Deletes)
            {
                _tree!.Delete(path);
            }

            if (_options.CommitMode == GitCommitMode.PerChange)
            {
                parent = CommitWriter.Write(pack, _tree!.WriteDirty(pack), parent, change.Author, committer, now, change.Message, change.Trailers());
                landed.Add((p, parent.Value));
                RememberFolder(parent.Value, change);
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
                RememberFolder(commit, landed[i].Item1.Change);
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

    /// <summary>The paths of <paramref name="change"/> that differ between <paramref name="baseRevision"/> and the tree being built.</summary>
    private List<string> Conflicts(Change change, string baseRevision)
    {
        // A tenant's change touches only the tenant's folder: when that folder is the same tree as at the base, so is
        // every path in it, and one lookup answers for all of them. Otherwise (the folder moved, or is being changed
        // in this batch and has no id yet) each path is compared.
        if (change.Tenant is { } tenant && StateLayout.TenantFolder(tenant) is var folder && folder + "/" is var inFolder
            && change.Paths.All(path => path.StartsWith(inFolder, StringComparison.Ordinal))
            && _tree!.Find(folder) is { } current && current != TreeCache.Unwritten && FolderAt(baseRevision, folder) == current)
        {
            return [];
        }

        return change.Paths.Where(path => IdAt(baseRevision, path) != _tree!.Find(path)).ToList();
    }

    private GitHash? FolderAt(string revision, string folder)
    {
        if (_latestFolders.TryGetValue(folder, out var latest))
        {
            // Not the folder's latest commit: an older base (rare), looked up without displacing the latest.
            return string.Equals(latest.Revision, revision, StringComparison.Ordinal) ? latest.Id : IdAt(revision, folder);
        }

        return IdAt(revision, folder) is { } id && id != TreeCache.Unwritten ? _latestFolders.Set(folder, (revision, id)).Id : null;
    }

    /// <summary>Notes the id of the changed tenant's folder in <paramref name="commit"/>, just built from the tree.</summary>
    private void RememberFolder(GitHash commit, Change change)
    {
        if (change.Tenant is { } tenant && StateLayout.TenantFolder(tenant) is var folder && _tree!.Find(folder) is { } id && id != TreeCache.Unwritten)
        {
            _latestFolders.Set(folder, (commit.ToString(), id));
        }
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
