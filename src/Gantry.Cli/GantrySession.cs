using System.CommandLine;
using Gantry.Cli.Config;
using Gantry.Client;

namespace Gantry.Cli;

/// <summary>
/// The connection a command works through: the server, credentials and default tenant of the chosen context
/// (<c>--context</c>, else the current one), overridden by GANTRY_SERVER, GANTRY_TOKEN and GANTRY_TENANT for CI.
/// Renewed tokens are written back to the context at once, since the used refresh token stops working.
/// </summary>
internal sealed class GantrySession : IDisposable
{
    private readonly IDisposable? _credentials;

    private GantrySession(GantryClient client, string? tenant, string describedAs, IDisposable? credentials)
    {
        Client = client;
        Tenant = tenant;
        DescribedAs = describedAs;
        _credentials = credentials;
    }

    /// <summary><c>--context NAME</c>, on every command.</summary>
    public static Option<string> ContextOption { get; } = new("--context")
    {
        Description = "The context to use (see 'gantry context list'); default: the current one",
        Recursive = true,
    };

    /// <summary><c>--verbose</c>, on every command: the HTTP exchange on standard error, without secrets.</summary>
    public static Option<bool> VerboseOption { get; } = new("--verbose", "-v")
    {
        Description = "Show each HTTP request and response (headers and timing; credentials redacted, bodies not shown) on standard error",
        Recursive = true,
    };

    public GantryClient Client { get; }

    public string? Tenant { get; }

    /// <summary>Which context (or the environment) this is, for messages.</summary>
    public string DescribedAs { get; }

    public Uri Server => Client.Server;

    public static GantrySession Open(CliConsole console, ParseResult parse)
    {
        var store = CliConfigStore.ForUser(console);
        var config = store.Load();
        var name = parse.GetValue(ContextOption) ?? config.CurrentContext;
        var context = name is null ? null : config.Find(name) ?? throw new CliException(
            $"there is no context '{name}' in {store.Path}; see 'gantry context list'", ExitCodes.Usage);

        var serverText = console.Environment("GANTRY_SERVER") is { Length: > 0 } s ? s : context?.Server;
        if (serverText is null)
        {
            throw new CliException("not logged in: run 'gantry login <server>' first, or set GANTRY_SERVER and GANTRY_TOKEN", ExitCodes.Unauthorized);
        }

        var server = ParseServer(serverText);
        var handler = Handler(console, parse);
        var tenant = console.Environment("GANTRY_TENANT") is { Length: > 0 } t ? t : context?.Tenant;
        if (console.Environment("GANTRY_TOKEN") is { Length: > 0 } token)
        {
            return new GantrySession(GantryClient.Create(server, new StaticCredentials(token), handler), tenant, "GANTRY_TOKEN", null);
        }

        if (context is null)
        {
            return new GantrySession(GantryClient.Create(server, null, handler), tenant, server.Authority, null);
        }

        if (context.ApiKey is not null || context.RefreshToken is null || context.AccessToken is null)
        {
            var fixedToken = context.ApiKey ?? context.AccessToken;
            var credentials = fixedToken is null ? null : new StaticCredentials(fixedToken);
            return new GantrySession(GantryClient.Create(server, credentials, handler), tenant, $"context '{context.Name}'", null);
        }

        var refreshing = new RefreshingCredentials(
            new TokenSet(context.AccessToken, context.RefreshToken, context.ExpiresAt ?? DateTimeOffset.MinValue),
            (refreshToken, cancellationToken) => RefreshAsync(handler, server, context, refreshToken, cancellationToken),
            console.Time);
        refreshing.Renewed += tokens =>
        {
            var latest = store.Load();
            var current = latest.Find(context.Name) ?? context;
            store.Save(latest.With(current with { AccessToken = tokens.AccessToken, RefreshToken = tokens.RefreshToken, ExpiresAt = tokens.ExpiresAt }));
        };
        return new GantrySession(GantryClient.Create(server, refreshing, handler), tenant, $"context '{context.Name}'", refreshing);
    }

    /// <summary>The tenant to act in: <c>--tenant</c>, else the context's.</summary>
    public string RequireTenant(string? flag) => flag ?? Tenant ?? throw CliException.Usage(
        $"no tenant: pass --tenant, or log in with --tenant to make it the default of {DescribedAs}");

    /// <summary>An http(s) URL; a bare host means https.</summary>
    public static Uri ParseServer(string text)
    {
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "https://" + text;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw CliException.Usage($"'{text}' is not a server URL: give http(s)://host[:port]");
        }

        return uri;
    }

    public void Dispose()
    {
        Client.Dispose();
        _credentials?.Dispose();
    }

    /// <summary>The handler the API is called through: the console's, with the exchange log over it under --verbose.</summary>
    public static HttpMessageHandler? Handler(CliConsole console, ParseResult parse) =>
        parse.GetValue(VerboseOption) ? new HttpExchangeLog(console.Error, console.HttpHandler ?? new SocketsHttpHandler()) : console.HttpHandler;

    private static async Task<TokenResponse> RefreshAsync(
        HttpMessageHandler? handler, Uri server, CliContext context, string refreshToken, CancellationToken cancellationToken)
    {
        try
        {
            if (context is { Oidc: { } provider, OidcTokenEndpoint: { } tokenEndpoint })
            {
                // An OpenID Connect login renews at its provider, which issued the tokens.
                using var http = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null) { Timeout = TimeSpan.FromSeconds(100) };
                return await new OidcDeviceFlow(http, provider, TimeProvider.System).RefreshAsync(tokenEndpoint, refreshToken, cancellationToken);
            }

            using var bare = GantryClient.Create(server, null, handler);
            return await bare.RefreshAsync(refreshToken, cancellationToken);
        }
        catch (GantryApiException ex) when (ex.StatusCode is System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.Unauthorized)
        {
            var how = context.Oidc is not null ? $" --oidc {context.Oidc.Name}" : context.User is null ? string.Empty : $" --username {context.User}";
            throw new CliException(
                $"the login of context '{context.Name}' has expired and could not be renewed ({ex.Title}); log in again: gantry login {context.Server}{how}",
                ExitCodes.Unauthorized);
        }
    }
}
