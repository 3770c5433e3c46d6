using System.Globalization;
using Gantry.Client;
using Spectre.Console;

namespace Gantry.Cli.Commands;

// deploy --wait: follows the environment's status until every service runs its resolved version Ready, or one is
// Failed or Degraded: the status is read again whenever the pool's status stream carries an event for the environment
// (EnvironmentChanges; once a second when there is no stream). On a terminal the services are a live Spectre.Console
// table; elsewhere each change of a service's phase is one line, so logs and scripts see the progress too.
internal static partial class DeployCommand
{
    private static async Task<int> WaitAsync(CliConsole console, GantryClient client, string name, TimeSpan timeout, bool quiet, CancellationToken cancellationToken)
    {
        var deadline = console.Time.GetUtcNow() + timeout;
        var live = !quiet && console.IsOutputTerminal;
        EnvironmentDetails current = await client.GetEnvironmentAsync(name, cancellationToken);
        await using var changes = EnvironmentChanges.Follow(client, current.EnvironmentPool, name, cancellationToken);
        current = await FollowAsync(console, client, name, current, changes, deadline, live, quiet, cancellationToken);

        var phase = current.Status?.Phase ?? DeploymentPhases.Committed;
        if (!IsOutcome(current))
        {
            return CliErrors.Write(console,
                $"environment/{name} was not deployed within {timeout.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s (phase {phase}); see 'gantry env get {name}'", ExitCodes.TimedOut);
        }

        if (phase == DeploymentPhases.Ready)
        {
            if (!quiet)
            {
                console.Output.WriteLine($"environment/{name} deployed: {current.Services.Count} services Ready");
            }

            return ExitCodes.Success;
        }

        var failed = current.Status!.Services.Where(s => s.Value.Phase is DeploymentPhases.Failed or DeploymentPhases.Degraded)
            .Select(s => $"{s.Key} {s.Value.Phase}: {s.Value.Message ?? s.Value.Reason ?? "no message from the engine"}");
        return CliErrors.Write(console, $"environment/{name} is {phase}: {string.Join("; ", failed)}", ExitCodes.DeploymentFailed);
    }

    private static async Task<EnvironmentDetails> FollowAsync(
        CliConsole console, GantryClient client, string name, EnvironmentDetails current, EnvironmentChanges changes, DateTimeOffset deadline,
        bool live, bool quiet, CancellationToken cancellationToken)
    {
        if (live)
        {
            await console.Ansi().Live(ProgressTable(current)).StartAsync(async context =>
            {
                while (!IsOutcome(current) && console.Time.GetUtcNow() < deadline)
                {
                    await changes.WaitAsync(deadline - console.Time.GetUtcNow(), cancellationToken);
                    current = await client.GetEnvironmentAsync(name, cancellationToken);
                    context.UpdateTarget(ProgressTable(current));
                }
            });
            return current;
        }

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            if (!quiet)
            {
                WriteChanges(console, current, seen);
            }

            if (IsOutcome(current) || console.Time.GetUtcNow() >= deadline)
            {
                return current;
            }

            await changes.WaitAsync(deadline - console.Time.GetUtcNow(), cancellationToken);
            current = await client.GetEnvironmentAsync(name, cancellationToken);
        }
    }

    private static bool IsOutcome(EnvironmentDetails environment) => DeploymentPhases.IsOutcome(environment.Status?.Phase);

    /// <summary>One line per service whose phase or message moved since the last look.</summary>
    private static void WriteChanges(CliConsole console, EnvironmentDetails environment, Dictionary<string, string> seen)
    {
        foreach (var service in environment.Services)
        {
            var status = environment.Status?.Services.GetValueOrDefault(service.Name);
            var phase = status?.Phase ?? DeploymentPhases.Committed;
            var line = $"{service.Name} {service.ResolvedVersion} {phase}{(status?.Message is { Length: > 0 } m ? $": {m}" : string.Empty)}";
            if (seen.GetValueOrDefault(service.Name) != line)
            {
                seen[service.Name] = line;
                console.Output.WriteLine($"{console.Time.GetUtcNow():HH:mm:ss} {line}");
            }
        }
    }

    private static Table ProgressTable(EnvironmentDetails environment)
    {
        var table = new Table().Border(TableBorder.None).AddColumns("SERVICE", "VERSION", "PHASE", "MESSAGE");
        foreach (var service in environment.Services)
        {
            var status = environment.Status?.Services.GetValueOrDefault(service.Name);
            var phase = status?.Phase ?? DeploymentPhases.Committed;
            var colour = phase switch
            {
                DeploymentPhases.Ready => "green",
                DeploymentPhases.Failed or DeploymentPhases.Degraded => "red",
                DeploymentPhases.Reconciling => "yellow",
                _ => "grey",
            };
            table.AddRow(new Text(service.Name), new Text(service.ResolvedVersion ?? service.Version), new Markup($"[{colour}]{Markup.Escape(phase)}[/]"),
                new Text(status?.Message ?? string.Empty));
        }

        return table;
    }
}
