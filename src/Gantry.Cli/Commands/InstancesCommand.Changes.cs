using System.CommandLine;
using System.Globalization;
using System.Net;
using Gantry.Cli.Output;
using Gantry.Client;
using Spectre.Console;

namespace Gantry.Cli.Commands;

internal static partial class InstancesCommand
{
    private static Command Apply(CliConsole console, Option<string> tenant)
    {
        var name = new Argument<string>("name") { Description = "The instance" };
        var offering = new Option<string>("--offering") { Description = "The offering (default: the existing instance's)" };
        var version = new Option<string>("--version") { Description = "Chart version constraint within the offering's, e.g. ^1.13" };
        var file = new Option<string>("--values", "-f") { Description = "Values file (YAML or JSON); - reads standard input" };
        var set = new Option<string[]>("--set") { Description = "Set a value: path=value, typed (3, true, null removes); repeatable" };
        var setString = new Option<string[]>("--set-string") { Description = "Set a value as text: path=value; repeatable" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would change (the rendered diff) without writing anything" };
        var (output, wait, timeout) = ChangeOptions();
        var command = new Command("apply", "Create or replace an instance from a values file and --set; its values become exactly these")
        {
            name, offering, version, file, set, setString, dryRun, output, wait, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var tenantName = session.RequireTenant(parse.GetValue(tenant));
            var instanceName = parse.GetValue(name)!;
            var values = await ValuesInput.ReadAsync(parse.GetValue(file), parse.GetValue(set) ?? [], parse.GetValue(setString) ?? [], console, cancellationToken);
            var offeringName = parse.GetValue(offering) ?? await ExistingOfferingAsync(session, tenantName, instanceName, cancellationToken);
            var request = new InstanceRequest { Offering = offeringName, Version = parse.GetValue(version), Values = values };
            if (parse.GetValue(dryRun))
            {
                var plan = await session.Client.PlanInstanceAsync(tenantName, instanceName, request, cancellationToken: cancellationToken);
                WritePlan(console, OutputFormats.Get(parse, output), plan);
                return ExitCodes.Success;
            }

            var change = await session.Client.PutInstanceAsync(tenantName, instanceName, request, WaitFrom(parse, wait, timeout), cancellationToken: cancellationToken);
            return Report(console, OutputFormats.Get(parse, output), change, change.Created ? "created" : "configured", parse.GetValue(wait));
        });
        return command;
    }

