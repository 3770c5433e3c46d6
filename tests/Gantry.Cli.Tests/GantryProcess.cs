using System.Diagnostics;
using System.Text;

namespace Gantry.Cli.Tests;

/// <summary>
/// Runs the real gantry binary (gantry.dll beside the tests, as the build copies it) as a child process with
/// captured standard streams. The child sees none of the test run's GANTRY_*, XDG_CONFIG_HOME or NO_COLOR: only the
/// variables the test gives it, so it reads the config file the test chose.
/// </summary>
internal static class GantryProcess
{
    private static readonly string[] Inherited = ["GANTRY_", "XDG_CONFIG_HOME", "NO_COLOR", "APPDATA"];

    public static async Task<CliResult> RunAsync(string stdin, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> args)
    {
        var start = StartInfo(environment, args);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("gantry did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"gantry {string.Join(' ', args)} ran longer than 3 minutes");
        }

        return new CliResult(process.ExitCode, (await stdout).ReplaceLineEndings("\n"), (await stderr).ReplaceLineEndings("\n"));
    }

    /// <summary>How the binary is started: <c>dotnet gantry.dll ARGS</c> with only the variables given of those it reads.</summary>
    public static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gantry.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => Inherited.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }
}
