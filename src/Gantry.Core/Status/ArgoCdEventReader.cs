using System.Text.Json;
using static Gantry.Core.Status.EngineEventJson;

namespace Gantry.Core.Status;

/// <summary>
/// Reads the body of Gantry's Argo CD notification template (a JSON object, fields as read below): the
/// Application's name, Gantry's annotations on it, its operation phase, health and sync status. Argo CD's own values
/// (gitops-engine sync/common OperationPhase, health HealthStatusCode) map to phases: a failed or errored operation is
/// Failed, degraded health Degraded, a succeeded operation with healthy resources Ready, anything else Reconciling.
/// </summary>
public static class ArgoCdEventReader
{
    public static EngineReport Read(ReadOnlyMemory<byte> body)
    {
        using var document = Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new EngineReportException("the body must be the JSON object Gantry's Argo CD notification template sends");
        }

        var trigger = Optional(root, "trigger");
        var operation = Optional(root, "operationPhase") ?? string.Empty;
        var health = Optional(root, "healthStatus") ?? string.Empty;
        var phase = PhaseOf(trigger, operation, health);
        return new EngineReport
        {
            Kind = "Application",
            Namespace = Required(root, "namespace", "namespace"),
            Name = Required(root, "application", "application"),
            Tenant = NonEmpty(Optional(root, "tenant")),
            Instance = NonEmpty(Optional(root, "instance")),
            Generation = Generation(NonEmpty(Optional(root, "generation"))),
            Phase = phase,
            Reason = string.Join('/', new[] { trigger, operation, health }.Where(p => !string.IsNullOrEmpty(p))),
            Message = NonEmpty(Optional(root, "message")),
            EngineRevision = NonEmpty(Optional(root, "syncRevision")),
            OccurredAt = Timestamp(Required(root, "timestamp", "timestamp")),
        };
    }

    public static string PhaseOf(string? trigger, string operationPhase, string healthStatus) =>
        (trigger, operationPhase, healthStatus) switch
        {
            (_, "Failed" or "Error", _) or ("on-sync-failed", _, _) => DeploymentPhase.Failed,
            (_, _, "Degraded") or ("on-health-degraded", _, _) => DeploymentPhase.Degraded,
            ("on-deployed", _, _) or (_, "Succeeded", "Healthy") => DeploymentPhase.Ready,
            _ => DeploymentPhase.Reconciling,
        };

    private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
