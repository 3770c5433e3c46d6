namespace Gantry.Data.ChangeRequests;

/// <summary>Where a change request is in its life: open, then rejected, or approved and then applied or failed.</summary>
public static class ChangeRequestStatuses
{
    /// <summary>Waiting for a decision.</summary>
    public const string Open = "open";

    /// <summary>Approved; being applied (a request left here was interrupted while applying).</summary>
    public const string Approved = "approved";

    public const string Rejected = "rejected";

    /// <summary>Approved and applied; <see cref="ChangeRequestRecord.ResultRevision"/> says where.</summary>
    public const string Applied = "applied";

    /// <summary>Approved, but applying it failed; <see cref="ChangeRequestRecord.Problem"/> says why.</summary>
    public const string Failed = "failed";

    public static IReadOnlyList<string> All { get; } = [Open, Approved, Rejected, Applied, Failed];
}

/// <summary>What a change request proposes to do to its target.</summary>
public static class ChangeRequestOperations
{
    public const string Create = "create";
    public const string Update = "update";
    public const string Delete = "delete";

    public static IReadOnlyList<string> All { get; } = [Create, Update, Delete];
}

/// <summary>One change request: a proposed change of kind <see cref="Kind"/> to <see cref="Target"/> in a pool (tenant).</summary>
public sealed record ChangeRequestRecord
{
    /// <summary>Opaque and time-ordered (a UUIDv7 in hex): newer requests sort after older ones.</summary>
    public required string Id { get; init; }

    /// <summary>Which handler validates and applies it, e.g. "environment".</summary>
    public required string Kind { get; init; }

    /// <summary>The pool (tenant) the target belongs to; its administrators decide.</summary>
    public required string Pool { get; init; }

    /// <summary>The name of the thing changed (an environment's name, ...).</summary>
    public required string Target { get; init; }

    /// <summary>One of <see cref="ChangeRequestOperations"/>.</summary>
    public required string Operation { get; init; }

    /// <summary>The proposed claim as JSON text (null for a delete); never holds a secret.</summary>
    public string? Payload { get; init; }

    /// <summary>One line for lists and notifications.</summary>
    public required string Summary { get; init; }

    public required string RequestedBy { get; init; }

    public required string RequestedByName { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    /// <summary>One of <see cref="ChangeRequestStatuses"/>.</summary>
    public required string Status { get; init; }

    public string? DecidedBy { get; init; }

    public string? DecidedByName { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    public string? DecisionComment { get; init; }

    /// <summary>The revision the applied change produced (a Git commit), when it did.</summary>
    public string? ResultRevision { get; init; }

    /// <summary>Why applying failed.</summary>
    public string? Problem { get; init; }

    /// <summary>Counts the row's updates; an update names the version it read and fails when another came first.</summary>
    public int Version { get; init; } = 1;
}

/// <summary>Filters and a page of the change request list, newest first. <see cref="Before"/> is the last id of the previous page.</summary>
public sealed record ChangeRequestQuery
{
    /// <summary>The pools the caller may see; null for all (platform administrators).</summary>
    public IReadOnlyList<string>? VisiblePools { get; init; }

    public string? Pool { get; init; }

    public string? Status { get; init; }

    public string? Kind { get; init; }

    public string? Target { get; init; }

    public string? Before { get; init; }

    public int Limit { get; init; } = 100;
}
