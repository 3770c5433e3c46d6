using System.CommandLine;
using Gantry.Cli.Output;
using Gantry.Client;
using Spectre.Console;

namespace Gantry.Cli.Commands;

// admin members list|add|role|remove: who belongs to a tenant, with which role. Members read the list; tenant admins
// change it. A member is named by username or id; a user not yet a member by id, or by name for platform administrators
// (who are the only ones to see every user).
internal static partial class AdminCommand
{
    private static readonly string[] Roles = ["viewer", "operator", "admin"];

    private static Column<Member>[] MemberColumns(CliConsole console) =>
    [
        new("USER", m => m.Username ?? "-"),
        new("USER-ID", m => m.UserId),
        new("ROLE", m => m.Role),
        new("AGE", m => Display.Age(m.CreatedAt, console.Time)),
    ];

    private static Command Members(CliConsole console)
    {
        var tenant = TenantOption();
        var command = new Command("members", "A tenant's members and their roles: list, add, role, remove") { tenant };
        command.Aliases.Add("member");

        var output = OutputFormats.CreateOption();
        var list = new Command("list", "The tenant's members and their roles") { output };
        list.Aliases.Add("ls");
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var members = await session.Client.ListMembersAsync(session.RequireTenant(parse.GetValue(tenant)), cancellationToken);
            RecordWriter.WriteList(console, OutputFormats.Get(parse, output), [.. members.OrderBy(m => m.Username, StringComparer.Ordinal)],
                MemberColumns(console), m => $"member/{m.Username ?? m.UserId}");
            return ExitCodes.Success;
        });
        command.Subcommands.Add(list);
        command.Subcommands.Add(SetMember(console, tenant, "add", "Add a user to the tenant with a role (tenant admins)"));
        command.Subcommands.Add(SetMember(console, tenant, "role", "Change a member's role (tenant admins)"));

        var removeUser = new Argument<string>("user") { Description = "The member's username or id" };
        var yes = YesOption();
        var remove = new Command("remove", "Remove a member from the tenant (tenant admins)") { removeUser, yes };
        remove.SetAction(async (parse, cancellationToken) =>
        {
            var user = parse.GetValue(removeUser)!;
            using var session = GantrySession.Open(console, parse);
            var tenantName = session.RequireTenant(parse.GetValue(tenant));
            var id = await MemberIdAsync(session.Client, tenantName, user, cancellationToken);
            if (!await CliConfirmation.ConfirmAsync(console, parse.GetValue(yes), $"removing member/{user}",
                    $"Remove [bold]{Markup.Escape(user)}[/] from tenant {Markup.Escape(tenantName)}?", cancellationToken))
            {
                return ExitCodes.Failure;
            }

            await session.Client.RemoveMemberAsync(tenantName, id, cancellationToken);
            console.Done($"member/{user} removed from tenant {tenantName}");
            return ExitCodes.Success;
        });
        command.Subcommands.Add(remove);
        return command;
    }

    /// <summary><c>add USER --role ROLE</c> and <c>role USER ROLE</c>: both set the membership (the API's one PUT).</summary>
    private static Command SetMember(CliConsole console, Option<string> tenant, string verb, string description)
    {
        var user = new Argument<string>("user") { Description = verb == "add" ? "The user's id (or name, for platform administrators)" : "The member's username or id" };
        var roleArgument = new Argument<string>("role") { Description = "viewer, operator or admin" };
        roleArgument.AcceptOnlyFromAmong(Roles);
        var roleOption = new Option<string>("--role") { Description = "viewer, operator or admin", Required = true };
        roleOption.AcceptOnlyFromAmong(Roles);
        var output = OutputFormats.CreateOption();
        var command = new Command(verb, description) { user, output };
        if (verb == "add")
        {
            command.Options.Add(roleOption);
        }
        else
        {
            command.Arguments.Add(roleArgument);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var tenantName = session.RequireTenant(parse.GetValue(tenant));
            var name = parse.GetValue(user)!;
            var id = verb == "add" ? await UserIdAsync(session.Client, name, cancellationToken) : await MemberIdAsync(session.Client, tenantName, name, cancellationToken);
            var member = await session.Client.SetMemberAsync(tenantName, id, verb == "add" ? parse.GetValue(roleOption)! : parse.GetValue(roleArgument)!, cancellationToken);
            var format = OutputFormats.Get(parse, output);
            if (format == OutputFormat.Table)
            {
                console.Done($"member/{member.Username ?? member.UserId} is {member.Role} of tenant {member.Tenant}");
            }
            else
            {
                WriteOne(console, format, member, $"member/{member.Username ?? member.UserId}", []);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A member's id from their username or id, as the tenant's member list shows them.</summary>
    private static async Task<string> MemberIdAsync(GantryClient client, string tenant, string user, CancellationToken cancellationToken)
    {
        var members = await client.ListMembersAsync(tenant, cancellationToken);
        return members.FirstOrDefault(m => m.Username == user || m.UserId == user)?.UserId
            ?? throw new CliException($"{user} is not a member of tenant {tenant}; see 'gantry admin members list'", ExitCodes.NotFound);
    }
}
