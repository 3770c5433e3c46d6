namespace Gantry.Core.State;

/// <summary>
/// Lets one writer at a time build on and push to a remote that several Gantry replicas share. Without it each
/// replica pushes optimistically and, with several busy, most pushes are refused, fetched, rebuilt and retried after a
/// backoff; with it a replica waits its turn, fetches only when another one pushed since its own last push, and its
/// push is accepted the first time.
/// </summary>
/// <remarks>
/// The lease is an optimization, never what keeps the remote right: the remote still refuses a push that is not a
/// fast-forward, so a writer that lost its lease (its database session broke) or pushed without one is caught as
/// before. Implemented on PostgreSQL with a session advisory lock (<c>Gantry.Data</c>).
/// </remarks>
public interface IRemoteWriteLease
{
    /// <summary>
    /// Waits until this process holds the lease of <paramref name="remote"/> (a remote and branch, without
    /// credentials); dispose the result to hand it on. Null when this deployment needs no lease (one process).
    /// </summary>
    Task<IRemoteLeaseHold?> AcquireAsync(string remote, CancellationToken cancellationToken);
}

/// <summary>A held lease: what the previous holder recorded, and where this holder records its own push.</summary>
public interface IRemoteLeaseHold : IAsyncDisposable
{
    /// <summary>The head the last holder recorded after its push; null when none was recorded.</summary>
    string? RecordedHead { get; }

    /// <summary>Records <paramref name="head"/> as what this holder pushed, for the next holder to compare with its own.</summary>
    Task RecordAsync(string head, CancellationToken cancellationToken);
}
