namespace Gantry.Data.Instances;

/// <summary>One row of the instance index: what lists and ETags need, rebuildable from the claims in Git.</summary>
public sealed record InstanceRecord
{
    public required string Tenant { get; init; }

    public required string Name { get; init; }

    public required string Offering { get; init; }

    public required string Version { get; init; }

    public required string ChartVersion { get; init; }

    public required string Namespace { get; init; }

    /// <summary>The Git revision of the last change to this instance: its ETag.</summary>
    public required string Revision { get; init; }

    /// <summary>
    /// Who made the change that produced <see cref="Revision"/>: the display name Gantry wrote as the commit's author.
    /// Null for rows indexed before it was kept. Engine reports never change it.
    /// </summary>
    public string? ChangedBy { get; init; }

    /// <summary>The claim's generation at <see cref="Revision"/>: what the rendered objects carry, and events name.</summary>
    public long Generation { get; init; }

    /// <summary>The deployment phase (<c>Gantry.Core.Status.DeploymentPhase</c>): Committed when Gantry wrote it, then what the engine reports.</summary>
    public required string Status { get; init; }

    public string? StatusMessage { get; init; }

    /// <summary>The engine's reason (Flux <c>reason</c>, Argo CD operation phase and health) for the current status.</summary>
    public string? StatusReason { get; init; }

    /// <summary>The cluster whose engine reported the current status.</summary>
    public string? StatusCluster { get; init; }

    /// <summary>The generation the engine's last applied report was about; equal to <see cref="Generation"/> once it reports on this change.</summary>
    public long? StatusGeneration { get; init; }

    /// <summary>What the engine says it runs: a chart version (HelmRelease, Application) or <c>branch@sha1:commit</c> (Kustomization).</summary>
    public string? EngineRevision { get; init; }

    public DateTimeOffset? StatusObservedAt { get; init; }

    /// <summary>This row with the deployment status of <paramref name="other"/> (or Committed and nothing else when null).</summary>
    /// <remarks>The one list of status fields, for writers that keep a status they did not change (an unchanged apply, a reindex).</remarks>
    public InstanceRecord WithStatusOf(InstanceRecord? other) => other is null ? this : this with
    {
        Status = other.Status,
        StatusMessage = other.StatusMessage,
        StatusReason = other.StatusReason,
        StatusCluster = other.StatusCluster,
        StatusGeneration = other.StatusGeneration,
        EngineRevision = other.EngineRevision,
        StatusObservedAt = other.StatusObservedAt,
    };

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Filters and a page of the instance list. <see cref="After"/> is the last name of the previous page.</summary>
public sealed record InstanceQuery
{
    public string? Offering { get; init; }

    public string? Status { get; init; }

    public string? NamePrefix { get; init; }

    public string? After { get; init; }

    public int Limit { get; init; } = 100;
}
