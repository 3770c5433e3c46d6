using System.Text;
using Spectre.Console;

namespace Gantry.Cli;

/// <summary>
/// What a command may touch of the outside world: standard streams, environment variables, the clock and HTTP.
/// Tests pass captured streams, their own variables and a fake clock; <see cref="FromProcess"/> gives the real ones.
/// </summary>
internal sealed record CliConsole
{
    public required Stream Input { get; init; }

    public required TextWriter Output { get; init; }

    public required TextWriter Error { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Handler for outgoing HTTP (certificate URLs, the Gantry API); null means the default.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Reads an environment variable (GANTRY_SERVER, GANTRY_TOKEN, NO_COLOR, XDG_CONFIG_HOME, …).</summary>
    public Func<string, string?> Environment { get; init; } = static _ => null;

    /// <summary>Whether a person can answer prompts: standard input is a terminal.</summary>
    public bool IsInputTerminal { get; init; }

    /// <summary>Whether standard output is a terminal: tables get colour (unless NO_COLOR) and its width.</summary>
    public bool IsOutputTerminal { get; init; }

    /// <summary>
    /// <c>--quiet</c>: no confirmations, notices or progress. What was asked for still prints (lists, <c>get</c>,
    /// <c>-o json|yaml|name</c>, a secret shown only once, instructions a sign-in needs), and so do errors.
    /// </summary>
    public bool Quiet { get; init; }

    /// <summary>A line saying what a command did (<c>instance/x scaled …</c>), on standard output; not under --quiet.</summary>
    public void Done(string line)
    {
        if (!Quiet)
        {
            Output.WriteLine(line);
        }
    }

    /// <summary>A remark for the person at the terminal, on standard error; not under --quiet.</summary>
    public void Notice(string line)
    {
        if (!Quiet)
        {
            Error.WriteLine(line);
        }
    }

    public static CliConsole FromProcess()
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        return new CliConsole
        {
            Input = Console.OpenStandardInput(),
            Output = new StreamWriter(Console.OpenStandardOutput(), utf8) { AutoFlush = true },
            Error = new StreamWriter(Console.OpenStandardError(), utf8) { AutoFlush = true },
            Environment = System.Environment.GetEnvironmentVariable,
            IsInputTerminal = !Console.IsInputRedirected,
            IsOutputTerminal = !Console.IsOutputRedirected,
        };
    }

    public HttpClient CreateHttpClient(TimeSpan timeout, long maxResponseBytes) =>
        new(HttpHandler ?? new SocketsHttpHandler(), disposeHandler: HttpHandler is null)
        {
            Timeout = timeout,
            MaxResponseContentBufferSize = maxResponseBytes,
        };

    /// <summary>
    /// Spectre.Console over standard output (or error, for prompts and progress): colour only on a terminal and never
    /// with NO_COLOR (https://no-color.org); off a terminal, wide enough that a table is never wrapped.
    /// </summary>
    public IAnsiConsole Ansi(bool error = false)
    {
        var colour = IsOutputTerminal && string.IsNullOrEmpty(Environment("NO_COLOR"));
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(error ? Error : Output),
            Ansi = colour ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = colour ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = IsInputTerminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        // The writer may be a buffer (tables are drawn into one), so the width is the terminal's, not the writer's.
        console.Profile.Width = IsOutputTerminal && !Console.IsOutputRedirected && Console.WindowWidth > 0 ? Console.WindowWidth : 4096;

        return console;
    }
}
