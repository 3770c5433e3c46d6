using System.Net;
using System.Text.RegularExpressions;
using Gantry.Client;

namespace Gantry.Cli;

/// <summary>Process exit codes of every gantry command; docs/cli.md lists them for scripts.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command failed: the server refused the request (validation, a server error) or the input is bad.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong: unknown or missing options, contradictory flags.</summary>
    public const int Usage = 2;

    /// <summary>The thing named does not exist, or the caller may not see it (404).</summary>
    public const int NotFound = 3;

    /// <summary>Someone else changed it first, or a precondition failed (409, 412).</summary>
    public const int Conflict = 4;

    /// <summary>The engine reported the deployment Failed or Degraded.</summary>
    public const int DeploymentFailed = 5;

    /// <summary>Not signed in, the login expired, or the role does not allow it (401, 403).</summary>
    public const int Unauthorized = 6;

    /// <summary>A wait ended before the engine reported an outcome.</summary>
    public const int TimedOut = 7;

    /// <summary>The server could not be reached or is unavailable (connection refused, 503).</summary>
    public const int Unavailable = 8;

    public static int From(HttpStatusCode status) => status switch
    {
        HttpStatusCode.NotFound or HttpStatusCode.Gone => NotFound,
        HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed => Conflict,
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => Unauthorized,
        HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout => Unavailable,
        _ => Failure,
    };
}

/// <summary>A command failed for a reason to show the user; <see cref="GantryCommandLine"/> prints it as one line.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(message, ExitCodes.Usage);
}

/// <summary>
/// The one way commands report errors: "gantry: error: ..." on standard error, on one line, then one indented line
/// per field the server named.
/// </summary>
internal static partial class CliErrors
{
    public static int Write(CliConsole console, string message, int exitCode)
    {
        console.Error.WriteLine($"gantry: error: {OneLine(message)}");
        return exitCode;
    }

    /// <summary>A refusal from the server in words: its title and detail, each bad field, and what to do for a 401.</summary>
    public static int Write(CliConsole console, GantryApiException problem, string? server)
    {
        var exitCode = ExitCodes.From(problem.StatusCode);
        var message = problem.Detail is { Length: > 0 } detail && detail != problem.Title ? $"{problem.Title} {detail}" : problem.Title;
        if (problem.StatusCode == HttpStatusCode.Unauthorized)
        {
            message += $" Log in again: gantry login {server ?? "<server>"}";
        }

        Write(console, message, exitCode);
        foreach (var (field, messages) in problem.Errors.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            foreach (var text in messages)
            {
                console.Error.WriteLine($"  {field}: {OneLine(text)}");
            }
        }

        return exitCode;
    }

    private static string OneLine(string message) => Whitespace().Replace(message, " ").Trim();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
