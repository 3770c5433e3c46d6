using Gantry.Git.Remotes;
using Gantry.Git.Storage;
using LibGit2Sharp;

namespace Gantry.Git;

/// <summary>The committer's housekeeping between batches: small packs merged in the background, then swapped in.</summary>
public sealed partial class GitStateStore
{
    /// <summary>
    /// Keeps packs from piling up. The merged pack is written in the background (readers are unaffected: the
    /// objects are then in two packs); between two batches, once it is done, the small packs are removed and the
    /// libgit2 handles reopened so that they forget them. A failure here is logged, never fatal.
    /// </summary>
    private void MergePacksIfDue()
    {
        if (_merging is { IsCompleted: true } done)
        {
            _merging = null;
            FinishMerge(done);
        }

        StartMergeIfDue();
    }

    private void FinishMerge(Task<(List<string> Packs, string Merged)> done)
    {
        try
        {
            var (packs, name) = done.GetAwaiter().GetResult();
            if (packs.Count == 0)
            {
                return;
            }

            PackMerger.Remove(_gitDir, packs, name, _remote is null && _options.SyncToDisk);
            _writer!.Dispose();
            _writer = new Repository(_gitDir);
            _native?.Dispose();
            _native = NativeTreeReader.TryOpen(_gitDir);
            lock (_readLock)
            {
                _reader!.Dispose();
                _reader = new Repository(_gitDir);
            }

            Log.PacksMerged(logger, packs.Count);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or LibGit2SharpException)
        {
            Log.PackMergeFailed(logger, e);
        }
    }

    private void StartMergeIfDue()
    {
        if (_merging is not null || Volatile.Read(ref _packsSinceMerge) < _options.PackMergeThreshold)
        {
            return;
        }

        _packsSinceMerge = 0;
        var small = PackMerger.FindSmallPacks(_gitDir, _options.PackMergeThreshold);
        var remote = (_remote as FileRemote)?.GitDir;
        if (small is null && remote is null)
        {
            return;
        }

        var sync = _remote is null && _options.SyncToDisk;
        _merging = Task.Run(() =>
        {
            if (remote is not null)
            {
                // Nothing of ours holds the remote's packs open: merge and remove there in one go.
                PackMerger.MergeSmallPacks(remote, _options.PackMergeThreshold, _options.SyncToDisk);
            }

            return small is null ? ([], "") : (small, PackMerger.Merge(_gitDir, small, sync));
        });
    }
}
