using System.Text.Json;

namespace Gantry.Core.Status;

/// <summary>Argo CD notifications: the triggers Gantry follows and the body its webhook template sends.</summary>
public static partial class ClusterSetupRenderer
{
    /// <summary>
    /// The upstream catalog triggers Gantry follows (argo-cd notifications_catalog/triggers/*.yaml, copied as they are).
    /// Gantry installs them under its own names (<see cref="TriggerName"/>) so a team's catalog triggers keep theirs.
    /// </summary>
    internal static readonly IReadOnlyList<CatalogTrigger> ArgoCdTriggers =
    [
        new("on-sync-succeeded",
            "app.status.operationState != nil and app.status.operationState.phase in ['Succeeded']",
            "Application syncing has succeeded",
            "app.status.operationState?.syncResult?.revision"),
        new("on-sync-failed",
            "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
            "Application syncing has failed",
            "app.status.operationState?.syncResult?.revision"),
        new("on-health-degraded",
            "app.status.health.status == 'Degraded'",
            "Application has degraded",
            "app.status.operationState?.syncResult?.revision"),
        new("on-deployed",
            "app.status.operationState != nil and app.status.operationState.phase in ['Succeeded'] and app.status.health.status == 'Healthy' and (!time.Parse(app.status.health.lastTransitionTime).Add(1 * time.Minute).Before(time.Parse(app.status.operationState.finishedAt)) or time.Parse(app.status.health.lastTransitionTime).Before(time.Parse(app.status.operationState.startedAt)))",
            "Application is synced and healthy. Triggered once per commit.",
            "app.status.operationState?.syncResult?.revision"),
    ];

    internal static string TriggerName(string upstream) => $"{Name}-{upstream}";

    /// <summary>
    /// The body of the webhook template for one trigger: the JSON object <see cref="ArgoCdEventReader"/> reads. The
    /// template is Go text/template with sprig's functions (notifications-engine pkg/templates/service.go
    /// sprig.TxtFuncMap; pkg/services/webhook.go texttemplate): every value goes through sprig's <c>toJson</c>, so a
    /// message with quotes or newlines stays valid JSON and a missing field (no operation yet) is <c>null</c>, not
    /// Go's "&lt;no value&gt;". The <c>trigger</c> field carries the upstream name, which the reader's PhaseOf matches.
    /// </summary>
    internal static string ArgoCdBody(string upstreamTrigger)
    {
        (string Field, string Value)[] fields =
        [
            ("application", "{{ toJson .app.metadata.name }}"),
            ("namespace", "{{ toJson .app.metadata.namespace }}"),
            ("tenant", AnnotationAction(StatusAnnotations.TenantAnnotation)),
            ("instance", AnnotationAction(StatusAnnotations.InstanceAnnotation)),
            ("generation", AnnotationAction(StatusAnnotations.GenerationAnnotation)),
            ("trigger", JsonSerializer.Serialize(upstreamTrigger)),
            ("operationPhase", "{{ toJson .app.status.operationState.phase }}"),
            ("healthStatus", "{{ toJson .app.status.health.status }}"),
            ("syncRevision", "{{ toJson .app.status.sync.revision }}"),
            ("message", "{{ toJson .app.status.operationState.message }}"),
            // The time the notification is sent, not operationState.finishedAt: a health trigger fires long after (or
            // without) an operation, and a report must not look older than the state it reports. Argo CD's template
            // function time.Now (docs/operator-manual/notifications/functions.md; util/notification/expression/time),
            // in UTC with Go's RFC 3339 layout.
            ("timestamp", "{{ (call .time.Now).UTC.Format \"2006-01-02T15:04:05Z07:00\" | toJson }}"),
        ];
        return "{" + string.Join(',', fields.Select(f => $"\"{f.Field}\":{f.Value}")) + "}";
    }

    /// <summary>
    /// The upstream <c>oncePer</c> is the sync revision, which for Gantry's Helm Applications is the chart version: a
    /// change of values alone keeps it, and the upstream trigger would stay silent about it. The claim generation
    /// Gantry stamps on the Application changes with every change, so it is sent once per (generation, revision).
    /// </summary>
    internal static string OncePer(string upstream) => $"[app.metadata.annotations['{StatusAnnotations.GenerationAnnotation}'], {upstream}]";

    private static string AnnotationAction(string annotation) => $"{{{{ index .app.metadata.annotations \"{annotation}\" | toJson }}}}";

    internal sealed record CatalogTrigger(string Upstream, string When, string Description, string OncePer);
}
