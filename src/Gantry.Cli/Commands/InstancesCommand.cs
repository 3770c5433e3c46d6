using System.CommandLine;
using Gantry.Cli.Output;
using Gantry.Client;

namespace Gantry.Cli.Commands;

/// <summary>
/// <c>gantry instances …</c>: a tenant's deployments of offerings. Reads here; changes in
/// <c>InstancesCommand.Changes.cs</c>, history and diff in <c>InstancesCommand.History.cs</c>, watch in
/// <c>InstancesCommand.Watch.cs</c>. Every subcommand is a few lines over <see cref="GantryClient"/>.
/// </summary>
internal static partial class InstancesCommand
{
    private static readonly Column<InstanceSummary>[] ListColumns =
    [
        new("NAME", i => i.Name),
        new("OFFERING", i => i.Offering),
        new("CHART", i => i.ChartVersion),
        new("PHASE", i => i.Status.Phase),
        new("DEPLOYED", i => i.Status.Deployed ? "yes" : "no"),
        new("REVISION", i => Display.Revision(i.Revision)),
        new("NAMESPACE", i => i.Namespace),
    ];

    public static Command Create(CliConsole console)
    {
        var tenant = new Option<string>("--tenant", "-t")
        {
            Description = "The tenant (default: the context's, or GANTRY_TENANT)",
            Recursive = true,
        };
        var command = new Command("instances", "A tenant's deployments of offerings: list, get, apply, scale, history, diff, rollback, delete, watch, pin, unpin, credentials rotate") { tenant };
        command.Aliases.Add("instance");
        command.Aliases.Add("inst");
        command.Subcommands.Add(List(console, tenant));
        command.Subcommands.Add(Get(console, tenant));
        command.Subcommands.Add(Apply(console, tenant));
        command.Subcommands.Add(Scale(console, tenant));
        command.Subcommands.Add(History(console, tenant));
        command.Subcommands.Add(Diff(console, tenant));
        command.Subcommands.Add(Rollback(console, tenant));
        command.Subcommands.Add(Delete(console, tenant));
        command.Subcommands.Add(Watch(console, tenant));
        command.Subcommands.Add(Pin(console, tenant));
        command.Subcommands.Add(Unpin(console, tenant));
        command.Subcommands.Add(Credentials(console, tenant));
        return command;
    }

    private static Command List(CliConsole console, Option<string> tenant)
    {
        var output = OutputFormats.CreateOption();
        var offering = new Option<string>("--offering") { Description = "Only instances of this offering" };
        var phase = new Option<string>("--phase") { Description = "Only instances in this phase (Committed, Reconciling, Ready, Failed, Degraded)" };
        var command = new Command("list", "List the tenant's instances with their deployment status") { output, offering, phase };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var query = new InstanceQuery { Offering = parse.GetValue(offering), Phase = parse.GetValue(phase), Limit = 500 };
            var items = new List<InstanceSummary>();
            await foreach (var item in session.Client.ListAllInstancesAsync(session.RequireTenant(parse.GetValue(tenant)), query, cancellationToken))
            {
                items.Add(item);
            }

            RecordWriter.WriteList(console, OutputFormats.Get(parse, output), items,
                [.. ListColumns, new("UPDATED", i => Display.Age(i.UpdatedAt, console.Time)), new("BY", i => i.ChangedBy ?? "-")], i => $"instance/{i.Name}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Get(CliConsole console, Option<string> tenant)
    {
        var name = new Argument<string>("name") { Description = "The instance" };
        var output = OutputFormats.CreateOption();
        var command = new Command("get", "Show an instance: its spec, revision and deployment status") { name, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var instance = await session.Client.GetInstanceAsync(session.RequireTenant(parse.GetValue(tenant)), parse.GetValue(name)!, cancellationToken);
            WriteInstance(console, OutputFormats.Get(parse, output), instance);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteInstance(CliConsole console, OutputFormat format, Instance instance)
    {
        switch (format)
        {
            case OutputFormat.Name:
                console.Output.WriteLine($"instance/{instance.Name}");
                return;
            case OutputFormat.Json or OutputFormat.Yaml:
                RecordWriter.WriteData(console, format, instance);
                return;
        }

        var status = instance.Status;
        RecordWriter.WriteFields(console,
        [
            ("Name", instance.Name),
            ("Tenant", instance.Tenant),
            ("Offering", instance.Offering),
            ("Version", $"{instance.Version} (chart {instance.ChartVersion})"),
            ("Namespace", instance.Namespace),
            ("Revision", instance.Revision),
            ("Phase", status.Phase),
            ("Deployed", status.Deployed ? "yes" : $"no (generation {status.Generation}, engine reported {status.ObservedGeneration?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})"),
            ("Cluster", status.Cluster),
            ("Reason", status.Reason),
            ("Message", status.Message),
            ("Secrets", instance.Secrets.Count == 0 ? null : string.Join(", ", instance.Secrets)),
            ("Updated", $"{instance.UpdatedAt:u} ({Display.Age(instance.UpdatedAt, console.Time)} ago){(instance.ChangedBy is { } by ? $" by {by}" : "")}"),
        ]);
        if (instance.Values.Count > 0)
        {
            console.Output.WriteLine("Values:");
            foreach (var line in Core.Yaml.YamlWriter.Write(instance.Values).TrimEnd('\n').Split('\n'))
            {
                console.Output.WriteLine($"  {line}");
            }
        }
    }
}
