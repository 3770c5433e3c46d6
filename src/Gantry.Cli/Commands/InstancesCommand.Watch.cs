using System.CommandLine;
using System.Globalization;
using Gantry.Cli.Output;
using Gantry.Client;
using Spectre.Console;

namespace Gantry.Cli.Commands;

internal static partial class InstancesCommand
{
    private static Command Watch(CliConsole console, Option<string> tenant)
    {
        var name = new Argument<string>("name") { Description = "The instance" };
        var timeout = new Option<string>("--timeout") { Description = "Give up after this long, e.g. 10m (default: wait until the outcome)" };
        var command = new Command("watch", "Follow an instance's status live until the engine reports the outcome of its current change; exit 0 when Ready")
        {
            name, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var tenantName = session.RequireTenant(parse.GetValue(tenant));
            var instanceName = parse.GetValue(name)!;
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (parse.GetValue(timeout) is { } text)
            {
                limit.CancelAfter(ParseDuration(text, "--timeout"));
            }

            try
            {
                return await WatchAsync(console, session.Client, tenantName, instanceName, limit.Token);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return CliErrors.Write(console, $"no outcome for instance/{instanceName} within {parse.GetValue(timeout)}", ExitCodes.TimedOut);
            }
        });
        return command;
    }

    /// <summary>
    /// Prints the current status, then each status event as it comes, until an outcome about the current change
    /// (or a later one, when someone changes it meanwhile). The stream starts after the newest timeline entry read
    /// before the status, so nothing in between is missed.
    /// </summary>
    private static async Task<int> WatchAsync(CliConsole console, GantryClient client, string tenant, string name, CancellationToken cancellationToken)
    {
        // The timeline first: an event that lands between the two reads is then either in the status or in the stream.
        var timeline = await client.GetInstanceEventsAsync(tenant, name, limit: 1, cancellationToken: cancellationToken);
        var instance = await client.GetInstanceAsync(tenant, name, cancellationToken);
        var ansi = console.Ansi();
        var status = instance.Status;
        ansi.MarkupLine($"[grey]{Markup.Escape(name)}[/] {Phase(status.Phase)} generation {status.Generation}, revision {Display.Revision(status.Revision)}"
            + (status.Message is { Length: > 0 } m ? $": {Markup.Escape(m)}" : string.Empty));
        if (DeploymentPhases.IsOutcome(status.Phase) && status.ObservedGeneration >= status.Generation)
        {
            return Outcome(console, name, status.Phase, status.Message);
        }

        var generation = status.Generation;
        var after = timeline.Items.Count > 0 ? timeline.Items[0].Id : (long?)null;
        await foreach (var e in client.StreamStatusEventsAsync(tenant, name, after ?? 0, cancellationToken))
        {
            ansi.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"{e.OccurredAt.ToLocalTime():HH:mm:ss} {Phase(e.Phase)} {Markup.Escape(e.Source)}{(e.Cluster is null ? string.Empty : "/" + Markup.Escape(e.Cluster))} generation {e.Generation?.ToString(CultureInfo.InvariantCulture) ?? "-"}{(e.Applied ? string.Empty : " (not applied)")}{(e.Reason is null ? string.Empty : " " + Markup.Escape(e.Reason))}{(e.Message is { Length: > 0 } text ? ": " + Markup.Escape(text) : string.Empty)}"));
            if (e.Phase == DeploymentPhases.Committed && e.Generation > generation)
            {
                generation = e.Generation.Value; // someone changed it meanwhile: follow the newer change
            }
            else if (e.Applied && DeploymentPhases.IsOutcome(e.Phase) && e.Generation >= generation)
            {
                return Outcome(console, name, e.Phase, e.Message);
            }
        }

        return ExitCodes.Failure; // the stream only ends by cancellation
    }

    private static int Outcome(CliConsole console, string name, string phase, string? message) => phase == DeploymentPhases.Ready
        ? ExitCodes.Success
        : CliErrors.Write(console, $"instance/{name} is {phase}: {message ?? "no message from the engine"}", ExitCodes.DeploymentFailed);

    private static string Phase(string phase) => phase switch
    {
        DeploymentPhases.Ready => "[green]Ready[/]",
        DeploymentPhases.Failed or DeploymentPhases.Degraded => $"[red]{phase}[/]",
        _ => $"[yellow]{Markup.Escape(phase)}[/]",
    };
}
