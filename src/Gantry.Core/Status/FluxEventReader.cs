using System.Text.Json;
using static Gantry.Core.Status.EngineEventJson;

namespace Gantry.Core.Status;

/// <summary>
/// Reads a Flux notification-controller event (the <c>generic</c>/<c>generic-hmac</c> provider body: fluxcd/pkg
/// apis/event/v1beta1 Event) and says what it means for the object it names. Helm-controller and kustomize-controller
/// reasons (fluxcd/helm-controller api/v2 reason.go, fluxcd/pkg apis/meta) map to phases: a success is Ready, a
/// rollback or failing health check is Degraded, any other error is Failed, everything else is Reconciling.
/// </summary>
public static class FluxEventReader
{
    private static readonly HashSet<string> ReadyReasons = new(StringComparer.Ordinal)
    {
        "InstallSucceeded", "UpgradeSucceeded", "TestSucceeded", "ReconciliationSucceeded",
    };

    private static readonly HashSet<string> DegradedReasons = new(StringComparer.Ordinal)
    {
        "HealthCheckFailed", "RollbackSucceeded", "RemediationFailed",
    };

    private static readonly HashSet<string> Kinds = new(StringComparer.Ordinal) { "HelmRelease", "Kustomization" };

    public static EngineReport Read(ReadOnlyMemory<byte> body)
    {
        using var document = Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new EngineReportException("the body must be a Flux event: a JSON object with involvedObject, severity, reason and timestamp");
        }

        var involved = root.TryGetProperty("involvedObject", out var o) && o.ValueKind == JsonValueKind.Object
            ? o : throw new EngineReportException("involvedObject is missing: it names the object the event is about");
        var kind = Required(involved, "kind", "involvedObject.kind");
        if (!Kinds.Contains(kind))
        {
            throw new EngineReportException($"involvedObject.kind '{kind}' is not reported on: Gantry follows HelmRelease and Kustomization objects");
        }

        var severity = Required(root, "severity", "severity");
        var reason = Required(root, "reason", "reason");
        var metadata = root.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        return new EngineReport
        {
            Kind = kind,
            Namespace = Required(involved, "namespace", "involvedObject.namespace"),
            Name = Required(involved, "name", "involvedObject.name"),
            Tenant = Metadata(metadata, StatusAnnotations.TenantKey),
            Instance = Metadata(metadata, StatusAnnotations.InstanceKey),
            Environment = Metadata(metadata, StatusAnnotations.EnvironmentKey),
            Service = Metadata(metadata, StatusAnnotations.ServiceKey),
            ServiceVersion = Metadata(metadata, StatusAnnotations.VersionKey),
            Generation = Generation(Metadata(metadata, StatusAnnotations.GenerationKey)),
            Phase = PhaseOf(severity, reason),
            Reason = reason,
            Message = Optional(root, "message"),
            EngineRevision = Metadata(metadata, "revision") ?? Revision(metadata),
            OccurredAt = Timestamp(Required(root, "timestamp", "timestamp")),
        };
    }

    /// <summary>The phase an event with this severity and reason means.</summary>
    public static string PhaseOf(string severity, string reason) => severity switch
    {
        "error" when DegradedReasons.Contains(reason) => DeploymentPhase.Degraded,
        "error" => DeploymentPhase.Failed,
        "info" when ReadyReasons.Contains(reason) => DeploymentPhase.Ready,
        "info" when DegradedReasons.Contains(reason) => DeploymentPhase.Degraded,
        "info" or "trace" => DeploymentPhase.Reconciling,
        _ => throw new EngineReportException($"severity '{severity}' is not one Flux sends (trace, info, error)"),
    };

    private static string? Metadata(JsonElement metadata, string key) => Optional(metadata, key);

    // Flux before 2.5 forwarded the controller-prefixed key (kustomize.toolkit.fluxcd.io/revision, docs example).
    private static string? Revision(JsonElement metadata)
    {
        if (metadata.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in metadata.EnumerateObject())
        {
            if (property.Name.EndsWith(".fluxcd.io/revision", StringComparison.Ordinal) && property.Value.ValueKind == JsonValueKind.String)
            {
                return property.Value.GetString();
            }
        }

        return null;
    }
}
