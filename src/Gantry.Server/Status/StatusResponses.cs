using Gantry.Core.Status;
using Gantry.Data.Instances;
using Gantry.Data.Status;

namespace Gantry.Server.Status;

/// <summary>
/// Where an instance's current change stands. <see cref="Revision"/> is what Gantry committed; the engine has
/// deployed it when <see cref="Phase"/> is Ready (a report applies only to the current change or a later one).
/// <see cref="EngineRevision"/> is what the engine says it runs (a chart version, or <c>branch@sha1:commit</c>).
/// </summary>
public sealed record DeploymentStatusResponse(
    string Phase,
    string Revision,
    long Generation,
    long? ObservedGeneration,
    string? EngineRevision,
    string? Reason,
    string? Message,
    string? Cluster,
    DateTimeOffset? ObservedAt)
{
    /// <summary>Whether the engine reported this very change deployed and healthy.</summary>
    public bool Deployed => Phase == DeploymentPhase.Ready && ObservedGeneration >= Generation;

    public static DeploymentStatusResponse From(InstanceRecord record) => new(
        record.Status, record.Revision, record.Generation, record.StatusGeneration, record.EngineRevision, record.StatusReason,
        record.StatusMessage, record.StatusCluster, record.StatusObservedAt);
}

/// <summary>One entry of a timeline or a status stream.</summary>
public sealed record StatusEventResponse(
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
    DateTimeOffset ReceivedAt)
{
    public static StatusEventResponse From(StatusEventRecord e) => new(
        e.Id, e.Tenant, e.TargetKind, e.Target, e.Source, e.Cluster, e.Phase, e.Reason, e.Message, e.Generation, e.Revision,
        e.EngineRevision, e.Applied, e.OccurredAt, e.ReceivedAt);
}

public sealed record StatusEventPage(IReadOnlyList<StatusEventResponse> Items, long? Next);

/// <summary>What the webhook answers an engine: whether its report moved the status, and why not when it did not.</summary>
public sealed record EngineEventAccepted(long? Id, bool Applied, string? Tenant, string? Instance, string Phase, string? Note)
{
    /// <summary>For a report on an environment's service: the environment and the service.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Environment { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Service { get; init; }
}

/// <summary>
/// One service of an environment: what the engine last said of it, and whether that was about the version the
/// environment's claim resolved (<see cref="Version"/>); a report about another version leaves it Committed.
/// </summary>
public sealed record ServiceStatusResponse(
    string Phase, string? Version, string? ReportedVersion, string? Reason, string? Message, string? Cluster, DateTimeOffset? ObservedAt);

/// <summary>
/// Where an environment stands: Failed or Degraded when any service is, Ready when every service runs its resolved
/// version Ready, Reconciling once any is reported on, Committed before.
/// </summary>
public sealed record EnvironmentStatusResponse(string Phase, IReadOnlyDictionary<string, ServiceStatusResponse> Services)
{
    public static EnvironmentStatusResponse From(Core.Environments.EnvironmentClaim claim, IReadOnlyList<StatusEventRecord> latest)
    {
        var services = new SortedDictionary<string, ServiceStatusResponse>(StringComparer.Ordinal);
        foreach (var service in claim.Services)
        {
            var last = latest.FirstOrDefault(e => e.Component == service.Name);
            var current = last is not null && last.Revision == service.ResolvedVersion;
            services[service.Name] = new ServiceStatusResponse(
                current ? last!.Phase : DeploymentPhase.Committed, service.ResolvedVersion, last?.Revision,
                last?.Reason, last?.Message, last?.Cluster, last?.OccurredAt);
        }

        var phases = services.Values.Select(s => s.Phase).ToList();
        var phase = phases.Count == 0 ? DeploymentPhase.Committed
            : phases.Contains(DeploymentPhase.Failed) ? DeploymentPhase.Failed
            : phases.Contains(DeploymentPhase.Degraded) ? DeploymentPhase.Degraded
            : phases.All(p => p == DeploymentPhase.Ready) ? DeploymentPhase.Ready
            : phases.Any(p => p != DeploymentPhase.Committed) ? DeploymentPhase.Reconciling
            : DeploymentPhase.Committed;
        return new EnvironmentStatusResponse(phase, services);
    }
}
