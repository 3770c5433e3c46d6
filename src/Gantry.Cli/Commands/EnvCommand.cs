using System.CommandLine;
using Gantry.Cli.Output;
using Gantry.Client;
using Spectre.Console;

namespace Gantry.Cli.Commands;

/// <summary>
/// <c>gantry env create|list|get|delete|extend|refresh</c>: the platform design's environments over
/// <c>/api/v1/environments</c>. The claim comes from flags or a claim file; <c>gantry deploy</c> (DeployCommand)
/// is the design's one-line form of create-or-update.
/// </summary>
internal static partial class EnvCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("env", "Environments: named sets of services at versions, owned by a team pool: create, list, get, delete, extend, refresh");
        command.Aliases.Add("environments");
        command.Aliases.Add("environment");
        command.Subcommands.Add(CreateCommand(console));
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Get(console));
        command.Subcommands.Add(Delete(console));
        command.Subcommands.Add(Extend(console));
        command.Subcommands.Add(Refresh(console));
        return command;
    }

    private static Command CreateCommand(CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "The environment's name (a DNS label, also its namespace), e.g. dev-team1-feature-x; may come from the claim file", Arity = ArgumentArity.ZeroOrOne };
        var type = new Option<string>("--type") { Description = "The environment type: dev, stage, prod or sue (or another the platform configures)" };
        var pool = new Option<string>("--pool") { Description = "The team pool (a tenant) that owns it, e.g. team1 (default: the context's tenant)" };
        var services = ServicesOption("--services");
        var file = new Option<string>("--file", "-f") { Description = "A claim file (JSON, the design's field names); - reads standard input. Flags override its fields" };
        var onlySpecified = new Option<bool?>("--deploy-only-specified") { Description = "Deploy only the named services and their dependencies (default: the whole service catalog)" };
        var expires = new Option<string>("--expires") { Description = "When it is removed: a time (2026-01-31T18:00:00Z) or a duration from now (48h, 7d); default: the type's lifetime" };
        var method = new Option<string>("--deployment-method") { Description = "bucket (dynamic) or git (static, through an approved change request); default: the type's first" };
        method.AcceptOnlyFromAmong("bucket", "git");
        var output = OutputFormats.CreateOption();
        var command = new Command("create", "Create an environment from flags or a claim file")
        {
            name, type, pool, services, file, onlySpecified, expires, method, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var claim = await ClaimInput.ReadAsync(parse.GetValue(file), null, console, cancellationToken);
            var environmentName = parse.GetValue(name) ?? NonEmpty(claim?.EnvironmentName)
                ?? throw CliException.Usage("name the environment: gantry env create NAME, or environment_name in the claim file");
            var request = (claim ?? new EnvironmentClaimRequest { EnvironmentName = environmentName, EnvironmentType = string.Empty, EnvironmentPool = string.Empty }) with
            {
                EnvironmentName = environmentName,
                EnvironmentType = parse.GetValue(type) ?? NonEmpty(claim?.EnvironmentType)
                    ?? throw CliException.Usage("give the environment's type: --type dev|stage|prod|sue (or environment_type in the claim file)"),
                EnvironmentPool = parse.GetValue(pool) ?? NonEmpty(claim?.EnvironmentPool) ?? session.RequireTenant(null),
                Services = ClaimInput.Merge(claim?.Services ?? [], ClaimInput.ParseServices(parse.GetValue(services) ?? [], "--services")),
                DeployOnlySpecified = parse.GetValue(onlySpecified) ?? claim?.DeployOnlySpecified,
                ExpirationDate = parse.GetValue(expires) is { } e ? ClaimInput.ParseExpiry(e, "--expires", console.Time) : claim?.ExpirationDate,
                DeploymentMethod = parse.GetValue(method) ?? claim?.DeploymentMethod,
            };
            var created = await session.Client.CreateEnvironmentAsync(request, cancellationToken);
            return WriteCreation(console, OutputFormats.Get(parse, output), created);
        });
        return command;
    }

    private static Command List(CliConsole console)
    {
        var type = new Option<string>("--type") { Description = "Only environments of this type" };
        var pool = new Option<string>("--pool") { Description = "Only environments of this team pool" };
        var user = new Option<string>("--user") { Description = "Only environments this user asked for" };
        var service = new Option<string>("--service") { Description = "Only environments that deploy this service" };
        var text = new Option<string>("--query", "-q") { Description = "Free text over names and services" };
        var expiring = new Option<string>("--expiring-before") { Description = "Only environments that expire before a time or within a duration (24h)" };
        var output = OutputFormats.CreateOption();
        var command = new Command("list", "List the environments of your team pools") { type, pool, user, service, text, expiring, output };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var query = new EnvironmentQuery
            {
                Type = parse.GetValue(type),
                Pool = parse.GetValue(pool),
                User = parse.GetValue(user),
                Service = parse.GetValue(service),
                Text = parse.GetValue(text),
                ExpiringBefore = parse.GetValue(expiring) is { } e ? ClaimInput.ParseExpiry(e, "--expiring-before", console.Time) : null,
                Limit = 500,
            };
            var items = new List<EnvironmentSummary>();
            IReadOnlyList<InvalidEnvironmentClaim>? invalid = null;
            for (var page = await session.Client.ListEnvironmentsAsync(query, cancellationToken); ;
                page = await session.Client.ListEnvironmentsAsync(query with { After = page.Next }, cancellationToken))
            {
                items.AddRange(page.Items);
                invalid ??= page.Invalid;
                if (page.Next is null)
                {
                    break;
                }
            }

            var format = OutputFormats.Get(parse, output);
            RecordWriter.WriteList(console, format, items,
            [
                new("NAME", e => e.Name),
                new("TYPE", e => e.Type),
                new("POOL", e => e.Pool),
                new("USER", e => e.User),
                new("METHOD", e => e.DeploymentMethod),
                new("SERVICES", ServicesOf),
                new("EXPIRES", e => e.ExpirationDate is { } at ? $"{at.UtcDateTime:yyyy-MM-dd HH:mm}Z" : "never"),
                new("AGE", e => Display.Age(e.CreationDate, console.Time)),
            ], e => $"environment/{e.Name}");
            if (format == OutputFormat.Table)
            {
                // Claims put into the bucket that Gantry could not apply: not environments, but the pool's to fix.
                foreach (var bad in invalid ?? [])
                {
                    console.Error.WriteLine($"{bad.Phase.ToLowerInvariant()} claim {bad.Key}: {string.Join("; ", bad.Reasons)}");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    // name:version, the form --services takes, with no spaces so the column stays one field; names alone for an
    // environment the server indexed before it kept versions.
    private static string ServicesOf(EnvironmentSummary environment) =>
        string.Join(",", environment.Services.Select(s => environment.ServiceVersions?.GetValueOrDefault(s) is { } version ? $"{s}:{version}" : s));

    private static Command Get(CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "The environment" };
        var output = OutputFormats.CreateOption();
        var command = new Command("get", "Show an environment: its claim, each service's resolved version and node pool, and where they stand") { name, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var environment = await session.Client.GetEnvironmentAsync(parse.GetValue(name)!, cancellationToken);
            WriteEnvironment(console, OutputFormats.Get(parse, output), environment, null);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete(CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "The environment" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var command = new Command("delete", "Remove an environment: its claim and manifests") { name, yes };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var environmentName = parse.GetValue(name)!;
            if (!parse.GetValue(yes))
            {
                if (!console.IsInputTerminal)
                {
                    throw CliException.Usage($"deleting environment/{environmentName} needs confirmation: pass --yes when standard input is not a terminal");
                }

                var question = new ConfirmationPrompt($"Delete environment [bold]{Markup.Escape(environmentName)}[/]?") { DefaultValue = false };
                if (!await console.Ansi(error: true).PromptAsync(question, cancellationToken))
                {
                    console.Notice("Nothing deleted.");
                    return ExitCodes.Failure;
                }
            }

            await session.Client.DeleteEnvironmentAsync(environmentName, cancellationToken);
            console.Done($"environment/{environmentName} deleted");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Extend(CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "The environment" };
        var until = new Option<string>("--until") { Description = "The new expiry: a time or a duration from now (48h, 3d); default: the type's lifetime from now" };
        var output = OutputFormats.CreateOption();
        var command = new Command("extend", "Move an expiring environment's expiry, within its type's maximum") { name, until, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var at = parse.GetValue(until) is { } u ? ClaimInput.ParseExpiry(u, "--until", console.Time) : (DateTimeOffset?)null;
            var environment = await session.Client.ExtendEnvironmentAsync(parse.GetValue(name)!, at, cancellationToken);
            WriteEnvironment(console, OutputFormats.Get(parse, output), environment,
                $"extended: expires {environment.ExpirationDate?.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Refresh(CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "The environment" };
        var output = OutputFormats.CreateOption();
        var command = new Command("refresh", "Resolve every version constraint again, picking up newer matching tags") { name, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var environment = await session.Client.RefreshEnvironmentAsync(parse.GetValue(name)!, cancellationToken);
            WriteEnvironment(console, OutputFormats.Get(parse, output), environment, "refreshed");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>--services name:version …</c>: repeatable, several per flag, or comma-separated.</summary>
    public static Option<string[]> ServicesOption(string name) => new(name)
    {
        Description = "Services as name:version (a tag, ^2.1.0, 1.x.x, *): several after one flag, repeated, or comma-separated",
        AllowMultipleArgumentsPerToken = true,
    };

    private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
