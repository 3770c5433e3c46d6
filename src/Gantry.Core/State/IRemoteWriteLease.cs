namespace Gantry.Core.State;

/// <summary>
/// Lets one writer at a time build on and push to a remote that several Gantry replicas share, and relays what each
/// pushed to the others. Without it each replica pushes optimistically and, with several busy, most pushes are
/// refused, fetched, rebuilt and retried after a backoff; with it a replica waits its turn, catches up with what the
/// others pushed from the relayed packs (a database read instead of a fetch), and its push is accepted the first time.
/// </summary>
/// <remarks>
/// The lease and the relay are optimizations, never what keeps the remote right: the remote still refuses a push that
/// is not a fast-forward, so a writer that lost its lease (its database session broke) or pushed without one is caught
/// as before, and a replica that cannot catch up from the relay fetches. Implemented on PostgreSQL with a session
/// advisory lock and a table of recent pushes (<c>Gantry.Data</c>).
/// </remarks>
public interface IRemoteWriteLease
{
    /// <summary>
    /// Waits until this process holds the lease of <paramref name="remote"/> (a remote and branch, without
    /// credentials); dispose the result to hand it on. Null when this deployment needs no lease (one process).
    /// </summary>
    Task<IRemoteLeaseHold?> AcquireAsync(string remote, CancellationToken cancellationToken);

    /// <summary>
    /// The newest recorded push of <paramref name="remote"/> and, oldest first, the pushes recorded after the one that
    /// moved the branch to <paramref name="head"/>; none when that push is not among those kept (or was the newest).
    /// Needs no lease: only pushes the remote accepted are recorded.
    /// </summary>
    Task<RecordedPushes> PushesSinceAsync(string remote, string head, CancellationToken cancellationToken);
}

/// <summary>A held lease: what the previous holder recorded, and where this holder records its own pushes.</summary>
public interface IRemoteLeaseHold : IAsyncDisposable
{
    /// <summary>The head of the newest recorded push; null when none was recorded.</summary>
    string? RecordedHead { get; }

    /// <summary>Records a push the remote accepted, for the other replicas to catch up from.</summary>
    Task RecordAsync(RecordedPush push, CancellationToken cancellationToken);
}

/// <summary>
/// One accepted push: the branch moved from <see cref="Base"/> to <see cref="Head"/>, with the pack that carried every
/// new object and its index; both null when the pack was too large to relay (the others fetch it).
/// </summary>
public sealed record RecordedPush(string? Base, string Head, byte[]? Pack, byte[]? Index);

/// <summary>The newest recorded head and the pushes after a given one, oldest first.</summary>
public sealed record RecordedPushes(string? Newest, IReadOnlyList<RecordedPush> Since);
