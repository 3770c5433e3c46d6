using System.CommandLine;
using Gantry.Cli.Output;
using Gantry.Client;

namespace Gantry.Cli.Commands;

internal static partial class InstancesCommand
{
    private const int FullRevisionLength = 40;
    private const int HistoryPageSize = 500;

    private static Command History(CliConsole console, Option<string> tenant)
    {
        var name = new Argument<string>("name") { Description = "The instance" };
        var output = OutputFormats.CreateOption();
        var limit = new Option<int>("--limit") { Description = "How many commits, newest first", DefaultValueFactory = _ => 50 };
        var command = new Command("history", "The commits that changed an instance, newest first") { name, output, limit };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var page = await session.Client.GetInstanceHistoryAsync(session.RequireTenant(parse.GetValue(tenant)), parse.GetValue(name)!, parse.GetValue(limit),
                cancellationToken: cancellationToken);
            RecordWriter.WriteList(console, OutputFormats.Get(parse, output), page.Items,
            [
                new("REVISION", c => Display.Revision(c.Revision)),
                new("AUTHOR", c => c.AuthorName),
                new("AGE", c => Display.Age(c.When, console.Time)),
                new("MESSAGE", c => c.Message.Split('\n', 2)[0]),
            ], c => $"revision/{c.Revision}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Diff(CliConsole console, Option<string> tenant)
    {
        var name = new Argument<string>("name") { Description = "The instance" };
        var from = new Option<string>("--from") { Description = "The older revision (a unique prefix will do; HEAD is the newest)", Required = true };
        var to = new Option<string>("--to") { Description = "The newer revision (a unique prefix will do; HEAD is the newest)", Required = true };
        var output = OutputFormats.CreateOption();
        var command = new Command("diff", "The unified diff of an instance's files between two revisions") { name, from, to, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var tenantName = session.RequireTenant(parse.GetValue(tenant));
            var instanceName = parse.GetValue(name)!;
            var fromRevision = await ResolveRevisionAsync(session.Client, tenantName, instanceName, parse.GetValue(from)!, "--from", cancellationToken);
            var toRevision = await ResolveRevisionAsync(session.Client, tenantName, instanceName, parse.GetValue(to)!, "--to", cancellationToken);
            var diffs = await session.Client.DiffInstanceAsync(tenantName, instanceName, fromRevision, toRevision, cancellationToken);
            var format = OutputFormats.Get(parse, output);
            if (format != OutputFormat.Table)
            {
                RecordWriter.WriteList(console, format, diffs, [], d => $"file/{d.Path}");
                return ExitCodes.Success;
            }

            foreach (var diff in diffs)
            {
                console.Output.Write(diff.Patch.EndsWith('\n') ? diff.Patch : diff.Patch + "\n");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A full revision as given, or the one revision of the instance's history that starts with the prefix.</summary>
    private static async Task<string> ResolveRevisionAsync(GantryClient client, string tenant, string name, string given, string option, CancellationToken cancellationToken)
    {
        var text = given.Trim().ToLowerInvariant();
        if (text.Length == FullRevisionLength)
        {
            return text;
        }

        if (text == "head")
        {
            var newest = await client.GetInstanceHistoryAsync(tenant, name, 1, cancellationToken: cancellationToken);
            return newest.Items.Count > 0 ? newest.Items[0].Revision : throw new CliException($"instance/{name} has no history", ExitCodes.NotFound);
        }

        if (text.Length < 4 || !text.All(Uri.IsHexDigit))
        {
            throw CliException.Usage($"{option} '{given}' is not a revision: give at least 4 hexadecimal characters of one that 'gantry instances history {name}' lists");
        }

        var matches = new List<string>();
        string? cursor = null;
        do
        {
            var page = await client.GetInstanceHistoryAsync(tenant, name, HistoryPageSize, cursor, cancellationToken);
            matches.AddRange(page.Items.Select(c => c.Revision).Where(r => r.StartsWith(text, StringComparison.Ordinal)));
            cursor = page.Next;
        }
        while (cursor is not null && matches.Count < 2);

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CliException($"{option} '{given}' matches no revision in the history of instance/{name}", ExitCodes.NotFound),
            _ => throw CliException.Usage($"{option} '{given}' matches several revisions of instance/{name}; give more characters"),
        };
    }
}
