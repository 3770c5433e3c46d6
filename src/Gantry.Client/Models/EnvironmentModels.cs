using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Gantry.Client;

/// <summary>
/// An environment claim as <c>POST /api/v1/environments</c> takes it, with the platform design's field names
/// (docs/environments.md). Fields this record does not know are kept in <see cref="Other"/> and sent as they are, so
/// a claim file with a typo is refused by the server naming the field instead of being silently trimmed.
/// </summary>
public sealed record EnvironmentClaimRequest
{
    [JsonPropertyName("environment_name")]
    public required string EnvironmentName { get; init; }

    [JsonPropertyName("environment_type")]
    public required string EnvironmentType { get; init; }

    [JsonPropertyName("environment_pool")]
    public required string EnvironmentPool { get; init; }

    [JsonPropertyName("user")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? User { get; init; }

    [JsonPropertyName("expiration_date")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ExpirationDate { get; init; }

    [JsonPropertyName("deployment_method")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DeploymentMethod { get; init; }

    [JsonPropertyName("deploy_only_specified")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? DeployOnlySpecified { get; init; }

    [JsonPropertyName("services")]
    [JsonConverter(typeof(EnvironmentServicesConverter))]
    public IReadOnlyList<EnvironmentServiceSpec> Services { get; init; } = [];

    /// <summary>Members the record does not name (e.g. <c>creation_date</c>, which the server replaces, or a typo).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

/// <summary>
/// One service of a claim: a version constraint, and optionally the image, the Ansible artifact and the node pool.
/// Written in the short form <c>"user-service": "^1.2.0"</c> when only the version is given. In a stored claim
/// Gantry adds <see cref="ResolvedVersion"/>, <see cref="NodePool"/> and, for services deployed without being
/// named, <see cref="Implicit"/>.
/// </summary>
public sealed record EnvironmentServiceSpec
{
    public required string Name { get; init; }

    public required string Version { get; init; }

    public string? DockerImage { get; init; }

    public string? AnsibleArtifact { get; init; }

    public string? NodePool { get; init; }

    public string? ResolvedVersion { get; init; }

    public bool Implicit { get; init; }

    /// <summary>Members of the long form this record does not name, sent on as they are (the server names a typo).</summary>
    public IReadOnlyDictionary<string, JsonElement>? Other { get; init; }

    internal bool IsShort => DockerImage is null && AnsibleArtifact is null && NodePool is null && ResolvedVersion is null && !Implicit && Other is null;
}

/// <summary>
/// A stored environment as <c>GET /api/v1/environments/{name}</c> answers it: the completed, resolved claim and
/// where its services stand (<see cref="Status"/>, absent from the answers of changes). <see cref="Revision"/> is
/// the ETag.
/// </summary>
public sealed record EnvironmentDetails
{
    [JsonPropertyName("environment_name")]
    public required string EnvironmentName { get; init; }

    [JsonPropertyName("environment_type")]
    public required string EnvironmentType { get; init; }

    [JsonPropertyName("environment_pool")]
    public required string EnvironmentPool { get; init; }

    [JsonPropertyName("user")]
    public string User { get; init; } = string.Empty;

    [JsonPropertyName("creation_date")]
    public DateTimeOffset? CreationDate { get; init; }

    [JsonPropertyName("expiration_date")]
    public DateTimeOffset? ExpirationDate { get; init; }

    [JsonPropertyName("deployment_method")]
    public string? DeploymentMethod { get; init; }

    [JsonPropertyName("deploy_only_specified")]
    public bool DeployOnlySpecified { get; init; }

    [JsonPropertyName("services")]
    [JsonConverter(typeof(EnvironmentServicesConverter))]
    public IReadOnlyList<EnvironmentServiceSpec> Services { get; init; } = [];

    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EnvironmentStatus? Status { get; init; }

    /// <summary>What is wrong that the engine does not report (a service's image deleted from the registry); absent when nothing is.</summary>
    [JsonPropertyName("warnings")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<EnvironmentWarning>? Warnings { get; init; }

    [JsonPropertyName("revision")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Revision { get; init; }
}

/// <summary>A service pointing at something gone, e.g. reason <c>LocalImageDeleted</c>: the retention sweep deleted its <c>-local</c> image.</summary>
public sealed record EnvironmentWarning(
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("reference")] string Reference,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("since")] DateTimeOffset Since);

/// <summary>Failed or Degraded when any service is, Ready when every service runs its resolved version Ready, Reconciling once any is reported on, Committed before.</summary>
public sealed record EnvironmentStatus(string Phase, IReadOnlyDictionary<string, ServiceStatus> Services);

/// <summary>What the engine last said of one service; Committed until it reports on the version the claim resolved.</summary>
public sealed record ServiceStatus(
    string Phase, string? Version, string? ReportedVersion, string? Reason, string? Message, string? Cluster, DateTimeOffset? ObservedAt);

/// <summary>
/// A list item of <c>GET /api/v1/environments</c>. <see cref="ServiceVersions"/> maps each service (named or implicit)
/// to its resolved version; null for an environment indexed before the server kept versions.
/// </summary>
public sealed record EnvironmentSummary(
    [property: JsonPropertyName("environment_name")] string Name,
    [property: JsonPropertyName("environment_type")] string Type,
    [property: JsonPropertyName("environment_pool")] string Pool,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("deployment_method")] string DeploymentMethod,
    [property: JsonPropertyName("services")] IReadOnlyList<string> Services,
    [property: JsonPropertyName("service_versions")] IReadOnlyDictionary<string, string>? ServiceVersions,
    [property: JsonPropertyName("creation_date")] DateTimeOffset CreationDate,
    [property: JsonPropertyName("expiration_date")] DateTimeOffset? ExpirationDate,
    [property: JsonPropertyName("revision")] string Revision);

/// <summary>A claim put into the bucket that Gantry could not apply (phase Invalid) or a foreign write (Alert).</summary>
public sealed record InvalidEnvironmentClaim(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("environment_pool")] string Pool,
    [property: JsonPropertyName("environment_name")] string Name,
    [property: JsonPropertyName("phase")] string Phase,
    [property: JsonPropertyName("reasons")] IReadOnlyList<string> Reasons,
    [property: JsonPropertyName("seen_at")] DateTimeOffset SeenAt);

public sealed record EnvironmentPage(IReadOnlyList<EnvironmentSummary> Items, string? Next, IReadOnlyList<InvalidEnvironmentClaim> Invalid);

/// <summary>Filters of <c>GET /api/v1/environments</c>.</summary>
public sealed record EnvironmentQuery
{
    public string? Type { get; init; }

    public string? Pool { get; init; }

    public string? User { get; init; }

    public string? Service { get; init; }

    public DateTimeOffset? ExpiringBefore { get; init; }

    /// <summary>Free text over names and services.</summary>
    public string? Text { get; init; }

    public string? After { get; init; }

    public int? Limit { get; init; }
}

/// <summary>
/// <c>PATCH /api/v1/environments/{name}</c>: a JSON merge patch of the services (a constraint or the long form
/// sets a service, null removes it) and the deploy scope.
/// </summary>
public sealed record EnvironmentPatch
{
    [JsonPropertyName("services")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? Services { get; init; }

    [JsonPropertyName("deploy_only_specified")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? DeployOnlySpecified { get; init; }
}

/// <summary>A change request waiting for approval (static environments, types that need approval).</summary>
public sealed record ChangeRequest(
    string Id, string Kind, string Pool, string Target, string Operation, JsonNode? Payload, string Summary, string Status,
    string RequestedBy, string RequestedByName, DateTimeOffset RequestedAt);

/// <summary>
/// The answer to a create: the stored <see cref="Environment"/> (201), or, for an environment that needs approval,
/// the <see cref="ChangeRequest"/> made for it (202).
/// </summary>
public sealed record EnvironmentCreation(EnvironmentDetails? Environment, ChangeRequest? ChangeRequest);

/// <summary>Reads and writes the services map of a claim: each member the short (a constraint) or the long form, in order.</summary>
public sealed class EnvironmentServicesConverter : JsonConverter<IReadOnlyList<EnvironmentServiceSpec>>
{
    public override IReadOnlyList<EnvironmentServiceSpec> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("services must be an object: service name to version constraint or {\"version\": ...}");
        }

        var services = new List<EnvironmentServiceSpec>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                services.Add(new EnvironmentServiceSpec { Name = name, Version = reader.GetString()! });
                continue;
            }

            var body = JsonSerializer.Deserialize<LongForm>(ref reader, options)
                ?? throw new JsonException($"services.{name} must be a version constraint or an object with version");
            services.Add(new EnvironmentServiceSpec
            {
                Name = name,
                Version = body.Version ?? throw new JsonException($"services.{name} has no version"),
                DockerImage = body.DockerImage,
                AnsibleArtifact = body.AnsibleArtifact,
                NodePool = body.NodePool,
                ResolvedVersion = body.ResolvedVersion,
                Implicit = body.Implicit ?? false,
                Other = body.Other,
            });
        }

        return services;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<EnvironmentServiceSpec> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var service in value)
        {
            writer.WritePropertyName(service.Name);
            if (service.IsShort)
            {
                writer.WriteStringValue(service.Version);
                continue;
            }

            JsonSerializer.Serialize(writer, new LongForm
            {
                Version = service.Version,
                DockerImage = service.DockerImage,
                AnsibleArtifact = service.AnsibleArtifact,
                NodePool = service.NodePool,
                ResolvedVersion = service.ResolvedVersion,
                Implicit = service.Implicit ? true : null,
                Other = service.Other is null ? null : new Dictionary<string, JsonElement>(service.Other, StringComparer.Ordinal),
            }, options);
        }

        writer.WriteEndObject();
    }

    private sealed record LongForm
    {
        [JsonPropertyName("version")]
        public string? Version { get; init; }

        [JsonPropertyName("docker_image")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? DockerImage { get; init; }

        [JsonPropertyName("ansible_artifact")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? AnsibleArtifact { get; init; }

        [JsonPropertyName("node_pool")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? NodePool { get; init; }

        [JsonPropertyName("resolved_version")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? ResolvedVersion { get; init; }

        [JsonPropertyName("implicit")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public bool? Implicit { get; init; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Other { get; init; }
    }
}
