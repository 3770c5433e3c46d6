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

    /// <summary><c>committed</c> when Gantry wrote it; later what the GitOps engine reports.</summary>
    public required string Status { get; init; }

    public string? StatusMessage { get; init; }

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
