using System.Text.Json.Serialization;

namespace Gantry.Server.Registry;

/// <summary>What one retention sweep did: the manifests it deleted and the environments still pointing at one.</summary>
public sealed record RegistrySweepReport
{
    [JsonPropertyName("swept_at")]
    public required DateTimeOffset SweptAt { get; init; }

    [JsonPropertyName("deleted")]
    public required IReadOnlyList<DeletedManifest> Deleted { get; init; }

    [JsonPropertyName("flagged_environments")]
    public required IReadOnlyList<FlaggedEnvironment> FlaggedEnvironments { get; init; }
}

/// <summary>A deleted manifest: <c>repository@digest</c>, with the tags that named it.</summary>
public sealed record DeletedManifest(
    [property: JsonPropertyName("repository")] string Repository,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt)
{
    [JsonIgnore]
    public string Reference => Repository + "@" + Digest;
}

/// <summary>An environment whose service still points at a deleted manifest: it cannot pull it any more.</summary>
public sealed record FlaggedEnvironment(
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("pool")] string Pool,
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("reference")] string Reference);
