using System.Text.Json.Serialization;

namespace Gantry.Server.Rollouts;

/// <summary>Where a rollout stands.</summary>
public static class RolloutStates
{
    public const string Running = "Running";
    public const string Paused = "Paused";
    public const string Completed = "Completed";
    public const string Aborted = "Aborted";
    public const string RollingBack = "RollingBack";
    public const string RolledBack = "RolledBack";

    /// <summary>States the runner advances.</summary>
    public static bool IsActive(string state) => state is Running or RollingBack;
}

/// <summary>Where a wave stands: waiting its turn, committed and waiting for its gate, through it, or stopped at it.</summary>
public static class WaveStates
{
    public const string Pending = "Pending";
    public const string Gated = "Gated";
    public const string Passed = "Passed";
    public const string Failed = "Failed";
    public const string Skipped = "Skipped";
}

/// <summary>Where one instance of a rollout stands.</summary>
public static class RolloutInstanceStates
{
    public const string Pending = "Pending";
    public const string Committed = "Committed";
    public const string Ready = "Ready";
    public const string Failed = "Failed";
    public const string Skipped = "Skipped";
}

/// <summary>
/// A rollout as stored (one JSON document per rollout) and answered: what was asked, by whom, the waves and every
/// instance's state. Only the runner (and the pause/resume/abort/rollback calls, under the same lock) change it.
/// </summary>
public sealed class Rollout
{
    public required string Id { get; init; }

    public required string Offering { get; init; }

    /// <summary>The tenant whose admin started it, when it stays within one tenant; null for a platform admin's rollout.</summary>
    public string? Tenant { get; init; }

    public required IReadOnlyList<string> Tenants { get; init; }

    public required string State { get; set; }

    /// <summary>Why it is paused or ended the way it did.</summary>
    public string? Reason { get; set; }

    public required RolloutActor StartedBy { get; init; }

    public required RolloutRequest Request { get; init; }

    public required string GatePhase { get; init; }

    public required TimeSpan GateTimeout { get; init; }

    public required int FailureThreshold { get; init; }

    public required List<RolloutWave> Waves { get; init; }

    public required List<RolloutInstance> Instances { get; init; }

    /// <summary>The revert of every instance the rollout changed, once asked for.</summary>
    public RolloutWave? Rollback { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The wave the runner works on: the first not yet through; null when all are.</summary>
    [JsonIgnore]
    public RolloutWave? CurrentWave => Waves.FirstOrDefault(w => w.State is WaveStates.Pending or WaveStates.Gated or WaveStates.Failed);
}

/// <summary>Who started a rollout: its commits are authored by them.</summary>
public sealed record RolloutActor(string Id, string Name, string Kind, string? Email);

public sealed class RolloutWave
{
    public required int Index { get; init; }

    /// <summary>How the wave was asked for: <c>tenants a, b</c>, <c>50%</c>, or <c>rollback</c>.</summary>
    public required string Label { get; init; }

    public required int Count { get; init; }

    public string State { get; set; } = WaveStates.Pending;

    /// <summary>The commit that made the wave's change (one per wave per repository).</summary>
    public string? Revision { get; set; }

    public DateTimeOffset? CommittedAt { get; set; }

    /// <summary>When the gate gives up waiting for the wave's instances.</summary>
    public DateTimeOffset? Deadline { get; set; }
}

public sealed class RolloutInstance
{
    public required string Tenant { get; init; }

    public required string Name { get; init; }

    /// <summary>The wave it belongs to; -1 for an instance the rollout skips.</summary>
    public required int Wave { get; init; }

    public required string State { get; set; }

    /// <summary>Why it was skipped or failed.</summary>
    public string? Reason { get; set; }

    public required string FromVersion { get; init; }

    public required string ToVersion { get; init; }

    /// <summary>The instance's revision before the rollout changed it: what a rollback restores.</summary>
    public string? FromRevision { get; set; }

    public string? Revision { get; set; }

    public long? Generation { get; set; }

    /// <summary>The deployment phase last read for it.</summary>
    public string? Phase { get; set; }

    /// <summary>Whether the rollback restored it.</summary>
    public bool RolledBack { get; set; }
}
