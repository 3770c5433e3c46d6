using System.Text.RegularExpressions;

namespace Gantry.Cli;

/// <summary>Process exit codes of every gantry command.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command ran but failed: bad input data, an expired certificate, a value that does not decrypt.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong: unknown or missing options, contradictory flags.</summary>
    public const int Usage = 2;
}

/// <summary>A command failed for a reason to show the user; <see cref="GantryCommandLine"/> prints it as one line.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(message, ExitCodes.Usage);
}

/// <summary>The one way commands report errors: "gantry: error: ..." on standard error, on one line.</summary>
internal static partial class CliErrors
{
    public static int Write(CliConsole console, string message, int exitCode)
    {
        console.Error.WriteLine($"gantry: error: {Whitespace().Replace(message, " ").Trim()}");
        return exitCode;
    }

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
