using Gantry.Core.Rendering;
using Gantry.Git.Testing;

namespace Gantry.Testing.Replicas;

/// <summary>
/// The remote's branch as the git command line reads it, straight from the bare repository the Git server serves:
/// which commits changed each instance's claim, and what a claim held at a revision.
/// </summary>
public sealed class RemoteHistory
{
    private readonly string _gitDir;
    private readonly Dictionary<string, List<string>> _commitsByPath = new(StringComparer.Ordinal);

    private RemoteHistory(string gitDir) => _gitDir = gitDir;

    public string Head { get; private set; } = "";

    /// <summary>Reads the whole first-parent history of <c>main</c> once: commit ids and the paths each changed.</summary>
    public static RemoteHistory Read(string gitDir)
    {
        var history = new RemoteHistory(gitDir) { Head = GitCli.Run(gitDir, "rev-parse", "main").Trim() };
        string? commit = null;
        foreach (var line in GitCli.Run(gitDir, "log", "--first-parent", "--format=@%H", "--name-only", "main").Split('\n'))
        {
            if (line.StartsWith('@'))
            {
                commit = line[1..];
            }
            else if (line.Length > 0 && commit is not null)
            {
                if (!history._commitsByPath.TryGetValue(line, out var commits))
                {
                    history._commitsByPath[line] = commits = [];
                }

                commits.Add(commit);
            }
        }

        return history;
    }

    /// <summary>The commits that changed the instance's claim, newest first.</summary>
    public IReadOnlyList<string> ClaimCommits(string tenant, string name) =>
        _commitsByPath.GetValueOrDefault(GitOpsLayout.InstanceClaim(tenant, name)) ?? [];

    /// <summary>The claim file at <paramref name="revision"/>, or null when it is not there.</summary>
    public string? ClaimAt(string revision, string tenant, string name)
    {
        var (code, output, _) = GitCli.TryRun(_gitDir, "show", $"{revision}:{GitOpsLayout.InstanceClaim(tenant, name)}");
        return code == 0 ? output : null;
    }

    /// <summary>
    /// Of acknowledged writes to instances written once each, those not in the remote exactly once (one commit changed
    /// the claim, the acknowledged revision) or not at the head with the written value; empty when none.
    /// </summary>
    public List<string> MissingOrDoubled(IEnumerable<(string Tenant, string Name, WriteResult Result)> acknowledged)
    {
        var missing = new List<string>();
        foreach (var (tenant, name, result) in acknowledged)
        {
            var commits = ClaimCommits(tenant, name);
            if (commits.Count != 1 || commits[0] != result.Revision || ClaimAt(Head, tenant, name)?.Contains(result.Uuid, StringComparison.Ordinal) != true)
            {
                missing.Add($"{tenant}/{name} acknowledged at {result.Revision}, in the remote at [{string.Join(", ", commits)}]");
            }
        }

        return missing;
    }

    /// <summary>
    /// The generation of every instance claim of <paramref name="tenant"/> at the head, by instance name: one
    /// <c>git grep</c> over the tenant's claims folder (a claim's status block has <c>generation: N</c>).
    /// </summary>
    public IReadOnlyDictionary<string, long> ClaimGenerations(string tenant)
    {
        var folder = GitOpsLayout.InstanceClaims(tenant) + "/";
        var (code, output, error) = GitCli.TryRun(_gitDir, "grep", "-e", "^ *generation: ", Head, "--", folder);
        var generations = new Dictionary<string, long>(StringComparer.Ordinal);
        if (code is not 0 and not 1)
        {
            throw new InvalidOperationException($"git grep exited {code}: {error}");
        }

        // Each line: <head>:<folder><name>.yaml:  generation: <n> (exit code 1: no claim at all).
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = line[(Head.Length + 1)..line.IndexOf(".yaml:", StringComparison.Ordinal)];
            var name = path[folder.Length..];
            generations[name] = long.Parse(line[(line.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }

        return generations;
    }

    /// <summary>The problems <c>git fsck --full</c> reports (empty when the repository is sound).</summary>
    public static string Fsck(string gitDir)
    {
        var (code, output, error) = GitCli.TryRun(gitDir, "fsck", "--full", "--no-dangling");
        return code == 0 ? "" : $"git fsck exited {code}: {error}{output}";
    }
}
