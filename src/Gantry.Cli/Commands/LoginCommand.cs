using System.CommandLine;
using Gantry.Cli.Config;
using Gantry.Client;
using Spectre.Console;

namespace Gantry.Cli.Commands;

/// <summary>
/// <c>gantry login &lt;server&gt;</c>: signs in with a local user (password from stdin or a prompt that does not echo),
/// an API key from stdin, or the server's OpenID Connect provider (device flow, or a browser with <c>--browser</c>), and
/// stores the result as a context, made current.
/// </summary>
internal static partial class LoginCommand
{
    public static Command Create(CliConsole console)
    {
        var server = new Argument<string>("server") { Description = "Gantry's URL, e.g. https://gantry.example.com" };
        var username = new Option<string>("--username", "-u") { Description = "Local user name" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input" };
        var apiKeyStdin = new Option<bool>("--api-key-stdin") { Description = "Read an API key (gantry_ak_...) from standard input instead of logging in as a user" };
        var tenant = new Option<string>("--tenant") { Description = "Default tenant of the context (default: the only tenant you are a member of)" };
        var name = new Option<string>("--name") { Description = "Context name (default: user@host:port)" };
        var oidc = new Option<string>("--oidc")
        {
            Description = "Sign in with the server's OpenID Connect provider (device authorization flow: approve in a browser, on any device); name one when there are several",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var browser = new Option<bool>("--browser")
        {
            Description = "Sign in with the OpenID Connect provider in a browser on this machine (authorization code with PKCE on a loopback redirect)",
        };
        var skipOpen = new Option<bool>("--skip-open-browser") { Description = "With --browser: only print the address, do not open a browser" };
        var command = new Command("login", "Sign in to a Gantry server and save it as the current context")
        {
            server, username, passwordStdin, apiKeyStdin, tenant, name, oidc, browser, skipOpen,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var uri = GantrySession.ParseServer(parse.GetValue(server)!);
            var io = console with { HttpHandler = GantrySession.Handler(console, parse) };
            if (parse.GetValue(skipOpen) && !parse.GetValue(browser))
            {
                throw CliException.Usage("--skip-open-browser goes with --browser");
            }

            var alone = parse.GetValue(username) is null && !parse.GetValue(passwordStdin) && !parse.GetValue(apiKeyStdin);
            var context = parse.GetResult(oidc) is not null || parse.GetValue(browser)
                ? await WithOidcAsync(io, uri, parse.GetValue(oidc), alone, parse.GetValue(browser) ? new BrowserLogin(!parse.GetValue(skipOpen)) : null, cancellationToken)
                : parse.GetValue(apiKeyStdin)
                    ? await WithApiKeyAsync(io, uri, parse.GetValue(username), parse.GetValue(passwordStdin), cancellationToken)
                    : await WithPasswordAsync(io, uri, parse.GetValue(username), parse.GetValue(passwordStdin), cancellationToken);

            // The tenant: as asked (it must be one of the caller's), or the only one the caller is a member of.
            using var client = GantryClient.Create(uri, new StaticCredentials(context.ApiKey ?? context.AccessToken!), io.HttpHandler);
            var me = await client.WhoAmIAsync(cancellationToken);
            var chosen = parse.GetValue(tenant) ?? (me.Tenants.Count == 1 ? me.Tenants.Keys.Single() : null);
            if (chosen is not null && !me.IsPlatformAdmin && !me.Tenants.ContainsKey(chosen))
            {
                throw new CliException($"{me.Name} is not a member of tenant '{chosen}'; member of: {string.Join(", ", me.Tenants.Keys.Order(StringComparer.Ordinal))}", ExitCodes.NotFound);
            }

            context = context with
            {
                Name = parse.GetValue(name) ?? $"{context.User ?? me.Name}@{uri.Authority}",
                User = context.User ?? me.Name,
                Tenant = chosen,
            };
            var store = CliConfigStore.ForUser(console);
            store.Save(store.Load().With(context) with { CurrentContext = context.Name });
            var tenantNote = chosen is null ? "no default tenant (pass --tenant to commands)" : $"tenant {chosen}";
            console.Done($"Logged in to {uri.GetLeftPart(UriPartial.Authority)} as {context.User}, {tenantNote}; context \"{context.Name}\" is now current.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<CliContext> WithPasswordAsync(CliConsole console, Uri server, string? username, bool passwordStdin, CancellationToken cancellationToken)
    {
        username ??= console.IsInputTerminal && !passwordStdin
            ? await console.Ansi(error: true).PromptAsync(new TextPrompt<string>("Username:"), cancellationToken)
            : throw CliException.Usage("pass --username (with --password-stdin), or --api-key-stdin");
        var password = passwordStdin
            ? await CliInput.ReadSecretLineAsync(console.Input, "the password", cancellationToken)
            : console.IsInputTerminal
                ? await console.Ansi(error: true).PromptAsync(new TextPrompt<string>("Password:").Secret(null), cancellationToken)
                : throw CliException.Usage("standard input is not a terminal: pass --password-stdin and write the password to it");

        using var client = GantryClient.Create(server, null, console.HttpHandler);
        var tokens = TokenSet.From(await client.LoginAsync(username, password, cancellationToken), console.Time.GetUtcNow());
        return new CliContext
        {
            Name = string.Empty,
            Server = server.GetLeftPart(UriPartial.Path).TrimEnd('/'),
            User = username,
            AccessToken = tokens.AccessToken,
            RefreshToken = tokens.RefreshToken,
            ExpiresAt = tokens.ExpiresAt,
        };
    }

    private static async Task<CliContext> WithApiKeyAsync(CliConsole console, Uri server, string? username, bool passwordStdin, CancellationToken cancellationToken)
    {
        if (username is not null || passwordStdin)
        {
            throw CliException.Usage("--api-key-stdin takes no --username or --password-stdin");
        }

        return new CliContext
        {
            Name = string.Empty,
            Server = server.GetLeftPart(UriPartial.Path).TrimEnd('/'),
            ApiKey = await CliInput.ReadSecretLineAsync(console.Input, "the API key", cancellationToken),
        };
    }
}
