using System.CommandLine;
using Gantry.Cli.Commands;
using Gantry.Sealing;

namespace Gantry.Cli;

/// <summary>
/// The gantry command tree. Each command lives in its own file under Commands/ and is added here; every failure
/// ends in <see cref="CliErrors.Write"/>, so output is either the full result on stdout or one error line on stderr.
/// </summary>
internal static class GantryCommandLine
{
    public static RootCommand Create(CliConsole console)
    {
        var root = new RootCommand("Gantry: self-service GitOps control plane");
        root.Subcommands.Add(SealCommand.Create(console));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(console);
        var parseResult = Create(console).Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            return CliErrors.Write(console, $"{parseResult.Errors[0].Message} (see 'gantry --help')", ExitCodes.Usage);
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
        catch (SealingException ex)
        {
            return CliErrors.Write(console, ex.Message, ExitCodes.Failure);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return CliErrors.Write(console, "cancelled", ExitCodes.Failure);
        }
    }
}
