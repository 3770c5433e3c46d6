using System.Text.Json;

namespace Gantry.Data.Environments;

/// <summary>
/// One row of the environment index: what permission-filtered lists and searches need. The claim itself lives in
/// the environments bucket (dynamic) or in Git (static); the index is rebuilt from both by reindex.
/// </summary>
public sealed record EnvironmentRecord
{
    public required string Name { get; init; }

    /// <summary>The environment's pool: the tenant that owns it.</summary>
    public required string Pool { get; init; }

    public required string Type { get; init; }

    /// <summary>The principal that created it.</summary>
    public required string UserName { get; init; }

    /// <summary><c>bucket</c> or <c>git</c>.</summary>
    public required string DeploymentMethod { get; init; }

    /// <summary>The deployed services' names, comma-separated and framed by commas (<c>,a,b,</c>) for exact matching.</summary>
    public required string Services { get; init; }

    /// <summary>
    /// Each deployed service's resolved version, named and implicit alike, as a JSON object
    /// (<c>{"user-service":"v1.2.3"}</c>); null for a row indexed before migration 12.
    /// </summary>
    public string? ServiceVersions { get; init; }

    /// <summary>A hash of the stored claim: its ETag.</summary>
    public required string Revision { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The framed form (<c>,a,b,</c>) of a list of names, as <see cref="Services"/> holds them.</summary>
    public static string FrameServices(IEnumerable<string> names) => "," + string.Join(",", names) + ",";

    public IReadOnlyList<string> ServiceNames => Services.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The JSON form of service names to versions, as <see cref="ServiceVersions"/> holds them.</summary>
    public static string SerializeVersions(IEnumerable<KeyValuePair<string, string>> versions) =>
        JsonSerializer.Serialize(new Dictionary<string, string>(versions, StringComparer.Ordinal));

    /// <summary>Service name to resolved version; null when the row was indexed before the index kept versions.</summary>
    public IReadOnlyDictionary<string, string>? VersionsByService =>
        ServiceVersions is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(ServiceVersions);
}

/// <summary>
/// Filters and a page of the environment list. <see cref="Pools"/> limits the rows to the caller's pools (null for a
/// platform administrator, who sees all); the other filters narrow further. <see cref="After"/> is the last name of
/// the previous page.
/// </summary>
public sealed record EnvironmentQuery
{
    public IReadOnlyList<string>? Pools { get; init; }

    public string? Type { get; init; }

    public string? Pool { get; init; }

    public string? User { get; init; }

    public string? Service { get; init; }

    public DateTimeOffset? ExpiringBefore { get; init; }

    /// <summary>Free text: a substring of the name, pool, user or a service name.</summary>
    public string? Text { get; init; }

    public string? After { get; init; }

    public int Limit { get; init; } = 100;
}
