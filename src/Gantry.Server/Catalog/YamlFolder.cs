using System.Text;
using Gantry.Core.Validation;

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

            var bytes = File.ReadAllBytes(file);
            if (Utf8Text(bytes) is { } text)
            {
                yield return (name, text);
            }
            else
            {
                problems.Add($"{name}: not UTF-8 text at {Position(bytes)}; save it as UTF-8.");
            }
        }
    }

    // Strict decoding: File.ReadAllText would put U+FFFD in place of bad bytes and let them into the catalog.
    private static string? Utf8Text(byte[] bytes) =>
        TextPosition.FirstInvalidUtf8(bytes) < 0 ? Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF') : null;

    private static string Position(byte[] bytes) => TextPosition.Describe(bytes, TextPosition.FirstInvalidUtf8(bytes));

    private static bool IsYaml(string file) =>
        file.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
}
