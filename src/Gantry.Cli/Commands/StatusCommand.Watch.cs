using System.Globalization;
using System.Net;
using System.Text.Json;
using Gantry.Cli.Output;
using Gantry.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gantry.Cli.Commands;

// status --watch: the table first, then the tenant's event stream, which carries both its instances' events and the
// engines' reports on the environments of the pool of the same name. An instance's row takes the event's phase; an
// environment's phase is its services' together, so its details are read again on each report about it. On a terminal
// the table is redrawn live; elsewhere each change is one line (a JSON line with -o json).
internal static partial class StatusCommand
{
    private static async Task<int> WatchAsync(CliConsole console, GantryClient client, string tenant, OutputFormat format, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            // The newest event id before the table is read: the stream starts after it, so a change that lands while
            // the table is read is in the table or in the stream (at worst in both, which gives the same row).
            var after = await NewestEventIdAsync(client, tenant, limit.Token);
            var rows = await ReadAsync(client, tenant, limit.Token);
            var events = client.StreamStatusEventsAsync(tenant, lastEventId: after, cancellationToken: limit.Token);
            if (format == OutputFormat.Table && console.IsOutputTerminal)
            {
                await console.Ansi().Live(LiveTable(console, rows)).StartAsync(async context =>
                {
                    await foreach (var e in events)
                    {
                        if (await ApplyAsync(client, rows, e, limit.Token) is not null)
                        {
                            context.UpdateTarget(LiveTable(console, rows));
                        }
                    }
                });
            }
            else
            {
                Write(console, format == OutputFormat.Json ? OutputFormat.Json : OutputFormat.Table, [.. rows.Values], jsonLines: true);
                await foreach (var e in events)
                {
                    if (await ApplyAsync(client, rows, e, limit.Token) is { } changed)
                    {
                        console.Output.WriteLine(format == OutputFormat.Json ? JsonLine(changed) : ChangeLine(console, changed));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            // --timeout or Ctrl-C: the watch ends as asked.
        }

        return ExitCodes.Success;
    }

    /// <summary>The row the event changes, updated in <paramref name="rows"/>; null when the event changes nothing shown.</summary>
    private static async Task<StatusRow?> ApplyAsync(GantryClient client, SortedDictionary<string, StatusRow> rows, StatusEvent e, CancellationToken cancellationToken)
    {
        if (!e.Applied)
        {
            return null; // a report about an older change: the row stays as it is
        }

        StatusRow row;
        if (e.Kind == "environment")
        {
            try
            {
                row = FromEnvironment(await client.GetEnvironmentAsync(e.Target, cancellationToken));
            }
            catch (GantryApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return rows.Remove($"environment/{e.Target}", out var gone) ? gone with { Phase = "Deleted", Message = null } : null;
            }
        }
        else
        {
            row = rows.TryGetValue($"instance/{e.Target}", out var old)
                ? old with { Phase = e.Phase, Revision = e.Revision ?? old.Revision, Message = e.Message, UpdatedAt = e.OccurredAt }
                : new StatusRow("instance", e.Target, e.Phase, e.Revision, e.Message, e.OccurredAt);
        }

        if (rows.TryGetValue(row.Key, out var before) && before == row)
        {
            return null;
        }

        rows[row.Key] = row;
        return row;
    }

    /// <summary>The id of the newest event about any row, read from each one's timeline; 0 when none has any.</summary>
    private static async Task<long> NewestEventIdAsync(GantryClient client, string tenant, CancellationToken cancellationToken)
    {
        long newest = 0;
        await foreach (var instance in client.ListAllInstancesAsync(tenant, new InstanceQuery { Limit = 500 }, cancellationToken))
        {
            var page = await client.GetInstanceEventsAsync(tenant, instance.Name, limit: 1, cancellationToken: cancellationToken);
            newest = Math.Max(newest, page.Items.Count > 0 ? page.Items[0].Id : 0);
        }

        await foreach (var environment in client.ListAllEnvironmentsAsync(new EnvironmentQuery { Pool = tenant, Limit = 500 }, cancellationToken))
        {
            var page = await client.GetEnvironmentEventsAsync(environment.Name, limit: 1, cancellationToken: cancellationToken);
            newest = Math.Max(newest, page.Items.Count > 0 ? page.Items[0].Id : 0);
        }

        return newest;
    }

    private static Table LiveTable(CliConsole console, SortedDictionary<string, StatusRow> rows)
    {
        var columns = Columns(console);
        var table = new Table().Border(TableBorder.None);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(new Text(column.Header)).Padding(0, 0, 3, 0).NoWrap());
        }

        foreach (var row in rows.Values)
        {
            table.AddRow([.. columns.Select(c => c.Header == "PHASE" ? Phase(row.Phase) : (IRenderable)new Text(c.Value(row) ?? string.Empty))]);
        }

        return table;
    }

    private static Markup Phase(string phase) => new(phase switch
    {
        DeploymentPhases.Ready => "[green]Ready[/]",
        DeploymentPhases.Failed or DeploymentPhases.Degraded => $"[red]{phase}[/]",
        _ => $"[yellow]{Markup.Escape(phase)}[/]",
    });

    private static string ChangeLine(CliConsole console, StatusRow row) => string.Create(CultureInfo.InvariantCulture,
        $"{(row.UpdatedAt ?? console.Time.GetUtcNow()).ToLocalTime():HH:mm:ss} {row.Key} {row.Phase} {Display.Revision(row.Revision)}{(row.Message is { Length: > 0 } m ? ": " + m : string.Empty)}");

    private static string JsonLine(StatusRow row) => JsonSerializer.Serialize(row, GantryClient.Json);
}
