namespace Gantry.Testing.Engines;

/// <summary>How a deployment ends, in words both engines understand.</summary>
public enum EngineOutcomeKind
{
    Succeeded,
    Failed,
    Degraded,
}

/// <summary>
/// What the test engine reports after the progress event for an instance's change. Each mode maps it to its own words:
/// Flux <c>InstallSucceeded</c>/<c>UpgradeSucceeded</c>, <c>InstallFailed</c>/<c>UpgradeFailed</c>, <c>HealthCheckFailed</c>;
/// Argo CD <c>on-deployed</c>, <c>on-sync-failed</c>, <c>on-health-degraded</c>.
/// </summary>
public sealed record EngineOutcome
{
    private EngineOutcome(EngineOutcomeKind kind, string? message)
    {
        Kind = kind;
        Message = message;
    }

    public EngineOutcomeKind Kind { get; }

    /// <summary>The engine's message for a failure; null for a success (the engine then says what it did).</summary>
    public string? Message { get; }

    /// <summary>The release installed or upgraded and is healthy: the default for every instance.</summary>
    public static EngineOutcome Succeeded { get; } = new(EngineOutcomeKind.Succeeded, null);

    /// <summary>The install, upgrade or sync failed with <paramref name="message"/>.</summary>
    public static EngineOutcome Failed(string message) => new(EngineOutcomeKind.Failed, message);

    /// <summary>The change was applied but its workloads are not healthy.</summary>
    public static EngineOutcome Degraded(string message) => new(EngineOutcomeKind.Degraded, message);
}
