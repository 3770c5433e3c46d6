using System.CommandLine;
using Gantry.Cli.Output;
using Gantry.Client;

namespace Gantry.Cli.Commands;

/// <summary><c>gantry offerings list|show</c>: the catalog, and what a tenant may set in each offering.</summary>
internal static class OfferingsCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("offerings", "The catalog: what tenants can deploy");
        command.Aliases.Add("offering");
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Show(console));
        return command;
    }

    private static Command List(CliConsole console)
    {
        var output = OutputFormats.CreateOption();
        var command = new Command("list", "List the offerings") { output };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var offerings = await session.Client.ListOfferingsAsync(cancellationToken);
            RecordWriter.WriteList(console, OutputFormats.Get(parse, output), offerings,
            [
                new("NAME", o => o.Name),
                new("ENGINE", o => o.Engine),
                new("CHART", o => o.Chart),
                new("VERSION", o => o.Version),
                new("DESCRIPTION", o => o.Description),
            ], o => $"offering/{o.Name}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "The offering" };
        var output = OutputFormats.CreateOption();
        var command = new Command("show", "Show an offering and the values a tenant may set: fields, types, defaults, allowed values") { name, output };
        command.Aliases.Add("get");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var offering = await session.Client.GetOfferingAsync(parse.GetValue(name)!, cancellationToken);
            var format = OutputFormats.Get(parse, output);
            switch (format)
            {
                case OutputFormat.Name:
                    console.Output.WriteLine($"offering/{offering.Name}");
                    break;
                case OutputFormat.Table:
                    WriteOffering(console, offering);
                    break;
                default:
                    RecordWriter.WriteData(console, format, offering);
                    break;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteOffering(CliConsole console, Offering offering)
    {
        RecordWriter.WriteFields(console,
        [
            ("Name", offering.Name),
            ("Description", offering.Description),
            ("Engine", offering.Engine),
            ("Chart", $"{offering.Chart.Name} {offering.Chart.Version} from {offering.Chart.Repository}"),
            ("Namespace", offering.NamespacePattern),
            ("Replicas", offering.ReplicasPath),
            ("Fixed", offering.Fixed.Count == 0 ? null : string.Join(", ", offering.Fixed)),
            ("Secrets", offering.Secrets.Count == 0 ? null
                : string.Join(", ", offering.Secrets.Select(s => s.Generated ? $"{s.Name} (generated)" : $"{s.Name} (you supply it)"))),
        ]);
        console.Output.WriteLine();
        console.Output.WriteLine("Values:");
        RecordWriter.WriteTable(console, ValuesSchema.Fields(offering),
        [
            new("FIELD", f => f.Field),
            new("TYPE", f => f.Required ? $"{f.Type} (required)" : f.Type),
            new("DEFAULT", f => f.Default ?? "-"),
            new("ALLOWED", f => f.Allowed ?? "-"),
            new("DESCRIPTION", f => f.Description),
        ]);
    }
}
