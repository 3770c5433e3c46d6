using System.Text.Json.Nodes;

namespace Gantry.Client;

/// <summary>How far a rollout would go: its waves, each instance that changes, those skipped, those it would make invalid.</summary>
public sealed record RolloutPreview(
    string Offering,
    int Changing,
    IReadOnlyList<RolloutPreviewWave> Waves,
    IReadOnlyList<RolloutPreviewChange> Changes,
    IReadOnlyList<RolloutSkipped> Skipped,
    IReadOnlyDictionary<string, string[]> Invalid,
    RolloutSample? Sample,
    IReadOnlyList<RolloutSkipped>? LiftedPins = null);

public sealed record RolloutPreviewWave(int Index, string Label, int Count);

public sealed record RolloutPreviewChange(string Tenant, string Name, int Wave, string FromVersion, string ToVersion, bool ValuesChanged);

public sealed record RolloutSkipped(string Tenant, string Name, string Reason);

public sealed record RolloutSample(
    string Tenant, string Name, string FromVersion, string ToVersion, JsonObject FromValues, JsonObject ToValues, IReadOnlyList<RolloutFileDiff>? Files = null);

/// <summary>A unified diff of one rendered file of the sample.</summary>
public sealed record RolloutFileDiff(string Path, string Patch);

public sealed record RolloutActor(string Id, string Name, string Kind, string? Email);

public sealed record RolloutWave(int Index, string Label, int Count, string State, string? Revision, DateTimeOffset? CommittedAt, DateTimeOffset? Deadline);

public sealed record RolloutInstance(
    string Tenant, string Name, int Wave, string State, string? Reason, string FromVersion, string ToVersion, string? Revision, string? Phase, bool RolledBack);

/// <summary>A rollout with the state of each wave and instance.</summary>
public sealed record Rollout(
    string Id,
    string Offering,
    string? Tenant,
    IReadOnlyList<string> Tenants,
    string State,
    string? Reason,
    RolloutActor StartedBy,
    string GatePhase,
    IReadOnlyList<RolloutWave> Waves,
    IReadOnlyList<RolloutInstance> Instances,
    RolloutWave? Rollback,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record RolloutSummary(
    string Id, string Offering, string? Tenant, string State, string? Reason, string StartedBy, int Waves, int Changed, int Ready, int Failed, int Skipped,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record RolloutPage(IReadOnlyList<RolloutSummary> Items);

/// <summary>What <c>PUT …/instances/{name}/pin</c> takes; the version defaults to the one the instance runs.</summary>
public sealed record PinRequest(string Reason, string? Version = null, DateTimeOffset? Until = null);

public sealed record Pin(string Tenant, string Instance, string Version, string Reason, DateTimeOffset? Until, string PinnedBy, DateTimeOffset PinnedAt);
