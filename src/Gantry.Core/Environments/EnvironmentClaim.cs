using System.Text.Json.Serialization;

namespace Gantry.Core.Environments;

/// <summary>
/// An environment as the platform-service design names it: a set of services at versions, of a type whose policy
/// sets HA, node pools, expiry and approval. The JSON field names are the design's own (<c>environment_name</c>,
/// <c>environment_type</c>, ...), so claims written by the design's tools read back unchanged. The stored claim is
/// what the deploy side reads: every service carries the tag its constraint resolved to.
/// </summary>
public sealed record EnvironmentClaim
{
    [JsonPropertyName("environment_name")]
    public required string EnvironmentName { get; init; }

    /// <summary>One of the configured types: <c>dev</c>, <c>stage</c>, <c>prod</c>, <c>sue</c> by default.</summary>
    [JsonPropertyName("environment_type")]
    public required string EnvironmentType { get; init; }

    /// <summary>
    /// The environment pool: the team (a tenant) that owns the environment and decides who sees and changes it, as
    /// <c>team1</c> in <c>dev-team1-feature-x</c>. Not a node pool: where services run is set per service.
    /// </summary>
    [JsonPropertyName("environment_pool")]
    public required string EnvironmentPool { get; init; }

    /// <summary>Who asked for it: the authenticated principal's name, never trusted from a request body.</summary>
    [JsonPropertyName("user")]
    public string User { get; init; } = string.Empty;

    [JsonPropertyName("creation_date")]
    [JsonConverter(typeof(UtcTimestampConverter))]
    public DateTimeOffset? CreationDate { get; init; }

    /// <summary>When the environment is removed; null for a type without expiry and no date of its own.</summary>
    [JsonPropertyName("expiration_date")]
    [JsonConverter(typeof(UtcTimestampConverter))]
    public DateTimeOffset? ExpirationDate { get; init; }

    /// <summary><c>bucket</c> (dynamic, written directly) or <c>git</c> (static, changed through approved change requests).</summary>
    [JsonPropertyName("deployment_method")]
    public string? DeploymentMethod { get; init; }

    /// <summary>Deploy the named services and their dependencies only, instead of the whole service catalog.</summary>
    [JsonPropertyName("deploy_only_specified")]
    public bool DeployOnlySpecified { get; init; }

    /// <summary>The services in the order given; see <see cref="EnvironmentService"/> for the two JSON forms.</summary>
    [JsonPropertyName("services")]
    [JsonConverter(typeof(EnvironmentServicesConverter))]
    public IReadOnlyList<EnvironmentService> Services { get; init; } = [];

    /// <summary>The service named <paramref name="name"/>, or null.</summary>
    public EnvironmentService? Service(string name) => Services.FirstOrDefault(s => s.Name == name);
}

/// <summary>
/// One service of an environment. In JSON it is either the short form <c>"user-service": "^1.2.0"</c> (a version
/// constraint) or the long form <c>"user-service": {"version": ..., "docker_image": ..., "ansible_artifact": ...,
/// "node_pool": ...}</c>; the form given is kept, so a claim round-trips exactly. Once resolved, the chosen tag sits
/// beside the constraint as <c>resolved_version</c> and the node pool is filled in (which needs the long form).
/// </summary>
public sealed record EnvironmentService
{
    public required string Name { get; init; }

    /// <summary>The version constraint: a tag, <c>^2.1.0</c>, <c>1.x.x</c>, <c>*</c>, a range.</summary>
    public required string Version { get; init; }

    /// <summary>Overrides the catalog's image repository for this environment.</summary>
    public string? DockerImage { get; init; }

    /// <summary>An Ansible artifact the service's deployment uses, passed through to its values.</summary>
    public string? AnsibleArtifact { get; init; }

    /// <summary>
    /// The node pool the service runs on: asked for by the claim, or the catalog's choice filled in when the claim
    /// is planned. A stored claim has it on every service; only claims stored before node pools existed lack it
    /// (see <see cref="LegacyPoolMigration"/>).
    /// </summary>
    public string? NodePool { get; init; }

    /// <summary>The tag <see cref="Version"/> resolved to; null until resolved.</summary>
    public string? ResolvedVersion { get; init; }

    /// <summary>
    /// True when the service was not named by the requester but is deployed as a dependency (or because the claim
    /// does not set <c>deploy_only_specified</c>): it is recomputed whenever the named services change.
    /// </summary>
    public bool Implicit { get; init; }

    /// <summary>Given as an object even though only <c>version</c> is set: written back the same way.</summary>
    public bool LongForm { get; init; }

    /// <summary>True when written as a bare constraint string.</summary>
    public bool IsShortForm => !LongForm && DockerImage is null && AnsibleArtifact is null && NodePool is null && ResolvedVersion is null && !Implicit;
}
