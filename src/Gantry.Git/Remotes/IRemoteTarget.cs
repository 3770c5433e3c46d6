using Gantry.Git.Objects;

namespace Gantry.Git.Remotes;

/// <summary>Where a batch's pack goes. Fetching stays with libgit2; pushing is ours, so that only new objects travel.</summary>
internal interface IRemoteTarget : IDisposable
{
    /// <summary>The remote's address without credentials.</summary>
    string DisplayUrl { get; }

    /// <summary>Fails clearly when the remote cannot be reached or refuses the credentials.</summary>
    Task CheckAccessAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Sends <paramref name="pack"/> (every object that <paramref name="newHead"/> adds to <paramref name="expected"/>)
    /// and moves the branch from <paramref name="expected"/> to <paramref name="newHead"/>; returns null when the
    /// remote accepted it, else why it refused (another writer moved the branch).
    /// </summary>
    Task<string?> PushAsync(GitHash? expected, GitHash newHead, PackFiles pack, CancellationToken cancellationToken);
}

/// <summary>A finished pack, its index and its name (the hex of its checksum).</summary>
internal sealed record PackFiles(ReadOnlyMemory<byte> Pack, byte[] Index, string Name);
