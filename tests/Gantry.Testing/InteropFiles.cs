namespace Gantry.Testing;

/// <summary>
/// Locates the repository and the read-only interop data beside it (<c>../shared/interop</c>: upstream CRDs, Kubernetes
/// schemas, kubeseal vectors, webhook payloads). Tests read these files in place; they are never copied or edited.
/// </summary>
public static class InteropFiles
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The folder holding Gantry.slnx, found by walking up from the test assembly.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>A path inside the repository, e.g. <c>InRepository("examples", "catalog")</c>.</summary>
    public static string InRepository(params string[] parts) => Path.Combine([RepositoryRoot, .. parts]);

    /// <summary>The shared interop folder: <c>&lt;repo&gt;/../shared/interop</c>.</summary>
    public static string InteropRoot => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "interop"));

    /// <summary>A path under the interop folder, e.g. <c>Path("crds", "bitnami.com_sealedsecrets.yaml")</c>.</summary>
    public static string PathTo(params string[] parts) => Path.Combine([InteropRoot, .. parts]);

    public static string ReadText(params string[] parts) => File.ReadAllText(PathTo(parts));

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gantry.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Gantry.slnx was not found above {AppContext.BaseDirectory}");
    }
}
