using System.CommandLine;
using System.Reflection;
using Gantry.Cli.Output;
using Gantry.Client;

namespace Gantry.Cli.Commands;

/// <summary><c>gantry version</c>: this client's version and, when a server is configured, the server's.</summary>
internal static class VersionCommand
{
    /// <summary>What <c>-o json|yaml</c> prints; <see cref="Server"/> is null without a server to ask.</summary>
    internal sealed record VersionView(string Client, ServerVersion? Server, string? ServerUrl);

    public static string ClientVersion { get; } =
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static Command Create(CliConsole console)
    {
        var clientOnly = new Option<bool>("--client") { Description = "Only the client's version; do not ask the server" };
        var output = OutputFormats.CreateOption();
        var command = new Command("version", "Show the client's and the server's version") { clientOnly, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var format = OutputFormats.Get(parse, output);
            if (parse.GetValue(clientOnly) || !HasServer(console, parse))
            {
                Write(console, format, new VersionView(ClientVersion, null, null));
                return ExitCodes.Success;
            }

            using var session = GantrySession.Open(console, parse);
            if (format == OutputFormat.Table)
            {
                console.Output.WriteLine($"Client: {ClientVersion}");
            }

            var server = await session.Client.GetServerVersionAsync(cancellationToken);
            if (format == OutputFormat.Table)
            {
                console.Output.WriteLine($"Server: {server.Version} (API {server.Api}) at {session.Server.GetLeftPart(UriPartial.Authority)}");
            }
            else
            {
                Write(console, format, new VersionView(ClientVersion, server, session.Server.ToString()));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static bool HasServer(CliConsole console, ParseResult parse)
    {
        try
        {
            using var session = GantrySession.Open(console, parse);
            return true;
        }
        catch (CliException ex) when (ex.ExitCode == ExitCodes.Unauthorized)
        {
            return false; // no context and no GANTRY_SERVER: the client's version is all there is
        }
    }

    private static void Write(CliConsole console, OutputFormat format, VersionView view)
    {
        switch (format)
        {
            case OutputFormat.Json or OutputFormat.Yaml:
                RecordWriter.WriteData(console, format, view);
                break;
            case OutputFormat.Name:
                console.Output.WriteLine($"version/{view.Client}");
                break;
            default:
                console.Output.WriteLine($"Client: {view.Client}");
                break;
        }
    }
}
