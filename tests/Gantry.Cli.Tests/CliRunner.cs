using System.Text;
using Gantry.Testing;

namespace Gantry.Cli.Tests;

/// <summary>The result of one in-process gantry invocation.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs the gantry root command in-process with captured standard streams and a fixed clock.</summary>
internal static class CliRunner
{
    public static Task<CliResult> RunAsync(string stdin, params string[] args) => RunAsync(Encoding.UTF8.GetBytes(stdin), SealingTestKeys.Clock(), args);

    public static Task<CliResult> RunAsync(byte[] stdin, TimeProvider time, params string[] args) =>
        RunAsync(stdin, time, new Dictionary<string, string>(), args);

    /// <summary>Runs with the given environment variables (GANTRY_CONFIG, GANTRY_TOKEN, …) and no others.</summary>
    public static async Task<CliResult> RunAsync(byte[] stdin, TimeProvider time, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole
        {
            Input = new MemoryStream(stdin),
            Output = output,
            Error = error,
            Time = time,
            Environment = name => environment.GetValueOrDefault(name),
        };

        var exitCode = await GantryCommandLine.RunAsync(args, console);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}

/// <summary>A temporary folder for key and certificate files, deleted after the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("gantry-cli-tests-").FullName;

    public string Write(string name, string content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
