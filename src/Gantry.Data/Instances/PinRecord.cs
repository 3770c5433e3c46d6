namespace Gantry.Data.Instances;

/// <summary>An instance held at a chart version: rollouts skip it and single changes cannot move it out of <see cref="Version"/>.</summary>
public sealed record PinRecord
{
    public required string Tenant { get; init; }

    public required string Name { get; init; }

    /// <summary>A version constraint (usually one exact version) the instance's chart version stays within.</summary>
    public required string Version { get; init; }

    public required string Reason { get; init; }

    /// <summary>When the pin lifts by itself; null while it is cleared by hand only.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The name of the principal who set it.</summary>
    public required string PinnedBy { get; init; }

    public required DateTimeOffset PinnedAt { get; init; }

    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expires && expires <= now;
}
