namespace Gantry.Testing;

/// <summary>A folder under the system temp path that is removed when the test is done.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "gantry-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A server process may still be letting go of a file; the OS cleans temp eventually.
        }
    }
}
