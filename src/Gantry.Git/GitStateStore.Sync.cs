using Gantry.Core.State;
using LibGit2Sharp;

namespace Gantry.Git;

// Catching up with other writers of the remote (other replicas) on request, through the committer.
public sealed partial class GitStateStore
{
    // Queued like a change so that the committer, the only one that moves the branch, does the fetch between batches.
    private static readonly Change SyncMarker = new() { Author = new ChangeAuthor("sync", "sync@gantry.invalid"), Message = "sync" };

    // The same, asking the remote itself even when the other replicas' relayed pushes would do (FetchAsync).
    private static readonly Change FetchMarker = new() { Author = new ChangeAuthor("sync", "sync@gantry.invalid"), Message = "fetch" };

    // Sync requests the committer has taken from the queue and not yet answered (committer thread only).
    private readonly List<PendingChange> _syncs = [];

    /// <summary>
    /// Fetches the remote and moves the branch to its head, so that reads see what other replicas pushed. Requests that
    /// arrive together share one fetch; the committer finishes the batch it is storing first. Without a remote the
    /// branch is only moved here, so the head is returned at once.
    /// </summary>
    public Task<string?> RefreshAsync(CancellationToken cancellationToken = default) => SyncAsync(SyncMarker, cancellationToken);

    /// <summary>Fetches the remote and moves the branch to its head, never from relayed pushes alone; see <see cref="IStateStore.FetchAsync"/>.</summary>
    public Task<string?> FetchAsync(CancellationToken cancellationToken = default) => SyncAsync(FetchMarker, cancellationToken);

    private async Task<string?> SyncAsync(Change marker, CancellationToken cancellationToken)
    {
        if (_committer is null)
        {
            throw new InvalidOperationException("The Git state store is not started.");
        }

        if (_remote is null)
        {
            return _headText;
        }

        var pending = new PendingChange(marker, trace: null);
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            throw new StateStoreException("The Git state store is stopping.");
        }

        var head = await pending.Done.Task.WaitAsync(cancellationToken);
        return head.Length == 0 ? null : head;
    }

    public Task<bool> HasRevisionAsync(string revision, CancellationToken cancellationToken = default)
    {
        if (!StateRevision.IsWellFormed(revision))
        {
            return Task.FromResult(false);
        }

        lock (_readLock)
        {
            return Task.FromResult(Reader.Lookup<Commit>(new ObjectId(revision)) is not null);
        }
    }

    /// <summary>Notes a sync request taken from the queue; false for a change.</summary>
    private bool TakeSync(PendingChange pending)
    {
        if (!ReferenceEquals(pending.Change, SyncMarker) && !ReferenceEquals(pending.Change, FetchMarker))
        {
            return false;
        }

        _syncs.Add(pending);
        return true;
    }

    /// <summary>
    /// Answers the sync requests taken so far with one catch-up: from the pushes relayed by the other replicas when it
    /// can, else one fetch. Nothing may be in flight.
    /// </summary>
    private async Task SyncWithRemoteAsync()
    {
        try
        {
            if (SyncsNeedFetch || !await TryCatchUpFromRelayAsync())
            {
                FetchRemote(adopt: true);
                ResetToStored();
            }

            AnswerSyncs();
        }
        catch (Exception e)
        {
            var failure = e as StateStoreException ?? new StateStoreException("Reading the remote failed: " + e.Message, e);
            foreach (var pending in _syncs)
            {
                pending.Done.TrySetException(failure);
            }

            _syncs.Clear();
        }
    }

    /// <summary>Whether a sync request taken so far asks the remote itself.</summary>
    private bool SyncsNeedFetch => _syncs.Any(p => ReferenceEquals(p.Change, FetchMarker));

    /// <summary>Answers the sync requests taken so far with the branch as it is: the caller knows it is the remote's head.</summary>
    private void AnswerSyncs()
    {
        foreach (var pending in _syncs)
        {
            pending.Done.TrySetResult(_headText ?? "");
        }

        _syncs.Clear();
    }
}
