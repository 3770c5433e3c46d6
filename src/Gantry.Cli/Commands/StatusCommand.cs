using System.CommandLine;
using System.Globalization;
using Gantry.Cli.Output;
using Gantry.Client;

namespace Gantry.Cli.Commands;

/// <summary>One line of <c>gantry status</c>: an instance or an environment and where its current change stands.</summary>
internal sealed record StatusRow(string Kind, string Name, string Phase, string? Revision, string? Message, DateTimeOffset? UpdatedAt)
{
    public string Key => $"{Kind}/{Name}";
}

/// <summary>
/// <c>gantry status [--watch]</c>: the tenant's instances and the environments of the pool of the same name, with
/// their phase, in one table. <c>--watch</c> follows the tenant's event stream (<c>StatusCommand.Watch.cs</c>).
/// </summary>
internal static partial class StatusCommand
{
    /// <summary>The table's columns: stable names, the long message last.</summary>
    private static Column<StatusRow>[] Columns(CliConsole console) =>
    [
        new("KIND", r => r.Kind),
        new("NAME", r => r.Name),
        new("PHASE", r => r.Phase),
        new("REVISION", r => Display.Revision(r.Revision)),
        new("UPDATED", r => Display.Age(r.UpdatedAt, console.Time)),
        new("MESSAGE", r => r.Message),
    ];

    public static Command Create(CliConsole console)
    {
        var tenant = new Option<string>("--tenant", "-t") { Description = "The tenant (default: the context's, or GANTRY_TENANT)" };
        var output = OutputFormats.CreateOption();
        var watch = new Option<bool>("--watch", "-w") { Description = "Keep following the status: rows change as the engines report (Ctrl-C ends)" };
        var timeout = new Option<string>("--timeout") { Description = "With --watch: stop after this long, e.g. 10m (default: until Ctrl-C)" };
        var command = new Command("status", "The tenant's instances and environments with their phase (Committed, Reconciling, Ready, Failed)")
        {
            tenant, output, watch, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var format = OutputFormats.Get(parse, output);
            if (!parse.GetValue(watch))
            {
                if (parse.GetValue(timeout) is not null)
                {
                    throw CliException.Usage("--timeout goes with --watch");
                }

                using var once = GantrySession.Open(console, parse);
                var rows = await ReadAsync(once.Client, once.RequireTenant(parse.GetValue(tenant)), cancellationToken);
                Write(console, format, [.. rows.Values]);
                return ExitCodes.Success;
            }

            if (format is OutputFormat.Yaml or OutputFormat.Name)
            {
                throw CliException.Usage("--watch writes a table, or JSON lines with -o json");
            }

            var limit = parse.GetValue(timeout) is { } text ? InstancesCommand.ParseDuration(text, "--timeout") : Timeout.InfiniteTimeSpan;
            using var session = GantrySession.Open(console, parse);
            return await WatchAsync(console, session.Client, session.RequireTenant(parse.GetValue(tenant)), format, limit, cancellationToken);
        });
        return command;
    }

    /// <summary>Instances first, then environments, each by name (keys are <c>kind/name</c>).</summary>
    private static readonly Comparer<string> RowOrder = Comparer<string>.Create((a, b) =>
        a.StartsWith("instance/", StringComparison.Ordinal) != b.StartsWith("instance/", StringComparison.Ordinal)
            ? a.StartsWith("instance/", StringComparison.Ordinal) ? -1 : 1
            : string.CompareOrdinal(a, b));

    /// <summary>Every instance of the tenant, then every environment of its pool, each by name.</summary>
    private static async Task<SortedDictionary<string, StatusRow>> ReadAsync(GantryClient client, string tenant, CancellationToken cancellationToken)
    {
        var rows = new SortedDictionary<string, StatusRow>(RowOrder);
        await foreach (var instance in client.ListAllInstancesAsync(tenant, new InstanceQuery { Limit = 500 }, cancellationToken))
        {
            var row = FromInstance(instance);
            rows[row.Key] = row;
        }

        await foreach (var summary in client.ListAllEnvironmentsAsync(new EnvironmentQuery { Pool = tenant, Limit = 500 }, cancellationToken))
        {
            // The list carries no status: each environment's comes with its details.
            var row = FromEnvironment(await client.GetEnvironmentAsync(summary.Name, cancellationToken));
            rows[row.Key] = row;
        }

        return rows;
    }

    private static StatusRow FromInstance(InstanceSummary instance) => new(
        "instance", instance.Name, instance.Status.Phase, instance.Revision, instance.Status.Message, instance.Status.ObservedAt ?? instance.UpdatedAt);

    /// <summary>An environment's phase is its services' together; the message names the first service not Ready, or counts them.</summary>
    private static StatusRow FromEnvironment(EnvironmentDetails environment)
    {
        var services = environment.Status?.Services ?? new Dictionary<string, ServiceStatus>();
        var ready = services.Values.Count(s => s.Phase == DeploymentPhases.Ready);
        var failing = services.Where(s => s.Value.Phase is DeploymentPhases.Failed or DeploymentPhases.Degraded).OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => $"{s.Key}: {s.Value.Message ?? s.Value.Phase}").FirstOrDefault();
        var message = failing ?? string.Create(CultureInfo.InvariantCulture, $"{ready}/{services.Count} services Ready");
        var observed = services.Values.Select(s => s.ObservedAt).Where(t => t is not null).DefaultIfEmpty(environment.CreationDate).Max();
        return new StatusRow("environment", environment.EnvironmentName, environment.Status?.Phase ?? DeploymentPhases.Committed, environment.Revision, message, observed);
    }

    /// <summary>The rows as a table or in the chosen format; with <paramref name="jsonLines"/>, JSON as one line per row (a watch's start).</summary>
    private static void Write(CliConsole console, OutputFormat format, IReadOnlyList<StatusRow> rows, bool jsonLines = false)
    {
        if (jsonLines && format == OutputFormat.Json)
        {
            foreach (var row in rows)
            {
                console.Output.WriteLine(JsonLine(row));
            }

            return;
        }

        RecordWriter.WriteList(console, format, rows, Columns(console), r => r.Key);
    }
}
