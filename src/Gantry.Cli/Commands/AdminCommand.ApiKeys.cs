using System.CommandLine;
using Gantry.Cli.Output;
using Gantry.Client;
using Spectre.Console;

namespace Gantry.Cli.Commands;

// admin api-keys list|create|revoke: a tenant's keys for scripts and CI (tenant admins). The secret is in the answer to
// the create only: on standard output, and the whole answer with -o json for scripts.
internal static partial class AdminCommand
{
    private static Column<ApiKey>[] ApiKeyColumns(CliConsole console) =>
    [
        new("ID", k => k.Id),
        new("NAME", k => k.Name),
        new("ROLE", k => k.Role),
        new("PREFIX", k => k.Prefix),
        new("CREATED-BY", k => k.CreatedBy),
        new("STATE", k => KeyState(k, console)),
        new("EXPIRES", Expiry),
        new("AGE", k => Display.Age(k.CreatedAt, console.Time)),
    ];

    private static Command ApiKeys(CliConsole console)
    {
        var tenant = TenantOption();
        var command = new Command("api-keys", "A tenant's API keys: list, create, revoke (tenant admins)") { tenant };
        command.Aliases.Add("api-key");

        var output = OutputFormats.CreateOption();
        var list = new Command("list", "The tenant's API keys, without their secrets") { output };
        list.Aliases.Add("ls");
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var keys = await session.Client.ListApiKeysAsync(session.RequireTenant(parse.GetValue(tenant)), cancellationToken);
            RecordWriter.WriteList(console, OutputFormats.Get(parse, output), [.. keys.OrderBy(k => k.CreatedAt)], ApiKeyColumns(console), k => $"api-key/{k.Id}");
            return ExitCodes.Success;
        });
        command.Subcommands.Add(list);
        command.Subcommands.Add(CreateApiKey(console, tenant));

        var key = new Argument<string>("key") { Description = "The key's id, or its name while no other key in use has it" };
        var yes = YesOption();
        var revoke = new Command("revoke", "Revoke an API key: it stops working at once") { key, yes };
        revoke.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var tenantName = session.RequireTenant(parse.GetValue(tenant));
            var given = parse.GetValue(key)!;
            var keys = await session.Client.ListApiKeysAsync(tenantName, cancellationToken);
            var named = keys.Where(k => k.RevokedAt is null && k.Name == given).ToList();
            var id = keys.Any(k => k.Id == given) ? given : named.Count == 1 ? named[0].Id
                : named.Count > 1 ? throw CliException.Usage($"{named.Count} keys in use are named '{given}': give the id (see 'gantry admin api-keys list')")
                : throw new CliException($"tenant {tenantName} has no API key '{given}'; see 'gantry admin api-keys list'", ExitCodes.NotFound);
            if (!await CliConfirmation.ConfirmAsync(console, parse.GetValue(yes), $"revoking api-key/{given}",
                    $"Revoke API key [bold]{Markup.Escape(given)}[/] of tenant {Markup.Escape(tenantName)}? What uses it stops working.", cancellationToken))
            {
                return ExitCodes.Failure;
            }

            await session.Client.RevokeApiKeyAsync(tenantName, id, cancellationToken);
            console.Done($"api-key/{id} revoked");
            return ExitCodes.Success;
        });
        command.Subcommands.Add(revoke);
        return command;
    }

    private static Command CreateApiKey(CliConsole console, Option<string> tenant)
    {
        var name = new Argument<string>("name") { Description = "What the key is for, e.g. ci" };
        var role = new Option<string>("--role") { Description = "viewer, operator or admin", Required = true };
        role.AcceptOnlyFromAmong(Roles);
        var expires = new Option<string>("--expires") { Description = "Stop working after this long, e.g. 90d or 12h (default: never)" };
        var output = OutputFormats.CreateOption();
        var command = new Command("create", "Create an API key; its secret is shown this once (use -o json in scripts)") { name, role, expires, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var expiresAt = parse.GetValue(expires) is { } text ? console.Time.GetUtcNow() + InstancesCommand.ParseDuration(text, "--expires") : (DateTimeOffset?)null;
            using var session = GantrySession.Open(console, parse);
            var created = await session.Client.CreateApiKeyAsync(session.RequireTenant(parse.GetValue(tenant)),
                new ApiKeyRequest { Name = parse.GetValue(name)!, Role = parse.GetValue(role)!, ExpiresAt = expiresAt }, cancellationToken);
            var format = OutputFormats.Get(parse, output);
            if (format != OutputFormat.Table)
            {
                WriteOne(console, format, created, $"api-key/{created.ApiKey.Id}", []);
                return ExitCodes.Success;
            }

            var k = created.ApiKey;
            console.Done($"api-key/{k.Id} created: {k.Name}, {k.Role} of tenant {k.Tenant}, expires {Expiry(k)}");
            console.Output.WriteLine(console.Quiet ? created.Key : $"Key: {created.Key}"); // shown only now: --quiet gives it alone
            console.Notice("Store the key now: it is shown only this once. Sign in with it: gantry login <server> --api-key-stdin");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Expiry(ApiKey key) => key.ExpiresAt is { } e ? e.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "never";

    private static string KeyState(ApiKey key, CliConsole console) =>
        key.RevokedAt is not null ? "revoked" : key.ExpiresAt <= console.Time.GetUtcNow() ? "expired" : "active";
}
