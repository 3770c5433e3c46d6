using System.Security.Cryptography;
using Gantry.Core.State;
using Gantry.Git.Objects;
using Gantry.Git.Remotes;
using Gantry.Git.Storage;
using LibGit2Sharp;

namespace Gantry.Git;

// Catching up with the other replicas from the packs they pushed, relayed through the database (IRemoteWriteLease),
// instead of fetching: a fetch is two requests to the Git server, each starting Git there, for a few kilobytes.
public sealed partial class GitStateStore
{
    /// <summary>Packs larger than this are not relayed: the others fetch them.</summary>
    private const int MaxRelayedPackBytes = 1024 * 1024;

    /// <summary>
    /// Moves the branch to the newest push recorded for the remote by installing, in order, the packs pushed since this
    /// replica's head; false when that cannot be done (no relay, this head not among the kept pushes, a pack too large
    /// to relay or not intact), and the caller fetches. Nothing may be in flight.
    /// </summary>
    private async Task<bool> TryCatchUpFromRelayAsync()
    {
        if (lease is null || _leaseUnneeded || _headText is not { } ours)
        {
            return false;
        }

        RecordedPushes recorded;
        try
        {
            recorded = await lease.PushesSinceAsync(LeaseKey, ours, CancellationToken.None);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            Log.LeaseUnavailable(logger, _remote!.DisplayUrl, e.Message);
            return false;
        }

        if (recorded.Newest is null)
        {
            return false;
        }

        if (recorded.Newest == ours)
        {
            return true;
        }

        var since = recorded.Since;
        if (since.Count == 0 || since[^1].Head != recorded.Newest)
        {
            return false;
        }

        var expectedBase = ours;
        foreach (var push in since)
        {
            if (push.Base != expectedBase || push.Pack is not { } pack || push.Index is not { } index || !TryInstallRelayed(pack, index))
            {
                return false;
            }

            expectedBase = push.Head;
        }

        var head = GitHash.Parse(recorded.Newest);
        if (_writer!.Lookup<Commit>(new ObjectId(recorded.Newest)) is null)
        {
            return false;
        }

        // The relay records only pushes the remote accepted: like a fetch, this adopts the remote's head.
        RepositoryFiles.TryUpdateRef(_gitDir, _refName, null, head, _options.SyncToDisk, force: true);
        ResetToStored();
        return true;
    }

    /// <summary>Installs a relayed pack once its checksum and its index's checksums hold; false otherwise.</summary>
    private bool TryInstallRelayed(byte[] pack, byte[] index)
    {
        const int Sum = 20;
        if (pack.Length < 12 + Sum || index.Length < 8 + 256 * 4 + 2 * Sum)
        {
            return false;
        }

        var trailer = pack.AsSpan(pack.Length - Sum);
        if (!SHA1.HashData(pack.AsSpan(0, pack.Length - Sum)).AsSpan().SequenceEqual(trailer)
            || !index.AsSpan(index.Length - 2 * Sum, Sum).SequenceEqual(trailer)
            || !SHA1.HashData(index.AsSpan(0, index.Length - Sum)).AsSpan().SequenceEqual(index.AsSpan(index.Length - Sum)))
        {
            return false;
        }

        RepositoryFiles.InstallPack(_gitDir, pack, index, Convert.ToHexStringLower(trailer), sync: false);
        Interlocked.Increment(ref _packsSinceMerge);
        return true;
    }

    /// <summary>Records a batch the remote accepted, with its pack when small enough, for the other replicas. Best effort.</summary>
    private async Task RecordPushAsync(BuiltBatch batch, PackFiles files)
    {
        if (_hold is null)
        {
            return;
        }

        var relayed = files.Pack.Length <= MaxRelayedPackBytes;
        var push = new RecordedPush(batch.BaseHead?.ToString(), batch.NewHead!.Value.ToString(), relayed ? files.Pack.ToArray() : null, relayed ? files.Index : null);
        try
        {
            await _hold.RecordAsync(push, CancellationToken.None);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // The next holder then fetches, or has its push refused and fetches: slower, never wrong.
            Log.LeaseUnavailable(logger, _remote!.DisplayUrl, e.Message);
        }
    }
}
