using System.ComponentModel;
using System.Text.Json.Serialization;
using Microsoft.OpenApi;

namespace Gantry.Server.Environments;

/// <summary>
/// The environment claim as the OpenAPI document shows it. Only the document uses it: the handler reads the claim
/// itself (<see cref="Core.Environments.EnvironmentJson"/>) so that it is stored byte for byte.
/// </summary>
public sealed record EnvironmentClaimDocument
{
    [JsonPropertyName("environment_name")]
    [Description("A DNS-1123 label, unique on the platform: also the namespace the services run in.")]
    public required string EnvironmentName { get; init; }

    [JsonPropertyName("environment_type")]
    [Description("A configured type: dev, stage, prod or sue by default.")]
    public required string EnvironmentType { get; init; }

    [JsonPropertyName("environment_pool")]
    [Description("The team pool (a tenant, such as team1) that owns the environment and decides who sees and changes it. Not a node pool.")]
    public required string EnvironmentPool { get; init; }

    [JsonPropertyName("user")]
    [Description("The authenticated caller; set by Gantry (a request may leave it out or give the caller's own name).")]
    public string? User { get; init; }

    [JsonPropertyName("creation_date")]
    [Description("Set by Gantry (ISO 8601, UTC).")]
    public DateTimeOffset? CreationDate { get; init; }

    [JsonPropertyName("expiration_date")]
    [Description("When the environment is removed; null for none. Default: the type's lifetime.")]
    public DateTimeOffset? ExpirationDate { get; init; }

    [JsonPropertyName("deployment_method")]
    [Description("bucket (dynamic) or git (static, through change requests). Default: the type's first method.")]
    public string? DeploymentMethod { get; init; }

    [JsonPropertyName("deploy_only_specified")]
    [Description("Deploy the named services and their dependencies only, instead of the whole service catalog.")]
    public bool? DeployOnlySpecified { get; init; }

    [JsonPropertyName("services")]
    [Description("Service name to a version constraint (\"^2.1.0\") or to an object with version, docker_image, ansible_artifact and node_pool.")]
    public required IReadOnlyDictionary<string, EnvironmentServiceDocument> Services { get; init; }

    /// <summary>Lets each member of <c>services</c> be a constraint string as well as the object.</summary>
    internal static Task AllowShortServiceForm(OpenApiSchema schema, Microsoft.AspNetCore.OpenApi.OpenApiSchemaTransformerContext context)
    {
        if (context.JsonTypeInfo.Type == typeof(EnvironmentClaimDocument)
            && schema.Properties?.TryGetValue("services", out var services) == true && services is OpenApiSchema map && map.AdditionalProperties is { } entry)
        {
            map.AdditionalProperties = new OpenApiSchema
            {
                OneOf = [new OpenApiSchema { Type = JsonSchemaType.String, Description = "A version constraint: a tag, ^2.1.0, 1.x.x, *, a range." }, entry],
            };
        }

        return Task.CompletedTask;
    }
}

/// <summary>The long form of one service of a claim.</summary>
public sealed record EnvironmentServiceDocument
{
    [JsonPropertyName("version")]
    [Description("The version constraint: a tag, ^2.1.0, 1.x.x, *, a range.")]
    public required string Version { get; init; }

    [JsonPropertyName("docker_image")]
    [Description("Overrides the catalog's image repository.")]
    public string? DockerImage { get; init; }

    [JsonPropertyName("ansible_artifact")]
    [Description("An Ansible artifact passed to the service's values.")]
    public string? AnsibleArtifact { get; init; }

    [JsonPropertyName("node_pool")]
    [Description("The node pool to run on instead of the catalog's (general-public by default); it must be one the type allows.")]
    public string? NodePool { get; init; }

    [JsonPropertyName("resolved_version")]
    [Description("Set by Gantry in a stored claim: the tag the constraint resolved to.")]
    public string? ResolvedVersion { get; init; }

    [JsonPropertyName("implicit")]
    [Description("Set by Gantry in a stored claim: deployed as a dependency, not named.")]
    public bool? Implicit { get; init; }
}
