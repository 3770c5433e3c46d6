using System.CommandLine;
using System.Globalization;
using Gantry.Cli.Output;
using Gantry.Client;

namespace Gantry.Cli.Commands;

// Pins: hold an instance at its version, out of rollouts (tenant admins and platform admins).
internal static partial class InstancesCommand
{
    private static Command Pin(CliConsole console, Option<string> tenant)
    {
        var name = new Argument<string>("name") { Description = "The instance" };
        var reason = new Option<string>("--reason") { Description = "Why it is held (shown to whoever rolls out past it)", Required = true };
        var version = new Option<string>("--version") { Description = "The version constraint it is held within (default: the chart version it runs)" };
        var until = new Option<string>("--until") { Description = "When the pin lifts by itself: an RFC 3339 time, or a duration from now (7d, 12h)" };
        var output = OutputFormats.CreateOption();
        var command = new Command("pin", "Hold an instance at its version: rollouts skip it and changes cannot move its chart version") { name, reason, version, until, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var expires = parse.GetValue(until) is { } text ? Until(text, console.Time) : (DateTimeOffset?)null;
            var pin = await session.Client.PinInstanceAsync(session.RequireTenant(parse.GetValue(tenant)), parse.GetValue(name)!,
                new PinRequest(parse.GetValue(reason)!, parse.GetValue(version), expires), cancellationToken);
            var format = OutputFormats.Get(parse, output);
            if (format is OutputFormat.Json or OutputFormat.Yaml)
            {
                RecordWriter.WriteData(console, format, pin);
            }
            else
            {
                console.Done($"instance/{pin.Instance} pinned to {pin.Version}{(pin.Until is { } u ? $" until {u:u}" : string.Empty)}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Unpin(CliConsole console, Option<string> tenant)
    {
        var name = new Argument<string>("name") { Description = "The instance" };
        var command = new Command("unpin", "Clear an instance's pin") { name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            await session.Client.UnpinInstanceAsync(session.RequireTenant(parse.GetValue(tenant)), parse.GetValue(name)!, cancellationToken);
            console.Done($"instance/{parse.GetValue(name)} unpinned");
            return ExitCodes.Success;
        });
        return command;
    }

    private static DateTimeOffset Until(string text, TimeProvider time)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && text.Contains('T', StringComparison.Ordinal))
        {
            return at;
        }

        return text.EndsWith('d') && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days > 0
            ? time.GetUtcNow().AddDays(days)
            : time.GetUtcNow() + ParseDuration(text, "--until");
    }
}
