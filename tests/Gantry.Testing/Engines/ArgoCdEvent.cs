namespace Gantry.Testing.Engines;

/// <summary>The body Gantry's Argo CD notification template sends: the fields <c>ArgoCdEventReader</c> reads.</summary>
public sealed record ArgoCdEvent
{
    /// <summary>The Application's metadata.name.</summary>
    public required string Application { get; init; }

    /// <summary>The Application's metadata.namespace.</summary>
    public required string Namespace { get; init; }

    public string? Tenant { get; init; }

    public string? Instance { get; init; }

    /// <summary>The <c>gantry.dev/generation</c> annotation, as text (annotations are strings).</summary>
    public string? Generation { get; init; }

    /// <summary>The notification trigger: <c>on-sync-running</c>, <c>on-deployed</c>, <c>on-sync-failed</c>, <c>on-health-degraded</c>.</summary>
    public required string Trigger { get; init; }

    /// <summary>status.operationState.phase: Running, Succeeded, Failed, Error, Terminating.</summary>
    public string? OperationPhase { get; init; }

    /// <summary>status.health.status: Healthy, Progressing, Degraded, Suspended, Missing, Unknown.</summary>
    public string? HealthStatus { get; init; }

    /// <summary>spec.source.targetRevision: the chart version.</summary>
    public string? SyncRevision { get; init; }

    public string? Message { get; init; }

    public required DateTimeOffset Timestamp { get; init; }
}
