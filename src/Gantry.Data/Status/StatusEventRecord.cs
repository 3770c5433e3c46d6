namespace Gantry.Data.Status;

/// <summary>What a status event is about.</summary>
public static class StatusTargetKinds
{
    public const string Instance = "instance";
    public const string Environment = "environment";
}

/// <summary>Who said it: Gantry itself (a commit) or the engine of a cluster.</summary>
public static class StatusSources
{
    public const string Gantry = "gantry";
    public const string Flux = "flux";
    public const string ArgoCd = "argocd";
}

/// <summary>
/// One entry of an instance's timeline: a commit Gantry made, or a report an engine sent. <see cref="Applied"/> says
/// whether it moved the instance's status (a report on an older change is kept, but does not).
/// </summary>
public sealed record StatusEventRecord
{
    public long Id { get; init; }

    public required string Tenant { get; init; }

    public required string TargetKind { get; init; }

    public required string Target { get; init; }

    /// <summary>The part of the target the event is about: an environment's service; null for an instance.</summary>
    public string? Component { get; init; }

    public required string Source { get; init; }

    public string? Cluster { get; init; }

    public required string Phase { get; init; }

    public string? Reason { get; init; }

    public string? Message { get; init; }

    public long? Generation { get; init; }

    /// <summary>The Gantry (Git) revision of the change the event is about, when known.</summary>
    public string? Revision { get; init; }

    public string? EngineRevision { get; init; }

    public bool Applied { get; init; }

    /// <summary>When it happened, as its sender says.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
}

/// <summary>What became of an engine's report on an instance.</summary>
public enum ReportOutcome
{
    /// <summary>It moved the instance's status (and is in the timeline).</summary>
    Applied,

    /// <summary>It is in the timeline, but the instance has a later change, so its status did not move.</summary>
    Kept,

    /// <summary>Older than the status the instance has: refused, nothing stored.</summary>
    Stale,

    /// <summary>There is no such instance: nothing stored.</summary>
    NoInstance,
}

/// <param name="Outcome">Whether it was applied, kept, refused as stale, or had no instance.</param>
/// <param name="Stored">The stored event, with its id, when it was stored.</param>
/// <param name="StatusObservedAt">When the instance's status was last observed, before this report.</param>
public sealed record InstanceReportResult(ReportOutcome Outcome, StatusEventRecord? Stored, DateTimeOffset? StatusObservedAt);
