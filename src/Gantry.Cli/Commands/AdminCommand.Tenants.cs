using System.CommandLine;
using System.Globalization;
using Gantry.Cli.Output;
using Gantry.Client;
using Spectre.Console;

namespace Gantry.Cli.Commands;

// admin tenants list|get|create|update|delete: platform administrators create, change and delete; members read their own.
internal static partial class AdminCommand
{
    private static Column<Tenant>[] TenantColumns(CliConsole console) =>
    [
        new("NAME", t => t.Name),
        new("DISPLAY-NAME", t => t.DisplayName ?? "-"),
        new("MAX-INSTANCES", t => Limit(t.Quotas.MaxInstances)),
        new("MAX-REPLICAS", t => Limit(t.Quotas.MaxReplicasPerInstance)),
        new("OFFERINGS", t => Joined(t.Quotas.AllowedOfferings)),
        new("ENV-TYPES", t => Joined(t.Quotas.AllowedEnvironmentTypes)),
        new("AGE", t => Display.Age(t.CreatedAt, console.Time)),
    ];

    private static Command Tenants(CliConsole console)
    {
        var command = new Command("tenants", "Tenants and their quotas: list, get, create, update, delete");
        command.Aliases.Add("tenant");

        var output = OutputFormats.CreateOption();
        var list = new Command("list", "The tenants you may see") { output };
        list.Aliases.Add("ls");
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var tenants = await session.Client.ListTenantsAsync(cancellationToken);
            RecordWriter.WriteList(console, OutputFormats.Get(parse, output), [.. tenants.OrderBy(t => t.Name, StringComparer.Ordinal)], TenantColumns(console), t => $"tenant/{t.Name}");
            return ExitCodes.Success;
        });
        command.Subcommands.Add(list);

        var getName = new Argument<string>("name") { Description = "The tenant" };
        var getOutput = OutputFormats.CreateOption();
        var get = new Command("get", "A tenant with its quotas") { getName, getOutput };
        get.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            WriteTenant(console, OutputFormats.Get(parse, getOutput), await session.Client.GetTenantAsync(parse.GetValue(getName)!, cancellationToken));
            return ExitCodes.Success;
        });
        command.Subcommands.Add(get);

        command.Subcommands.Add(TenantChange(console, create: true));
        command.Subcommands.Add(TenantChange(console, create: false));

        var deleteName = new Argument<string>("name") { Description = "The tenant" };
        var yes = YesOption();
        var delete = new Command("delete", "Delete a tenant with its memberships and API keys (platform administrators)") { deleteName, yes };
        delete.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(deleteName)!;
            using var session = GantrySession.Open(console, parse);
            if (!await CliConfirmation.ConfirmAsync(console, parse.GetValue(yes), $"deleting tenant/{name}",
                    $"Delete tenant [bold]{Markup.Escape(name)}[/] with its members and API keys?", cancellationToken))
            {
                return ExitCodes.Failure;
            }

            await session.Client.DeleteTenantAsync(name, cancellationToken);
            console.Done($"tenant/{name} deleted");
            return ExitCodes.Success;
        });
        command.Subcommands.Add(delete);
        return command;
    }

    /// <summary>
    /// <c>create</c> or <c>update</c>: the quota flags given change those quotas and keep the others (the API replaces
    /// all quotas at once, so an update reads the tenant's first). <c>--max-instances 0</c> forbids instances;
    /// <c>none</c> removes a limit.
    /// </summary>
    private static Command TenantChange(CliConsole console, bool create)
    {
        var name = new Argument<string>("name") { Description = "The tenant: a DNS-1123 label" };
        var displayName = new Option<string>("--display-name") { Description = "A name for people" };
        var maxInstances = new Option<string>("--max-instances") { Description = "At most this many instances (none: no limit)" };
        var maxReplicas = new Option<string>("--max-replicas") { Description = "At most this many replicas per instance (none: no limit)" };
        var offerings = new Option<string>("--allowed-offerings") { Description = "Only these offerings, comma-separated (empty: all)" };
        var types = new Option<string>("--allowed-env-types") { Description = "Only these environment types (dev, stage, prod, sue), comma-separated (empty: all)" };
        var output = OutputFormats.CreateOption();
        var command = new Command(create ? "create" : "update", create
            ? "Create a tenant, with quotas (platform administrators)"
            : "Change a tenant's display name or quotas; quotas not named stay (platform administrators)")
        {
            name, displayName, maxInstances, maxReplicas, offerings, types, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var tenantName = parse.GetValue(name)!;
            var current = create ? new TenantQuotas() : (await session.Client.GetTenantAsync(tenantName, cancellationToken)).Quotas;
            var quotas = current with
            {
                MaxInstances = LimitFlag(parse, maxInstances, current.MaxInstances),
                MaxReplicasPerInstance = LimitFlag(parse, maxReplicas, current.MaxReplicasPerInstance),
                AllowedOfferings = parse.GetResult(offerings) is null ? current.AllowedOfferings : NullIfEmpty(Split(parse.GetValue(offerings))),
                AllowedEnvironmentTypes = parse.GetResult(types) is null ? current.AllowedEnvironmentTypes : NullIfEmpty(Split(parse.GetValue(types))),
            };
            var tenant = create
                ? await session.Client.CreateTenantAsync(new TenantRequest { Name = tenantName, DisplayName = parse.GetValue(displayName), Quotas = quotas }, cancellationToken)
                : await session.Client.UpdateTenantAsync(tenantName, new TenantPatch { DisplayName = parse.GetValue(displayName), Quotas = quotas }, cancellationToken);
            var format = OutputFormats.Get(parse, output);
            if (format == OutputFormat.Table)
            {
                console.Done($"tenant/{tenant.Name} {(create ? "created" : "updated")}");
            }
            else
            {
                WriteTenant(console, format, tenant);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteTenant(CliConsole console, OutputFormat format, Tenant tenant) => WriteOne(console, format, tenant, $"tenant/{tenant.Name}",
    [
        ("Name", tenant.Name),
        ("Display name", tenant.DisplayName),
        ("Max instances", Limit(tenant.Quotas.MaxInstances)),
        ("Max replicas", Limit(tenant.Quotas.MaxReplicasPerInstance)),
        ("Offerings", tenant.Quotas.AllowedOfferings is { Count: > 0 } o ? string.Join(", ", o) : "all"),
        ("Environment types", tenant.Quotas.AllowedEnvironmentTypes is { Count: > 0 } t ? string.Join(", ", t) : "all"),
        ("Created", When(tenant.CreatedAt, console)),
    ]);

    private static string Limit(int? limit) => limit?.ToString(CultureInfo.InvariantCulture) ?? "none";

    private static int? LimitFlag(ParseResult parse, Option<string> option, int? current)
    {
        if (parse.GetResult(option) is null)
        {
            return current;
        }

        var text = parse.GetValue(option)!;
        return text == "none" ? null
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
            : throw CliException.Usage($"{option.Name} '{text}' is not a number or 'none'");
    }

    private static List<string>? NullIfEmpty(List<string>? items) => items is { Count: > 0 } ? items : null;
}
