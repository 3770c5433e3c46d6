using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Gantry.Client;

/// <summary>An OpenID Connect provider Gantry accepts tokens of, with the public client the CLI signs in with.</summary>
public sealed record OidcProvider(string Name, string Authority, string ClientId, string Audience);

/// <summary>What the provider answers to a device authorization request (RFC 8628 §3.2).</summary>
public sealed record DeviceAuthorization(
    [property: JsonPropertyName("device_code")] string DeviceCode,
    [property: JsonPropertyName("user_code")] string UserCode,
    [property: JsonPropertyName("verification_uri")] string VerificationUri,
    [property: JsonPropertyName("verification_uri_complete")] string? VerificationUriComplete,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("interval")] int? Interval);

/// <summary>
/// The OAuth 2.0 device authorization grant (RFC 8628) against an OpenID Connect provider: the endpoints come from
/// its discovery document; the person approves on another device while <see cref="PollAsync"/> waits; the refresh
/// token renews the access token at the provider, not at Gantry.
/// </summary>
public sealed class OidcDeviceFlow(HttpClient http, OidcProvider provider, TimeProvider time)
{
    private const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

    public string? TokenEndpoint { get; private set; }

    private string? _deviceEndpoint;

    /// <summary>Reads the provider's discovery document for its device authorization and token endpoints.</summary>
    public async Task DiscoverAsync(CancellationToken cancellationToken)
    {
        var endpoints = await OidcDiscovery.ReadAsync(http, provider, cancellationToken);
        TokenEndpoint = endpoints.TokenEndpoint;
        _deviceEndpoint = endpoints.DeviceAuthorizationEndpoint ?? throw new GantryApiException(System.Net.HttpStatusCode.BadGateway,
            $"The provider {provider.Authority} does not offer the device authorization flow (its discovery document has no device_authorization_endpoint).");
    }

    public async Task<DeviceAuthorization> StartAsync(CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(new Uri(_deviceEndpoint!), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = provider.ClientId,
            ["scope"] = "openid profile offline_access",
        }), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await GantryApiException.FromResponseAsync(response, cancellationToken);
        }

        return await response.Content.ReadFromJsonAsync<DeviceAuthorization>(cancellationToken)
            ?? throw new GantryApiException(response.StatusCode, "The provider answered no device code.");
    }

    /// <summary>Asks for the tokens every <c>interval</c> seconds until the person approved, refused, or the code expired.</summary>
    public async Task<TokenResponse> PollAsync(DeviceAuthorization authorization, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        var interval = TimeSpan.FromSeconds(Math.Max(1, authorization.Interval ?? 5));
        var deadline = time.GetUtcNow().AddSeconds(authorization.ExpiresIn);
        while (true)
        {
            await Task.Delay(interval, time, cancellationToken);
            try
            {
                return await TokenAsync(new Dictionary<string, string>
                {
                    ["grant_type"] = DeviceCodeGrant,
                    ["device_code"] = authorization.DeviceCode,
                    ["client_id"] = provider.ClientId,
                }, cancellationToken);
            }
            catch (GantryApiException ex) when (ex.Type is "authorization_pending" or "slow_down" && time.GetUtcNow() < deadline)
            {
                // RFC 8628 §3.5: keep polling; slow_down adds 5 seconds to the interval.
                interval += ex.Type == "slow_down" ? TimeSpan.FromSeconds(5) : TimeSpan.Zero;
            }
        }
    }

    /// <summary>The refresh_token grant at the provider's token endpoint.</summary>
    public Task<TokenResponse> RefreshAsync(string tokenEndpoint, string refreshToken, CancellationToken cancellationToken)
    {
        TokenEndpoint = tokenEndpoint;
        return TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = provider.ClientId,
        }, cancellationToken);
    }

    private Task<TokenResponse> TokenAsync(Dictionary<string, string> form, CancellationToken cancellationToken) =>
        OidcDiscovery.TokenAsync(http, TokenEndpoint!, form, cancellationToken);
}
