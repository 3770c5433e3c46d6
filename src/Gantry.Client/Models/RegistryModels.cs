using System.Text.Json.Serialization;

namespace Gantry.Client;

/// <summary>The registry developers push their own builds to, and the caller's namespace in it (null: none, e.g. an API key).</summary>
public sealed record RegistryInfo
{
    [JsonPropertyName("url")]
    public required string Url { get; init; }

    [JsonPropertyName("local_namespace")]
    public string? LocalNamespace { get; init; }

    [JsonPropertyName("local_retention_hours")]
    public double LocalRetentionHours { get; init; }
}

/// <summary>A registry bearer token from Gantry's token server.</summary>
public sealed record RegistryToken
{
    [JsonPropertyName("token")]
    public required string Token { get; init; }

    [JsonPropertyName("expires_in")]
    public int ExpiresIn { get; init; }
}
