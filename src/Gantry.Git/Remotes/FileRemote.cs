using Gantry.Git.Objects;
using Gantry.Git.Storage;

namespace Gantry.Git.Remotes;

/// <summary>
/// A bare repository on a local or mounted file system. The pack is installed directly and the branch moved
/// under Git's ref lock with a compare-and-swap, exactly as <c>git receive-pack</c> would.
/// </summary>
internal sealed class FileRemote(string gitDir, string refName, bool sync) : IRemoteTarget
{
    public string DisplayUrl => gitDir;

    public string GitDir => gitDir;

    public Task CheckAccessAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine(gitDir, "objects")) || !File.Exists(Path.Combine(gitDir, "HEAD")))
        {
            throw new Core.State.StateStoreException($"The remote {gitDir} is not a bare Git repository.");
        }

        return Task.CompletedTask;
    }

    public Task<string?> PushAsync(GitHash? expected, GitHash newHead, PackFiles pack, CancellationToken cancellationToken)
    {
        RepositoryFiles.InstallPack(gitDir, pack.Pack, pack.Index, pack.Name, sync);
        return Task.FromResult(RepositoryFiles.TryUpdateRef(gitDir, refName, expected, newHead, sync)
            ? null
            : "the branch moved or is locked by another writer");
    }

    public void Dispose()
    {
    }
}
