using System.Diagnostics;

namespace Gantry.Git.Testing;

/// <summary>Runs the <c>git</c> command line, the reference every test compares against.</summary>
public static class GitCli
{
    /// <summary>Runs git in <paramref name="directory"/> and returns stdout; throws with stderr when it fails.</summary>
    public static string Run(string directory, params string[] arguments)
    {
        var (code, output, error) = TryRun(directory, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed ({code}): {error}");
        }

        return output;
    }

    public static (int ExitCode, string Output, string Error) TryRun(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_AUTHOR_NAME"] = "Other Writer";
        start.Environment["GIT_AUTHOR_EMAIL"] = "other@example.com";
        start.Environment["GIT_COMMITTER_NAME"] = "Other Writer";
        start.Environment["GIT_COMMITTER_EMAIL"] = "other@example.com";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>Creates an empty bare repository whose HEAD names <paramref name="branch"/>.</summary>
    public static void InitBare(string path, string branch = "main")
    {
        Directory.CreateDirectory(path);
        Run(path, "init", "--quiet", "--bare", "--initial-branch=" + branch);
        Run(path, "config", "http.receivepack", "true");
    }
}

/// <summary>A temporary folder removed on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "gantry-git")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
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
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
