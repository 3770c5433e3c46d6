using System.Text.Json.Serialization;

namespace Gantry.Registries;

/// <summary>OCI distribution spec "Listing Tags": <c>{"name": "...", "tags": [...]}</c>; tags may be null on some registries.</summary>
internal sealed record OciTagList(string? Name, IReadOnlyList<string?>? Tags);

/// <summary>Token endpoint answer (distribution docs/spec/auth/token.md): <c>token</c>, or <c>access_token</c> for OAuth2 compatibility.</summary>
internal sealed record TokenResponse(
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("access_token")] string? AccessToken);

[JsonSerializable(typeof(OciTagList))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
