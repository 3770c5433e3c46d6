namespace Gantry.Server.Catalog;

/// <summary>
/// The YAML files of a configuration folder (offerings, environment services), read whole in name order. A file
/// over the size limit is a problem named by file, not read: these files are configuration, not data.
/// </summary>
internal static class YamlFolder
{
    public static IEnumerable<(string Name, string Text)> Read(string folder, long maxFileBytes, List<string> problems)
    {
        foreach (var file in Directory.EnumerateFiles(folder).Where(IsYaml).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (new FileInfo(file).Length > maxFileBytes)
            {
                problems.Add($"{name}: larger than {maxFileBytes} bytes");
                continue;
            }

            yield return (name, File.ReadAllText(file));
        }
    }

    private static bool IsYaml(string file) =>
        file.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
}
