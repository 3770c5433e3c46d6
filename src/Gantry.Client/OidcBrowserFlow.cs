using System.Security.Cryptography;
using System.Text;

namespace Gantry.Client;

/// <summary>
/// The OAuth 2.0 authorization code flow with PKCE (RFC 7636) for a native app: the person signs in in a browser,
/// which the provider then sends to a loopback redirect (RFC 8252 §7.3) with the code; <see cref="RedeemAsync"/>
/// trades the code and the verifier, which never left this process, for the tokens. <see cref="State"/> ties the
/// answer to this login.
/// </summary>
public sealed class OidcBrowserFlow(HttpClient http, OidcProvider provider)
{
    private readonly string _verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
    private string? _authorizationEndpoint;

    public string? TokenEndpoint { get; private set; }

    /// <summary>The value the provider must send back unchanged with the code.</summary>
    public string State { get; } = Base64Url(RandomNumberGenerator.GetBytes(16));

    /// <summary>Reads the provider's discovery document for its authorization and token endpoints.</summary>
    public async Task DiscoverAsync(CancellationToken cancellationToken)
    {
        var endpoints = await OidcDiscovery.ReadAsync(http, provider, cancellationToken);
        TokenEndpoint = endpoints.TokenEndpoint;
        _authorizationEndpoint = endpoints.AuthorizationEndpoint ?? throw new GantryApiException(System.Net.HttpStatusCode.BadGateway,
            $"The provider {provider.Authority} does not offer sign-in in a browser (its discovery document has no authorization_endpoint).");
    }

    /// <summary>Where to send the browser: the authorization endpoint with the S256 challenge of the verifier.</summary>
    public Uri AuthorizationUri(Uri redirectUri)
    {
        ArgumentNullException.ThrowIfNull(redirectUri);
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(_verifier)));
        var query = string.Join('&', new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = provider.ClientId,
            ["redirect_uri"] = redirectUri.AbsoluteUri,
            ["scope"] = "openid profile offline_access",
            ["state"] = State,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        }.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        var endpoint = _authorizationEndpoint ?? throw new InvalidOperationException("Call DiscoverAsync first.");
        return new Uri($"{endpoint}{(endpoint.Contains('?', StringComparison.Ordinal) ? '&' : '?')}{query}");
    }

    /// <summary>The authorization_code grant: the code from the redirect, the same redirect URI, and the verifier.</summary>
    public Task<TokenResponse> RedeemAsync(string code, Uri redirectUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(redirectUri);
        return OidcDiscovery.TokenAsync(http, TokenEndpoint!, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri.AbsoluteUri,
            ["client_id"] = provider.ClientId,
            ["code_verifier"] = _verifier,
        }, cancellationToken);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
