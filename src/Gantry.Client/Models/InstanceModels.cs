using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Gantry.Client;

/// <summary>The phases of a deployment (docs/status.md): Committed, then what the engine reports.</summary>
public static class DeploymentPhases
{
    public const string Committed = "Committed";
    public const string Reconciling = "Reconciling";
    public const string Ready = "Ready";
    public const string Failed = "Failed";
    public const string Degraded = "Degraded";

    /// <summary>Whether the phase is an outcome a wait ends on.</summary>
    public static bool IsOutcome(string? phase) => phase is Ready or Failed or Degraded;
}

/// <summary>Where an instance's current change stands; <c>Deployed</c> when the engine reported this change Ready.</summary>
public sealed record DeploymentStatus(
    string Phase,
    string Revision,
    long Generation,
    long? ObservedGeneration,
    bool Deployed,
    string? EngineRevision,
    string? Reason,
    string? Message,
    string? Cluster,
    DateTimeOffset? ObservedAt);

/// <summary>
/// What <c>PUT …/instances/{name}</c> takes. <see cref="Secrets"/> are write-only values of the offering's
/// tenant-supplied secrets.
/// </summary>
public sealed record InstanceRequest
{
    public required string Offering { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Version { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? Values { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Secrets { get; init; }
}

/// <summary>
/// An instance: its accepted spec, resolved chart version, revision (the ETag) and deployment status;
/// <see cref="ChangedBy"/> made the change of that revision (null when the server does not know).
/// </summary>
public sealed record Instance(
    string Tenant,
    string Name,
    string Offering,
    string Version,
    string ChartVersion,
    string Namespace,
    JsonObject Values,
    IReadOnlyList<string> Secrets,
    string Revision,
    DeploymentStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? ChangedBy = null)
{
    /// <summary>Secrets Gantry generated in this very change, shown once.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Credentials { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CredentialsNotice { get; init; }
}

/// <summary>A list item: the index row, without values; <see cref="ChangedBy"/> made the change of <see cref="UpdatedAt"/>.</summary>
public sealed record InstanceSummary(
    string Name, string Offering, string ChartVersion, string Namespace, string Revision, DeploymentStatus Status, DateTimeOffset UpdatedAt, string? ChangedBy = null);

public sealed record InstancePage(IReadOnlyList<InstanceSummary> Items, string? Next);

/// <summary>Filters of an instance list; <see cref="Phase"/> keeps one phase.</summary>
public sealed record InstanceQuery
{
    public string? Offering { get; init; }

    public string? Phase { get; init; }

    public string? Prefix { get; init; }

    public string? After { get; init; }

    public int? Limit { get; init; }
}

/// <summary>
/// The answer to a change: <see cref="Created"/> for a new instance (201); <see cref="WaitTimedOut"/> when the
/// request waited and the engine had not reported the outcome in time (202, with the status so far).
/// </summary>
public sealed record InstanceChange(Instance Instance, bool Created, bool WaitTimedOut);

/// <summary>
/// <c>?wait=&amp;timeout=</c> on a change: answer once the engine reports <see cref="Phase"/> (Ready means any
/// outcome: Ready, Failed or Degraded), or when <see cref="Timeout"/> passes.
/// </summary>
public sealed record WaitFor(TimeSpan Timeout, string Phase = DeploymentPhases.Ready);

public sealed record Commit(string Revision, string AuthorName, string AuthorEmail, DateTimeOffset When, string Message);

public sealed record HistoryPage(IReadOnlyList<Commit> Items, string? Next);

/// <summary>One file's change between two revisions: <c>Change</c> is added, modified or deleted.</summary>
public sealed record FileDiff(string Path, string Change, string Patch);

/// <summary>One entry of an instance's status timeline or a status stream.</summary>
public sealed record StatusEvent(
    long Id,
    string Tenant,
    string Kind,
    string Target,
    string Source,
    string? Cluster,
    string Phase,
    string? Reason,
    string? Message,
    long? Generation,
    string? Revision,
    string? EngineRevision,
    bool Applied,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReceivedAt);

public sealed record StatusEventPage(IReadOnlyList<StatusEvent> Items, long? Next);

/// <summary>The answer of a dry run: the instance as it would be stored and each rendered file that would change.</summary>
public sealed record InstanceDryRun(
    string Tenant,
    string Name,
    string Offering,
    string Version,
    string ChartVersion,
    string Namespace,
    JsonObject Values,
    long Generation,
    bool Created,
    bool Changed,
    IReadOnlyList<PlannedFile> Files);

/// <summary>One rendered file a change would touch (<c>added</c>, <c>modified</c>, <c>deleted</c>) and the unified diff of its lines.</summary>
public sealed record PlannedFile(string Path, string Change, string Patch);

/// <summary>The server's version, as <c>GET /api/v1/version</c> answers it.</summary>
public sealed record ServerVersion(string Version, string Api);
