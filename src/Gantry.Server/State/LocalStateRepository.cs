using Gantry.Server.Hosting;
using LibGit2Sharp;

namespace Gantry.Server.State;

/// <summary>The bare Git repository in the data folder that holds the desired state.</summary>
public sealed class LocalStateRepository(GantryPaths paths)
{
    public const string DefaultBranch = "main";

    public string Path => paths.StateRepository;

    /// <summary>Creates the bare repository on first start; later starts find it and leave it alone.</summary>
    public bool EnsureInitialized()
    {
        if (Repository.IsValid(Path))
        {
            return false;
        }

        Repository.Init(Path, isBare: true);
        using var repository = new Repository(Path);
        repository.Refs.UpdateTarget("HEAD", "refs/heads/" + DefaultBranch);
        return true;
    }

    /// <summary>Opens the repository and reads HEAD: what a GitOps engine or Gantry itself would do first.</summary>
    public string Describe()
    {
        using var repository = new Repository(Path);
        return repository.Head.Tip is { } tip
            ? $"{Path} at {tip.Sha[..12]} on {repository.Head.FriendlyName}"
            : $"{Path} (no commits yet, branch {repository.Head.FriendlyName})";
    }
}
