namespace Gantry.Testing;

/// <summary>Paths of files the tests read in place: the repository's own (examples/) and ../shared/interop.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    /// <summary>The read-only interop data beside the repository (CRD schemas, captured payloads, test vectors).</summary>
    public static string Interop => System.IO.Path.GetFullPath(System.IO.Path.Combine(Path, "..", "shared", "interop"));

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Gantry.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Gantry.slnx not found above " + AppContext.BaseDirectory);
    }
}
