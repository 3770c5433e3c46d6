using System.CommandLine;
using Gantry.Cli.Output;
using Gantry.Client;
using Spectre.Console;

namespace Gantry.Cli.Commands;

// admin users list|get|create|update|delete: platform administrators manage local users; everyone sees and changes their
// own record. A password is read from standard input (--password-stdin) or a prompt that does not echo, never from an
// argument, which other users of the machine could read in the process list.
internal static partial class AdminCommand
{
    private static Column<User>[] UserColumns(CliConsole console) =>
    [
        new("USERNAME", u => u.Username),
        new("ID", u => u.Id),
        new("EMAIL", u => u.Email ?? "-"),
        new("PLATFORM-ADMIN", u => u.IsPlatformAdmin ? "yes" : "no"),
        new("TENANTS", u => Joined([.. u.Memberships.Select(m => $"{m.Tenant}:{m.Role}")])),
        new("AGE", u => Display.Age(u.CreatedAt, console.Time)),
    ];

    private static Command Users(CliConsole console)
    {
        var command = new Command("users", "Local users: list, get, create, update, delete");
        command.Aliases.Add("user");

        var output = OutputFormats.CreateOption();
        var list = new Command("list", "The users you may see: all for platform administrators, else yourself") { output };
        list.Aliases.Add("ls");
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var users = await session.Client.ListUsersAsync(cancellationToken);
            RecordWriter.WriteList(console, OutputFormats.Get(parse, output), [.. users.OrderBy(u => u.Username, StringComparer.Ordinal)], UserColumns(console), u => $"user/{u.Username}");
            return ExitCodes.Success;
        });
        command.Subcommands.Add(list);

        var getUser = new Argument<string>("user") { Description = "The user's name or id" };
        var getOutput = OutputFormats.CreateOption();
        var get = new Command("get", "A user with their memberships") { getUser, getOutput };
        get.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var id = await UserIdAsync(session.Client, parse.GetValue(getUser)!, cancellationToken);
            WriteUser(console, OutputFormats.Get(parse, getOutput), await session.Client.GetUserAsync(id, cancellationToken));
            return ExitCodes.Success;
        });
        command.Subcommands.Add(get);
        command.Subcommands.Add(CreateUser(console));
        command.Subcommands.Add(UpdateUser(console));

        var deleteUser = new Argument<string>("user") { Description = "The user's name or id" };
        var yes = YesOption();
        var delete = new Command("delete", "Delete a user with their memberships and sign-ins (platform administrators)") { deleteUser, yes };
        delete.SetAction(async (parse, cancellationToken) =>
        {
            var user = parse.GetValue(deleteUser)!;
            using var session = GantrySession.Open(console, parse);
            var id = await UserIdAsync(session.Client, user, cancellationToken);
            if (!await CliConfirmation.ConfirmAsync(console, parse.GetValue(yes), $"deleting user/{user}", $"Delete user [bold]{Markup.Escape(user)}[/]?", cancellationToken))
            {
                return ExitCodes.Failure;
            }

            await session.Client.DeleteUserAsync(id, cancellationToken);
            console.Done($"user/{user} deleted");
            return ExitCodes.Success;
        });
        command.Subcommands.Add(delete);
        return command;
    }

    private static Command CreateUser(CliConsole console)
    {
        var username = new Argument<string>("username") { Description = "The new user's name" };
        var email = new Option<string>("--email") { Description = "Their email address" };
        var platformAdmin = new Option<bool>("--platform-admin") { Description = "Make them a platform administrator" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (else a prompt on a terminal)" };
        var output = OutputFormats.CreateOption();
        var command = new Command("create", "Create a local user with a password (platform administrators)") { username, email, platformAdmin, passwordStdin, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var password = await PasswordAsync(console, parse.GetValue(passwordStdin), cancellationToken)
                ?? throw CliException.Usage("standard input is not a terminal: pass --password-stdin and write the password to it");
            using var session = GantrySession.Open(console, parse);
            var user = await session.Client.CreateUserAsync(new UserRequest
            {
                Username = parse.GetValue(username)!, Password = password, Email = parse.GetValue(email), IsPlatformAdmin = parse.GetValue(platformAdmin),
            }, cancellationToken);
            WriteChanged(console, OutputFormats.Get(parse, output), user, "created");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command UpdateUser(CliConsole console)
    {
        var user = new Argument<string>("user") { Description = "The user's name or id" };
        var email = new Option<string>("--email") { Description = "A new email address" };
        var platformAdmin = new Option<string>("--platform-admin") { Description = "true or false (platform administrators only)" };
        platformAdmin.AcceptOnlyFromAmong("true", "false");
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read a new password from standard input" };
        var output = OutputFormats.CreateOption();
        var command = new Command("update", "Change a user's email, password or platform-admin flag") { user, email, platformAdmin, passwordStdin, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var password = parse.GetValue(passwordStdin) ? await PasswordAsync(console, stdin: true, cancellationToken) : null;
            using var session = GantrySession.Open(console, parse);
            var id = await UserIdAsync(session.Client, parse.GetValue(user)!, cancellationToken);
            var patch = new UserPatch
            {
                Email = parse.GetValue(email), Password = password, IsPlatformAdmin = parse.GetValue(platformAdmin) is { } flag ? flag == "true" : null,
            };
            WriteChanged(console, OutputFormats.Get(parse, output), await session.Client.UpdateUserAsync(id, patch, cancellationToken), "updated");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The password from standard input, or asked twice without echo on a terminal; null when neither can be.</summary>
    private static async Task<string?> PasswordAsync(CliConsole console, bool stdin, CancellationToken cancellationToken)
    {
        if (stdin)
        {
            return await CliInput.ReadSecretLineAsync(console.Input, "the password", cancellationToken);
        }

        if (!console.IsInputTerminal)
        {
            return null;
        }

        var ansi = console.Ansi(error: true);
        var password = await ansi.PromptAsync(new TextPrompt<string>("Password:").Secret(null), cancellationToken);
        var again = await ansi.PromptAsync(new TextPrompt<string>("Password again:").Secret(null), cancellationToken);
        return password == again ? password : throw new CliException("the passwords differ; nothing changed");
    }

    /// <summary>A user's id from their name (as platform administrators see every user) or the id itself.</summary>
    private static async Task<string> UserIdAsync(GantryClient client, string user, CancellationToken cancellationToken)
    {
        var users = await client.ListUsersAsync(cancellationToken);
        return users.FirstOrDefault(u => u.Username == user || u.Id == user)?.Id ?? user;
    }

    private static void WriteChanged(CliConsole console, OutputFormat format, User user, string verb)
    {
        if (format == OutputFormat.Table)
        {
            console.Done($"user/{user.Username} {verb} (id {user.Id})");
            return;
        }

        WriteUser(console, format, user);
    }

    private static void WriteUser(CliConsole console, OutputFormat format, User user) => WriteOne(console, format, user, $"user/{user.Username}",
    [
        ("Username", user.Username),
        ("Id", user.Id),
        ("Email", user.Email),
        ("Platform admin", user.IsPlatformAdmin ? "yes" : "no"),
        ("Signs in with", user.ExternalIssuer ?? "password"),
        ("Tenants", user.Memberships.Count == 0 ? "-" : string.Join(", ", user.Memberships.Select(m => $"{m.Tenant} ({m.Role})"))),
        ("Created", When(user.CreatedAt, console)),
        ("Updated", When(user.UpdatedAt, console)),
    ]);
}