    private static Command Scale(CliConsole console, Option<string> tenant)
    {
        var name = new Argument<string>("name") { Description = "The instance" };
        var replicas = new Option<int>("--replicas") { Description = "The number of replicas", Required = true };
        var (output, wait, timeout) = ChangeOptions();
        var command = new Command("scale", "Set an instance's replica count, within the offering's schema and the tenant's quota")
        {
            name, replicas, output, wait, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var change = await session.Client.ScaleInstanceAsync(session.RequireTenant(parse.GetValue(tenant)), parse.GetValue(name)!, parse.GetValue(replicas),
                WaitFrom(parse, wait, timeout), cancellationToken);
            return Report(console, OutputFormats.Get(parse, output), change, "scaled", parse.GetValue(wait));
        });
        return command;
    }

    private static Command Rollback(CliConsole console, Option<string> tenant)
    {
        var name = new Argument<string>("name") { Description = "The instance" };
        var to = new Option<string>("--to") { Description = "The revision to restore (as 'history' lists it; a unique prefix will do)", Required = true };
        var (output, wait, timeout) = ChangeOptions();
        var command = new Command("rollback", "Restore an instance as it was at a revision, as a new commit") { name, to, output, wait, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var tenantName = session.RequireTenant(parse.GetValue(tenant));
            var instanceName = parse.GetValue(name)!;
            var revision = await ResolveRevisionAsync(session.Client, tenantName, instanceName, parse.GetValue(to)!, "--to", cancellationToken);
            var change = await session.Client.RollbackInstanceAsync(tenantName, instanceName, revision, WaitFrom(parse, wait, timeout), cancellationToken);
            return Report(console, OutputFormats.Get(parse, output), change, $"rolled back to {Display.Revision(revision)}", parse.GetValue(wait));
        });
        return command;
    }

    private static Command Delete(CliConsole console, Option<string> tenant)
    {
        var name = new Argument<string>("name") { Description = "The instance" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var command = new Command("delete", "Remove an instance: its files go in one commit and the GitOps engine prunes what it deployed") { name, yes };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var tenantName = session.RequireTenant(parse.GetValue(tenant));
            var instanceName = parse.GetValue(name)!;
            if (!await CliConfirmation.ConfirmAsync(console, parse.GetValue(yes), $"deleting instance/{instanceName}",
                    $"Delete instance [bold]{Markup.Escape(instanceName)}[/] of tenant {Markup.Escape(tenantName)}?", cancellationToken))
            {
                return ExitCodes.Failure;
            }

            await session.Client.DeleteInstanceAsync(tenantName, instanceName, cancellationToken);
            console.Done($"instance/{instanceName} deleted");
            return ExitCodes.Success;
        });
        return command;
    }

    private static (Option<string> Output, Option<bool> Wait, Option<string> Timeout) ChangeOptions()
    {
        var output = OutputFormats.CreateOption();
        var wait = new Option<bool>("--wait") { Description = "Wait until the engine reports the outcome (Ready, Failed or Degraded) and exit by it" };
        var timeout = new Option<string>("--timeout")
        {
            Description = "With --wait: how long to wait, e.g. 90s, 5m (default 2m; the server allows at most 10m)",
            DefaultValueFactory = _ => "2m",
        };
        return (output, wait, timeout);
    }

    private static WaitFor? WaitFrom(ParseResult parse, Option<bool> wait, Option<string> timeout) =>
        parse.GetValue(wait) ? new WaitFor(ParseDuration(parse.GetValue(timeout)!, "--timeout")) : null;

    /// <summary>90s, 5m, 1h, 30d, or a number of seconds.</summary>
    public static TimeSpan ParseDuration(string text, string option)
    {
        var (number, unit) = text.Length > 0 && char.IsLetter(text[^1]) ? (text[..^1], text[^1]) : (text, 's');
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            throw CliException.Usage($"{option} '{text}' is not a duration such as 90s, 5m or 1h");
        }

        return unit switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            'd' => TimeSpan.FromDays(value),
            _ => throw CliException.Usage($"{option} '{text}' is not a duration such as 90s, 5m or 1h"),
        };
    }

    private static async Task<string> ExistingOfferingAsync(GantrySession session, string tenant, string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await session.Client.GetInstanceAsync(tenant, name, cancellationToken)).Offering;
        }
        catch (GantryApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw CliException.Usage($"instance/{name} does not exist yet: pass --offering to create it (see 'gantry offerings list')");
        }
    }

    /// <summary>
    /// Prints what a change did, then, when it waited, the engine's outcome; the exit code says it for scripts:
    /// 0 Ready, 5 Failed or Degraded, 7 when the wait ended first.
    /// </summary>
    private static int Report(CliConsole console, OutputFormat format, InstanceChange change, string verb, bool waited)
    {
        var instance = change.Instance;
        var status = instance.Status;
        switch (format)
        {
            case OutputFormat.Json or OutputFormat.Yaml:
                RecordWriter.WriteData(console, format, instance);
                break;
            case OutputFormat.Name:
                console.Output.WriteLine($"instance/{instance.Name}");
                break;
            default:
                console.Done($"instance/{instance.Name} {verb} (revision {Display.Revision(instance.Revision)}, generation {status.Generation})");
                if (instance.Credentials is { Count: > 0 } credentials)
                {
                    // Shown only now, so --quiet keeps them: as key: value lines alone.
                    console.Done("Generated credentials, shown only this once:");
                    foreach (var (key, value) in credentials.OrderBy(c => c.Key, StringComparer.Ordinal))
                    {
                        console.Output.WriteLine(console.Quiet ? $"{key}: {value}" : $"  {key}: {value}");
                    }
                }

                if (waited && !change.WaitTimedOut)
                {
                    console.Done($"instance/{instance.Name} {status.Phase}{(status.Message is { Length: > 0 } m ? $": {m}" : string.Empty)}");
                }

                break;
        }

        if (!waited)
        {
            return ExitCodes.Success;
        }

        if (change.WaitTimedOut)
        {
            return CliErrors.Write(console,
                $"the engine had not reported an outcome for instance/{instance.Name} when the wait ended (phase {status.Phase}); follow it with 'gantry instances watch {instance.Name}'",
                ExitCodes.TimedOut);
        }

        return status.Phase == DeploymentPhases.Ready
            ? ExitCodes.Success
            : CliErrors.Write(console, $"instance/{instance.Name} is {status.Phase}: {status.Message ?? status.Reason ?? "no message from the engine"}", ExitCodes.DeploymentFailed);
    }
}
