using System.CommandLine;
using Gantry.Cli.Commands;
using Gantry.Cli.Config;
using Gantry.Client;
using Gantry.Sealing;

namespace Gantry.Cli;

/// <summary>
/// The gantry command tree. Each command lives in its own file under Commands/ and is added here; every failure
/// ends in <see cref="CliErrors"/>, so output is either the full result on stdout or the error on stderr, and the
/// exit code (<see cref="ExitCodes"/>) says which kind of failure it was.
/// </summary>
internal static class GantryCommandLine
{
    public static RootCommand Create(CliConsole console)
    {
        var root = new RootCommand("Gantry: self-service GitOps control plane")
        {
            GantrySession.ContextOption,
            GantrySession.VerboseOption,
            QuietOption,
        };
        root.Subcommands.Add(LoginCommand.Create(console));
        root.Subcommands.Add(ContextCommand.Create(console));
        root.Subcommands.Add(OfferingsCommand.Create(console));
        root.Subcommands.Add(InstancesCommand.Create(console));
        root.Subcommands.Add(RolloutsCommand.Create(console));
        root.Subcommands.Add(EnvCommand.Create(console));
        root.Subcommands.Add(DeployCommand.Create(console));
        root.Subcommands.Add(StatusCommand.Create(console));
        root.Subcommands.Add(AdminCommand.Create(console));
        root.Subcommands.Add(SealCommand.Create(console));
        root.Subcommands.Add(CompletionCommand.Create(console));
        root.Subcommands.Add(VersionCommand.Create(console));
        return root;
    }

    /// <summary><c>--quiet</c>, on every command: see <see cref="CliConsole.Quiet"/>. No <c>-q</c>: <c>env list</c> has it for its query.</summary>
    public static Option<bool> QuietOption { get; } = new("--quiet")
    {
        Description = "Print no confirmations, notices or progress: only what was asked for (lists, -o output, a secret shown once) and errors",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (args.Length > 0 && args[0] == CompletionCommand.CompleteVerb)
        {
            return CompletionCommand.Complete(Create(console), args[1..], console);
        }

        var parseResult = Create(console).Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            return CliErrors.Write(console, $"{parseResult.Errors[0].Message} (see 'gantry --help')", ExitCodes.Usage);
        }

        if (parseResult.GetValue(QuietOption))
        {
            // Commands hold the console they were made with: made again with a quiet one.
            console = console with { Quiet = true };
            parseResult = Create(console).Parse(args);
        }

        try
        {
            var configuration = new InvocationConfiguration
            {
                Output = console.Output,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
            };
            return await parseResult.InvokeAsync(configuration, cancellationToken);
        }
        catch (CliException ex)
        {
            return CliErrors.Write(console, ex.Message, ex.ExitCode);
        }
        catch (GantryApiException ex)
        {
            return CliErrors.Write(console, ex, CurrentServer(console, parseResult));
        }
        catch (HttpRequestException ex)
        {
            return CliErrors.Write(console, $"cannot reach {CurrentServer(console, parseResult) ?? "the server"}: {ex.Message}", ExitCodes.Unavailable);
        }
        catch (TimeoutException ex)
        {
            return CliErrors.Write(console, ex.Message, ExitCodes.Unavailable);
        }
        catch (SealingException ex)
        {
            return CliErrors.Write(console, ex.Message, ExitCodes.Failure);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return CliErrors.Write(console, "cancelled", ExitCodes.Failure);
        }
    }

    /// <summary>The server commands talk to, for messages; null when none is configured or the config cannot be read.</summary>
    private static string? CurrentServer(CliConsole console, ParseResult parse)
    {
        if (console.Environment("GANTRY_SERVER") is { Length: > 0 } server)
        {
            return server;
        }

        try
        {
            var config = CliConfigStore.ForUser(console).Load();
            var name = parse.GetValue(GantrySession.ContextOption) ?? config.CurrentContext;
            return name is null ? null : config.Find(name)?.Server;
        }
        catch (CliException)
        {
            return null;
        }
    }
}
