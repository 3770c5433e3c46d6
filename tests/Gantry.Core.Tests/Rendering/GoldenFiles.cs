namespace Gantry.Core.Tests.Rendering;

/// <summary>
/// Compares a rendered tree with its golden files, path by path. With GANTRY_UPDATE_GOLDEN=1 the golden folder is
/// first replaced by the rendered tree (read the diff before committing it).
/// </summary>
internal static class GoldenFiles
{
    public static void AssertMatch(string root, IReadOnlyDictionary<string, string> files)
    {
        if (Environment.GetEnvironmentVariable("GANTRY_UPDATE_GOLDEN") == "1")
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }

            foreach (var (path, text) in files)
            {
                var target = Path.Combine(root, path);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllText(target, text);
            }
        }

        var golden = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);
        Assert.Equal(golden.Keys.Order(StringComparer.Ordinal), files.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, text) in golden)
        {
            Assert.True(text == files[path], $"{path} differs from its golden file:\n{files[path]}");
        }
    }
}
