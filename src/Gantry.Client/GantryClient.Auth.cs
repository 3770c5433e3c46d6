using System.Net.Http.Json;

namespace Gantry.Client;

public sealed partial class GantryClient
{
    /// <summary>The password grant: a local user's name and password for an access and a refresh token.</summary>
    public Task<TokenResponse> LoginAsync(string username, string password, CancellationToken cancellationToken = default) =>
        TokenAsync(new Dictionary<string, string> { ["grant_type"] = "password", ["username"] = username, ["password"] = password }, cancellationToken);

    /// <summary>The refresh_token grant. The refresh token is used up: keep the new one the answer carries.</summary>
    public Task<TokenResponse> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default) =>
        TokenAsync(new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }, cancellationToken);

    /// <summary>Revokes a refresh token and every token refreshed from the same login (RFC 7009).</summary>
    public async Task RevokeAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/auth/revoke")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = refreshToken }),
        };
        using var response = await SendAsync(request, RequestTimeout, cancellationToken);
    }

    /// <summary>Who the credentials are: id, kind and roles per tenant.</summary>
    public Task<WhoAmI> WhoAmIAsync(CancellationToken cancellationToken = default) => GetAsync<WhoAmI>("api/v1/auth/me", cancellationToken);

    /// <summary>The OpenID Connect providers the CLI can sign in with (device authorization flow); needs no credentials.</summary>
    public Task<IReadOnlyList<OidcProvider>> ListOidcProvidersAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<OidcProvider>>("api/v1/auth/providers", cancellationToken);

    /// <summary>The server's version; needs no credentials.</summary>
    public Task<ServerVersion> GetServerVersionAsync(CancellationToken cancellationToken = default) => GetAsync<ServerVersion>("api/v1/version", cancellationToken);

    private async Task<TokenResponse> TokenAsync(Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/auth/token") { Content = new FormUrlEncodedContent(form) };
        using var response = await SendAsync(request, RequestTimeout, cancellationToken);
        return await response.Content.ReadFromJsonAsync<TokenResponse>(Json, cancellationToken)
            ?? throw new GantryApiException(response.StatusCode, "The token endpoint answered no token.");
    }
}
