using System.CommandLine;
using Gantry.Cli.Output;
using Gantry.Client;

namespace Gantry.Cli.Commands;

/// <summary>
/// <c>gantry rollouts preview|start|list|get|pause|resume|abort|rollback</c>: change many instances of an offering in
/// gated waves. Thin over <see cref="GantryClient"/>; the request is built by <see cref="RolloutInput"/>.
/// </summary>
internal static class RolloutsCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("rollouts", "Change many instances of an offering in gated waves: preview, start, list, get, pause, resume, abort, rollback");
        command.Aliases.Add("rollout");
        command.Subcommands.Add(Preview(console));
        command.Subcommands.Add(Start(console));
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Get(console));
        foreach (var (action, description) in new[]
        {
            ("pause", "Stop a running rollout after the step in progress"),
            ("resume", "Go on with a paused rollout (a wave that failed its gate is accepted as it is)"),
            ("abort", "Stop a rollout before its next wave; what is committed stays"),
            ("rollback", "Revert every instance the rollout changed to its revision before, in one commit"),
        })
        {
            command.Subcommands.Add(Steer(console, action, description));
        }

        return command;
    }

    private static Command Preview(CliConsole console)
    {
        var input = new RolloutInput();
        var output = OutputFormats.CreateOption();
        var command = new Command("preview", "Show what a rollout would change, skip and refuse; nothing is written") { output };
        input.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var preview = await session.Client.PreviewRolloutAsync(await input.ReadAsync(parse, console, cancellationToken), cancellationToken);
            var format = OutputFormats.Get(parse, output);
            if (format is OutputFormat.Json or OutputFormat.Yaml)
            {
                RecordWriter.WriteData(console, format, preview);
            }
            else
            {
                WritePreview(console, preview);
            }

            return preview.Invalid.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Command Start(CliConsole console)
    {
        var input = new RolloutInput();
        var output = OutputFormats.CreateOption();
        var wait = new Option<bool>("--wait") { Description = "Follow the rollout until it completes, pauses or ends; exit 0 when it completed, 5 otherwise" };
        var command = new Command("start", "Start a rollout (refused whole when it would make any instance invalid)") { output, wait };
        input.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var rollout = await session.Client.StartRolloutAsync(await input.ReadAsync(parse, console, cancellationToken), cancellationToken);
            return await ReportAsync(console, session.Client, OutputFormats.Get(parse, output), rollout, "started", parse.GetValue(wait), cancellationToken);
        });
        return command;
    }

    private static Command List(CliConsole console)
    {
        var output = OutputFormats.CreateOption();
        var command = new Command("list", "List the rollouts you may see, newest first") { output };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var page = await session.Client.ListRolloutsAsync(cancellationToken: cancellationToken);
            RecordWriter.WriteList(console, OutputFormats.Get(parse, output), page.Items,
            [
                new("ID", r => r.Id),
                new("OFFERING", r => r.Offering),
                new("STATE", r => r.State),
                new("WAVES", r => r.Waves.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("CHANGED", r => $"{r.Changed} ({r.Ready} ready, {r.Failed} failed, {r.Skipped} skipped)"),
                new("BY", r => r.StartedBy),
                new("AGE", r => Display.Age(r.CreatedAt, console.Time)),
            ], r => $"rollout/{r.Id}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Get(CliConsole console)
    {
        var id = new Argument<string>("id") { Description = "The rollout" };
        var output = OutputFormats.CreateOption();
        var command = new Command("get", "Show a rollout: its waves and the state of each instance") { id, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            WriteRollout(console, OutputFormats.Get(parse, output), await session.Client.GetRolloutAsync(parse.GetValue(id)!, cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Steer(CliConsole console, string action, string description)
    {
        var id = new Argument<string>("id") { Description = "The rollout" };
        var output = OutputFormats.CreateOption();
        var wait = new Option<bool>("--wait") { Description = "Follow the rollout until it completes, pauses or ends" };
        var command = new Command(action, description) { id, output, wait };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var rollout = await session.Client.SteerRolloutAsync(parse.GetValue(id)!, action, cancellationToken);
            var done = action switch { "pause" => "paused", "resume" => "resumed", "abort" => "aborted", _ => "rolling back" };
            return await ReportAsync(console, session.Client, OutputFormats.Get(parse, output), rollout, done, parse.GetValue(wait), cancellationToken);
        });
        return command;
    }

    private static async Task<int> ReportAsync(
        CliConsole console, GantryClient client, OutputFormat format, Rollout rollout, string verb, bool wait, CancellationToken cancellationToken)
    {
        if (format == OutputFormat.Table)
        {
            console.Done($"rollout/{rollout.Id} {verb}");
        }

        while (wait && rollout.State is "Running" or "RollingBack")
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken); // a poll interval, not logic: real time even under a test clock
            rollout = await client.GetRolloutAsync(rollout.Id, cancellationToken);
        }

        WriteRollout(console, format, rollout);
        return !wait || rollout.State is "Completed" or "RolledBack"
            ? ExitCodes.Success
            : CliErrors.Write(console, $"rollout/{rollout.Id} is {rollout.State}: {rollout.Reason ?? "no reason given"}", ExitCodes.DeploymentFailed);
    }

    private static void WritePreview(CliConsole console, RolloutPreview preview)
    {
        console.Output.WriteLine($"{preview.Changing} instances of {preview.Offering} change, {preview.Skipped.Count} skipped, {preview.Invalid.Count} problems");
        RecordWriter.WriteTable(console, preview.Waves,
        [
            new("WAVE", w => (w.Index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("SELECTS", w => w.Label),
            new("INSTANCES", w => w.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ]);
        foreach (var move in preview.Changes.GroupBy(c => (c.FromVersion, c.ToVersion)).OrderBy(g => g.Key.FromVersion, StringComparer.Ordinal))
        {
            console.Output.WriteLine($"  {move.Key.FromVersion} -> {move.Key.ToVersion}: {move.Count()} instances");
        }

        if (preview.Sample is { Files: { Count: > 0 } files } sample)
        {
            console.Output.WriteLine($"Sample: {sample.Tenant}/{sample.Name}");
            foreach (var file in files)
            {
                console.Output.WriteLine($"--- {file.Path}");
                console.Output.WriteLine($"+++ {file.Path}");
                console.Output.Write(file.Patch);
            }
        }

        if (preview.Skipped.Count > 0)
        {
            console.Output.WriteLine("Skipped:");
            RecordWriter.WriteTable(console, preview.Skipped, [new("INSTANCE", s => $"{s.Tenant}/{s.Name}"), new("WHY", s => s.Reason)]);
        }

        if (preview.LiftedPins is { Count: > 0 } lifted)
        {
            console.Output.WriteLine("Pins expired and lifted:");
            RecordWriter.WriteTable(console, lifted, [new("INSTANCE", s => $"{s.Tenant}/{s.Name}"), new("WHY", s => s.Reason)]);
        }

        if (preview.Invalid.Count > 0)
        {
            console.Output.WriteLine("Would be invalid (the rollout is refused while any is):");
            foreach (var (field, messages) in preview.Invalid.OrderBy(i => i.Key, StringComparer.Ordinal))
            {
                console.Output.WriteLine($"  {field}: {string.Join("; ", messages)}");
            }
        }
    }

    private static void WriteRollout(CliConsole console, OutputFormat format, Rollout rollout)
    {
        switch (format)
        {
            case OutputFormat.Name:
                console.Output.WriteLine($"rollout/{rollout.Id}");
                return;
            case OutputFormat.Json or OutputFormat.Yaml:
                RecordWriter.WriteData(console, format, rollout);
                return;
        }

        RecordWriter.WriteFields(console,
        [
            ("Id", rollout.Id),
            ("Offering", rollout.Offering),
            ("State", rollout.State),
            ("Reason", rollout.Reason),
            ("Started by", rollout.StartedBy.Name),
            ("Gate", rollout.GatePhase),
            ("Instances", string.Join(", ", rollout.Instances.GroupBy(i => i.State).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"))),
        ]);
        RecordWriter.WriteTable(console, [.. rollout.Waves, .. rollout.Rollback is { } back ? [back] : Array.Empty<RolloutWave>()],
        [
            new("WAVE", w => w.Label == "rollback" ? "rollback" : (w.Index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("SELECTS", w => w.Label),
            new("INSTANCES", w => w.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("STATE", w => w.State),
            new("REVISION", w => Display.Revision(w.Revision)),
        ]);
        var notable = rollout.Instances.Where(i => i.State is "Failed" or "Skipped").ToList();
        if (notable.Count > 0)
        {
            RecordWriter.WriteTable(console, notable, [new("INSTANCE", i => $"{i.Tenant}/{i.Name}"), new("STATE", i => i.State), new("WHY", i => i.Reason)]);
        }
    }
}
