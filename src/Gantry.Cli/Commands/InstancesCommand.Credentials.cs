using System.CommandLine;
using Gantry.Cli.Output;
using Gantry.Client;

namespace Gantry.Cli.Commands;

// instances credentials rotate, and how apply --dry-run shows what it would change.
internal static partial class InstancesCommand
{
    private static Command Credentials(CliConsole console, Option<string> tenant)
    {
        var name = new Argument<string>("name") { Description = "The instance" };
        var secrets = new Option<string[]>("--secret") { Description = "Rotate only this generated secret (repeatable); default: every secret Gantry generates for the offering" };
        var (output, wait, timeout) = ChangeOptions();
        var rotate = new Command("rotate", "Make new values for the instance's generated secrets (e.g. the Qdrant API key), sealed and committed; shown once")
        {
            name, secrets, output, wait, timeout,
        };
        rotate.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var named = parse.GetValue(secrets) is { Length: > 0 } s ? s : null;
            var change = await session.Client.RotateCredentialsAsync(session.RequireTenant(parse.GetValue(tenant)), parse.GetValue(name)!, named,
                WaitFrom(parse, wait, timeout), cancellationToken);
            return Report(console, OutputFormats.Get(parse, output), change, "credentials rotated", parse.GetValue(wait));
        });
        var command = new Command("credentials", "An instance's generated credentials: rotate");
        command.Subcommands.Add(rotate);
        return command;
    }

    /// <summary>A dry run: what would be stored, then the unified diff of each rendered file, as <c>git diff</c> shows it.</summary>
    private static void WritePlan(CliConsole console, OutputFormat format, InstanceDryRun plan)
    {
        switch (format)
        {
            case OutputFormat.Json or OutputFormat.Yaml:
                RecordWriter.WriteData(console, format, plan);
                return;
            case OutputFormat.Name:
                console.Output.WriteLine($"instance/{plan.Name}");
                return;
        }

        var verb = plan.Created ? "would be created" : plan.Changed ? "would be configured" : "is unchanged";
        console.Output.WriteLine($"instance/{plan.Name} {verb} (dry run: nothing was written; {plan.Offering} chart {plan.ChartVersion}, generation {plan.Generation})");
        foreach (var file in plan.Files)
        {
            console.Output.WriteLine($"--- {(file.Change == "added" ? "/dev/null" : "a/" + file.Path)}");
            console.Output.WriteLine($"+++ {(file.Change == "deleted" ? "/dev/null" : "b/" + file.Path)}");
            console.Output.Write(file.Patch.EndsWith('\n') ? file.Patch : file.Patch + "\n");
        }
    }
}
