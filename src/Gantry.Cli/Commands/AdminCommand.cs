using System.CommandLine;
using System.Globalization;
using Gantry.Cli.Output;

namespace Gantry.Cli.Commands;

/// <summary>
/// <c>gantry admin …</c>: what tenant and platform administrators manage over the admin API. Tenants in
/// <c>AdminCommand.Tenants.cs</c>, users in <c>.Users.cs</c>, members in <c>.Members.cs</c>, API keys in
/// <c>.ApiKeys.cs</c>, clusters in <c>.Clusters.cs</c>. The server decides who may do what; its refusals come back in
/// words with the exit code of their kind.
/// </summary>
internal static partial class AdminCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("admin", "For tenant and platform administrators: tenants, users, members, api-keys, clusters");
        command.Subcommands.Add(Tenants(console));
        command.Subcommands.Add(Users(console));
        command.Subcommands.Add(Members(console));
        command.Subcommands.Add(ApiKeys(console));
        command.Subcommands.Add(Clusters(console));
        return command;
    }

    /// <summary><c>--tenant</c> for the tenant-scoped groups (members, api-keys); default: the context's.</summary>
    private static Option<string> TenantOption() => new("--tenant", "-t")
    {
        Description = "The tenant (default: the context's, or GANTRY_TENANT)",
        Recursive = true,
    };

    private static Option<bool> YesOption() => new("--yes", "-y") { Description = "Do not ask for confirmation" };

    /// <summary>One record in the chosen format: <c>kind/name</c>, JSON or YAML as the API answers, or aligned fields.</summary>
    private static void WriteOne<T>(CliConsole console, OutputFormat format, T item, string name, IEnumerable<(string Key, string? Value)> fields)
    {
        switch (format)
        {
            case OutputFormat.Name:
                console.Output.WriteLine(name);
                break;
            case OutputFormat.Json or OutputFormat.Yaml:
                RecordWriter.WriteData(console, format, item);
                break;
            default:
                RecordWriter.WriteFields(console, fields);
                break;
        }
    }

    private static string When(DateTimeOffset? time, CliConsole console) =>
        time is { } t ? string.Create(CultureInfo.InvariantCulture, $"{t:u} ({Display.Age(t, console.Time)} ago)") : "-";

    private static string Joined(IReadOnlyList<string>? items) => items is { Count: > 0 } ? string.Join(",", items) : "-";

    /// <summary>A comma-separated flag (<c>--tenants a,b</c>) as a list; null when the flag was not given.</summary>
    private static List<string>? Split(string? text) =>
        text is null ? null : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
