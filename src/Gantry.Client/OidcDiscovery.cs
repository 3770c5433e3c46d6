using System.Net.Http.Json;
using System.Text.Json;

namespace Gantry.Client;

/// <summary>What both sign-in flows read of a provider: the endpoints of its discovery document, and its token endpoint's answers.</summary>
internal static class OidcDiscovery
{
    public sealed record Endpoints(string TokenEndpoint, string? AuthorizationEndpoint, string? DeviceAuthorizationEndpoint);

    public static async Task<Endpoints> ReadAsync(HttpClient http, OidcProvider provider, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri($"{provider.Authority}/.well-known/openid-configuration"), cancellationToken));
        var root = document.RootElement;
        string? Read(string name) => root.TryGetProperty(name, out var value) ? value.GetString() : null;
        return new Endpoints(
            Read("token_endpoint") ?? throw new GantryApiException(System.Net.HttpStatusCode.BadGateway, $"The provider {provider.Authority} has no token_endpoint in its discovery document."),
            Read("authorization_endpoint"),
            Read("device_authorization_endpoint"));
    }

    /// <summary>A grant at the token endpoint; an OAuth error answer becomes <see cref="GantryApiException"/> with its <c>error</c> as the type.</summary>
    public static async Task<TokenResponse> TokenAsync(HttpClient http, string tokenEndpoint, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(new Uri(tokenEndpoint), new FormUrlEncodedContent(form), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await GantryApiException.FromResponseAsync(response, cancellationToken);
        }

        return await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
            ?? throw new GantryApiException(response.StatusCode, "The provider answered no token.");
    }
}
