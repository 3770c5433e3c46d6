namespace Gantry.Core.Status;

/// <summary>
/// Where a change stands on its way to the cluster: <see cref="Committed"/> when Gantry wrote it, then what the GitOps
/// engine reports. A change is deployed only when the engine reports it (or a later one) <see cref="Ready"/>.
/// </summary>
public static class DeploymentPhase
{
    /// <summary>In Git (or the bucket); no engine has reported on it yet.</summary>
    public const string Committed = "Committed";

    /// <summary>The engine has picked the change up and is applying it.</summary>
    public const string Reconciling = "Reconciling";

    /// <summary>Applied and healthy.</summary>
    public const string Ready = "Ready";

    /// <summary>The engine could not apply it (install, upgrade or sync failed).</summary>
    public const string Failed = "Failed";

    /// <summary>Applied, but what runs is not healthy (health checks fail, or the engine rolled it back).</summary>
    public const string Degraded = "Degraded";

    public static IReadOnlyList<string> All { get; } = [Committed, Reconciling, Ready, Failed, Degraded];

    /// <summary>Whether the engine has said its last word on a change in this phase (a waiting request may answer).</summary>
    public static bool IsOutcome(string phase) => phase is Ready or Failed or Degraded;

    /// <summary>The phase spelled as Gantry spells it, whatever the case it was given in; null when it is not one.</summary>
    public static string? Parse(string? text) =>
        text is null ? null : All.FirstOrDefault(p => string.Equals(p, text, StringComparison.OrdinalIgnoreCase));
}
