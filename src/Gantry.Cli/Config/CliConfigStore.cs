using System.Text.Json;
using System.Text.Json.Serialization;
using Gantry.Core.Validation;

namespace Gantry.Cli.Config;

/// <summary>
/// Reads and writes the contexts file: <c>$GANTRY_CONFIG</c> when set, else <c>gantry/config.json</c> under
/// <c>%APPDATA%</c> on Windows and <c>$XDG_CONFIG_HOME</c> (default <c>~/.config</c>) elsewhere. Written whole to a
/// temporary file created with mode 0600 and renamed over the old one, so a crash never leaves half a file and the
/// tokens are never readable by others, not even for a moment.
/// </summary>
internal sealed class CliConfigStore(string path)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Path { get; } = path;

    public static CliConfigStore ForUser(CliConsole console)
    {
        if (console.Environment("GANTRY_CONFIG") is { Length: > 0 } explicitPath)
        {
            return new CliConfigStore(explicitPath);
        }

        string folder;
        if (OperatingSystem.IsWindows())
        {
            folder = console.Environment("APPDATA") is { Length: > 0 } appData ? appData : Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData);
        }
        else if (console.Environment("XDG_CONFIG_HOME") is { Length: > 0 } xdg && System.IO.Path.IsPathRooted(xdg))
        {
            folder = xdg;
        }
        else
        {
            var home = console.Environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            folder = System.IO.Path.Combine(home, ".config");
        }

        return new CliConfigStore(System.IO.Path.Combine(folder, "gantry", "config.json"));
    }

    public CliConfig Load()
    {
        if (!File.Exists(Path))
        {
            return new CliConfig();
        }

        try
        {
            var bytes = File.ReadAllBytes(Path);
            JsonInput.CheckFile(bytes, $"the config file {Path}");
            return JsonSerializer.Deserialize<CliConfig>(bytes, Json) ?? new CliConfig();
        }
        catch (JsonInputException ex)
        {
            throw new CliException($"{ex.Message}; fix it or delete it and log in again");
        }
        catch (JsonException ex)
        {
            throw new CliException($"the config file {Path} is not valid JSON ({ex.Message}); fix it or delete it and log in again");
        }
        catch (IOException ex)
        {
            throw new CliException($"cannot read the config file {Path}: {ex.Message}");
        }
    }

    public void Save(CliConfig config)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        var temporary = Path + ".tmp";
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            File.Delete(temporary); // a leftover could carry other permissions
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(stream, config, Json);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write the config file {Path}: {ex.Message}");
        }
    }
}
