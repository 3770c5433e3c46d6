using Gantry.Cli.Config;
using Gantry.Client;

namespace Gantry.Cli.Commands;

// gantry login --oidc: the OAuth 2.0 device authorization flow (RFC 8628) with the provider the server names; with
// --browser, the authorization code flow in a browser on this machine (LoginCommand.Browser.cs).
internal static partial class LoginCommand
{
    /// <summary>A browser sign-in, and whether to open the browser (else only print the address).</summary>
    private sealed record BrowserLogin(bool Open);

    private static async Task<CliContext> WithOidcAsync(CliConsole console, Uri server, string? issuer, bool alone, BrowserLogin? browser, CancellationToken cancellationToken)
    {
        if (!alone)
        {
            throw CliException.Usage($"{(browser is null ? "--oidc" : "--browser")} takes no --username, --password-stdin or --api-key-stdin: you approve the login in a browser");
        }

        using var gantry = GantryClient.Create(server, null, console.HttpHandler);
        var providers = await gantry.ListOidcProvidersAsync(cancellationToken);
        var provider = issuer is null
            ? providers.Count == 1 ? providers[0] : throw CliException.Usage(providers.Count == 0
                ? $"{server.Authority} has no OpenID Connect provider for the CLI (Auth:Oidc:Issuers:<n>:CliClientId); log in with --username"
                : $"{server.Authority} has several OpenID Connect providers; name one: --oidc {string.Join("|", providers.Select(p => p.Name))}")
            : providers.FirstOrDefault(p => p.Name == issuer) ?? throw CliException.Usage(
                $"{server.Authority} has no OpenID Connect provider '{issuer}'; it has: {(providers.Count == 0 ? "none" : string.Join(", ", providers.Select(p => p.Name)))}");

        using var http = new HttpClient(console.HttpHandler ?? new SocketsHttpHandler(), disposeHandler: console.HttpHandler is null) { Timeout = TimeSpan.FromSeconds(100) };
        string? tokenEndpoint;
        TokenResponse tokens;
        if (browser is not null)
        {
            var code = new OidcBrowserFlow(http, provider);
            tokens = await BrowserTokensAsync(console, provider, code, browser.Open, cancellationToken);
            tokenEndpoint = code.TokenEndpoint;
        }
        else
        {
            var device = new OidcDeviceFlow(http, provider, console.Time);
            tokens = await DeviceTokensAsync(console, provider, device, cancellationToken);
            tokenEndpoint = device.TokenEndpoint;
        }

        var set = TokenSet.From(tokens, console.Time.GetUtcNow());
        return new CliContext
        {
            Name = string.Empty,
            Server = server.GetLeftPart(UriPartial.Path).TrimEnd('/'),
            AccessToken = set.AccessToken,
            RefreshToken = set.RefreshToken,
            ExpiresAt = set.ExpiresAt,
            Oidc = provider,
            OidcTokenEndpoint = tokenEndpoint,
        };
    }

    private static async Task<TokenResponse> DeviceTokensAsync(CliConsole console, OidcProvider provider, OidcDeviceFlow flow, CancellationToken cancellationToken)
    {
        await flow.DiscoverAsync(cancellationToken);
        var authorization = await flow.StartAsync(cancellationToken);
        console.Error.WriteLine($"To sign in with {provider.Name}, open {authorization.VerificationUri} and enter the code {authorization.UserCode}");
        if (authorization.VerificationUriComplete is { } complete)
        {
            console.Error.WriteLine($"  (or open {complete})");
        }

        try
        {
            return await flow.PollAsync(authorization, cancellationToken);
        }
        catch (GantryApiException ex) when (ex.Type is "access_denied" or "expired_token" or "authorization_pending")
        {
            throw new CliException($"the login with {provider.Name} did not complete: {(ex.Type == "access_denied" ? "it was refused" : "the code expired")}", ExitCodes.Unauthorized);
        }
    }
}
