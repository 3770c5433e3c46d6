using System.Text.Json.Serialization;

namespace Gantry.Client;

/// <summary>The OAuth 2.0 token response of <c>POST /api/v1/auth/token</c>.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("refresh_token")] string RefreshToken);

/// <summary>The calling principal (<c>GET /api/v1/auth/me</c>): tenant name to role.</summary>
public sealed record WhoAmI(string Id, string Name, string Kind, bool IsPlatformAdmin, IReadOnlyDictionary<string, string> Tenants);
