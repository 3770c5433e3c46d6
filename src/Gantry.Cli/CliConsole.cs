using System.Text;

namespace Gantry.Cli;

/// <summary>
/// What a command may touch of the outside world: standard streams, the clock and HTTP. Tests pass captured
/// streams and a fake clock; <see cref="FromProcess"/> gives the real ones.
/// </summary>
internal sealed record CliConsole
{
    public required Stream Input { get; init; }

    public required TextWriter Output { get; init; }

    public required TextWriter Error { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Handler for outgoing HTTP (certificate URLs, later the Gantry API); null means the default.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    public static CliConsole FromProcess()
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        return new CliConsole
        {
            Input = Console.OpenStandardInput(),
            Output = new StreamWriter(Console.OpenStandardOutput(), utf8) { AutoFlush = true },
            Error = new StreamWriter(Console.OpenStandardError(), utf8) { AutoFlush = true },
        };
    }

    public HttpClient CreateHttpClient(TimeSpan timeout, long maxResponseBytes) =>
        new(HttpHandler ?? new SocketsHttpHandler(), disposeHandler: HttpHandler is null)
        {
            Timeout = timeout,
            MaxResponseContentBufferSize = maxResponseBytes,
        };
}
