namespace Gantry.Core.Status;

/// <summary>
/// What an engine said, read from its payload and nothing else yet trusted: which object it is about, the facts Gantry
/// stamped on that object, and the phase it means. The server decides whether the sender may report on that object.
/// </summary>
public sealed record EngineReport
{
    /// <summary>The reported object's kind: <c>HelmRelease</c>, <c>Kustomization</c> or <c>Application</c>.</summary>
    public required string Kind { get; init; }

    public required string Namespace { get; init; }

    public required string Name { get; init; }

    /// <summary>The tenant and instance Gantry stamped on the object, when the payload carries them.</summary>
    public string? Tenant { get; init; }

    public string? Instance { get; init; }

    /// <summary>For an environment's service: the environment, the service and the version Gantry rendered for it.</summary>
    public string? Environment { get; init; }

    public string? Service { get; init; }

    public string? ServiceVersion { get; init; }

    /// <summary>The claim generation stamped on the object: which change the report is about.</summary>
    public long? Generation { get; init; }

    public required string Phase { get; init; }

    public string? Reason { get; init; }

    public string? Message { get; init; }

    /// <summary>What the engine runs: a chart version, or <c>branch@sha1:commit</c> for a Kustomization.</summary>
    public string? EngineRevision { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>A payload that is not what the engine sends: the message says what is wrong, for the 400 answer.</summary>
public sealed class EngineReportException(string message) : Exception(message);
