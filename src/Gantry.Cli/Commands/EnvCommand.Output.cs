using Gantry.Cli.Output;
using Gantry.Client;

namespace Gantry.Cli.Commands;

// How an environment is shown: its fields, then one row per service (resolved version, node pool, phase).
internal static partial class EnvCommand
{
    /// <summary>A create's answer: the stored environment, or the change request made for one that needs approval.</summary>
    public static int WriteCreation(CliConsole console, OutputFormat format, EnvironmentCreation created)
    {
        if (created.Environment is { } environment)
        {
            WriteEnvironment(console, format, environment, "created");
            return ExitCodes.Success;
        }

        var request = created.ChangeRequest!;
        switch (format)
        {
            case OutputFormat.Json or OutputFormat.Yaml:
                RecordWriter.WriteData(console, format, request);
                break;
            case OutputFormat.Name:
                console.Output.WriteLine($"changerequest/{request.Id}");
                break;
            default:
                console.Done($"environment/{request.Target} needs approval: change request {request.Id} ({request.Status}) waits for an administrator of pool {request.Pool} other than you");
                break;
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// One environment in the chosen format; in a table, <paramref name="verb"/> (created, updated, …) heads it as
    /// <c>environment/NAME verb</c>.
    /// </summary>
    public static void WriteEnvironment(CliConsole console, OutputFormat format, EnvironmentDetails environment, string? verb)
    {
        switch (format)
        {
            case OutputFormat.Name:
                console.Output.WriteLine($"environment/{environment.EnvironmentName}");
                return;
            case OutputFormat.Json or OutputFormat.Yaml:
                RecordWriter.WriteData(console, format, environment);
                return;
        }

        if (verb is not null)
        {
            if (console.Quiet)
            {
                return;
            }

            console.Output.WriteLine($"environment/{environment.EnvironmentName} {verb} (revision {Display.Revision(environment.Revision)})");
            console.Output.WriteLine();
        }

        RecordWriter.WriteFields(console,
        [
            ("Name", environment.EnvironmentName),
            ("Type", environment.EnvironmentType),
            ("Pool", environment.EnvironmentPool),
            ("User", environment.User),
            ("Method", environment.DeploymentMethod),
            ("Scope", environment.DeployOnlySpecified ? "the named services and their dependencies" : "the whole service catalog"),
            ("Created", environment.CreationDate is { } c ? $"{c.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} ({Display.Age(c, console.Time)} ago)" : null),
            ("Expires", environment.ExpirationDate is { } x ? $"{x.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}" : "never"),
            ("Revision", environment.Revision),
            ("Phase", environment.Status?.Phase),
        ]);
        console.Output.WriteLine();
        RecordWriter.WriteTable(console, environment.Services,
        [
            new("SERVICE", s => s.Name),
            new("VERSION", s => s.Version),
            new("RESOLVED", s => s.ResolvedVersion),
            new("NODE POOL", s => s.NodePool),
            new("NAMED", s => s.Implicit ? "no" : "yes"),
            new("PHASE", s => environment.Status?.Services.GetValueOrDefault(s.Name)?.Phase ?? "-"),
        ]);
        if (environment.Warnings is { Count: > 0 } warnings)
        {
            console.Output.WriteLine();
            console.Output.WriteLine("Warnings:");
            foreach (var warning in warnings)
            {
                console.Output.WriteLine($"  {warning.Service}: {warning.Message}");
            }
        }
    }
}
