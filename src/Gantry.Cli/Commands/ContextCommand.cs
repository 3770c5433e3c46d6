using System.CommandLine;
using Gantry.Cli.Config;
using Gantry.Cli.Output;

namespace Gantry.Cli.Commands;

/// <summary><c>gantry context list|use|delete</c>: the saved servers and which one commands use, like kubectl config.</summary>
internal static class ContextCommand
{
    /// <summary>A context as listed: never its tokens or key.</summary>
    internal sealed record ContextView(bool Current, string Name, string Server, string? User, string? Tenant, string Auth);

    public static Command Create(CliConsole console)
    {
        var command = new Command("context", "List, switch and delete saved contexts (servers and credentials)");
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Use(console));
        command.Subcommands.Add(Delete(console));
        return command;
    }

    private static Command List(CliConsole console)
    {
        var output = OutputFormats.CreateOption();
        var command = new Command("list", "List the contexts; * marks the current one") { output };
        command.Aliases.Add("ls");
        command.SetAction(parse =>
        {
            var config = CliConfigStore.ForUser(console).Load();
            var views = config.Contexts.OrderBy(c => c.Name, StringComparer.Ordinal)
                .Select(c => new ContextView(c.Name == config.CurrentContext, c.Name, c.Server, c.User, c.Tenant, c.AuthKind)).ToList();
            RecordWriter.WriteList(console, OutputFormats.Get(parse, output), views,
            [
                new("CURRENT", v => v.Current ? "*" : string.Empty),
                new("NAME", v => v.Name),
                new("SERVER", v => v.Server),
                new("USER", v => v.User),
                new("TENANT", v => v.Tenant),
                new("AUTH", v => v.Auth),
            ], v => $"context/{v.Name}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Use(CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "The context to make current" };
        var command = new Command("use", "Make a context the current one") { name };
        command.SetAction(parse =>
        {
            var store = CliConfigStore.ForUser(console);
            var config = store.Load();
            var wanted = parse.GetValue(name)!;
            _ = config.Find(wanted) ?? throw NotFound(wanted, store);
            store.Save(config with { CurrentContext = wanted });
            console.Done($"Switched to context \"{wanted}\".");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete(CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "The context to delete" };
        var command = new Command("delete", "Delete a context and the credentials saved with it") { name };
        command.SetAction(parse =>
        {
            var store = CliConfigStore.ForUser(console);
            var config = store.Load();
            var wanted = parse.GetValue(name)!;
            _ = config.Find(wanted) ?? throw NotFound(wanted, store);
            store.Save(config.Without(wanted));
            console.Done($"Deleted context \"{wanted}\".");
            return ExitCodes.Success;
        });
        return command;
    }

    private static CliException NotFound(string name, CliConfigStore store) =>
        new($"there is no context '{name}' in {store.Path}; see 'gantry context list'", ExitCodes.NotFound);
}
