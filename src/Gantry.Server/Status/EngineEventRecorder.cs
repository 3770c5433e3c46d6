using System.Security.Cryptography;
using System.Text;
using Gantry.Core.Status;
using Gantry.Core.Validation;
using Gantry.Data.Clusters;
using Gantry.Data.Instances;
using Gantry.Data.Status;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Status;

/// <summary>What became of one engine event: the status code to answer and, for a refusal, why.</summary>
public sealed record EngineEventOutcome(int StatusCode, string Title, string? Detail, EngineEventAccepted? Accepted = null)
{
    public static EngineEventOutcome Refused(int status, string title, string detail) => new(status, title, detail);
}

/// <summary>
/// Takes one event from a cluster's engine: checks that it comes from that cluster (the Flux HMAC over the raw bytes,
/// or Argo CD's bearer) before reading it, reads it, and records it on the instance it names, but only when that
/// instance's tenant is bound to the cluster and the object is the one Gantry rendered for it. A cluster can never
/// move another tenant's status, whatever its payload says.
/// </summary>
public sealed partial class EngineEventRecorder(
    ClusterRepository clusters,
    ClusterCache cache,
    ClusterSecrets secrets,
    InstanceRepository instances,
    StatusEventRepository events,
    StatusFeed feed,
    StatusMetrics metrics,
    IOptions<StatusOptions> options,
    TimeProvider time,
    ILogger<EngineEventRecorder> logger)
{
    // A cluster's last report time is written at most this often: one small write instead of one per event.
    private static readonly TimeSpan TouchInterval = TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, DateTimeOffset> _touched = new(StringComparer.Ordinal);

    public async Task<EngineEventOutcome> RecordAsync(
        string engine, string clusterName, ReadOnlyMemory<byte> body, string? signature, string? authorization, CancellationToken cancellationToken)
    {
        var cluster = await cache.FindAsync(clusterName, cancellationToken);
        if (cluster is null || !Authentic(cluster, engine, body.Span, signature, authorization))
        {
            metrics.Event(engine, "unauthenticated");
            return EngineEventOutcome.Refused(StatusCodes.Status401Unauthorized, "Not signed by the cluster.", engine == ClusterEngines.Flux
                ? $"There is no cluster '{clusterName}', or X-Signature is not 'sha256=' and the HMAC-SHA256 of the body with its webhook secret."
                : $"There is no cluster '{clusterName}', or the Authorization header is not 'Bearer' and its webhook secret.");
        }

        if (cluster.Engine != engine)
        {
            metrics.Event(engine, "invalid");
            return EngineEventOutcome.Refused(StatusCodes.Status400BadRequest, "Wrong engine.",
                $"Cluster '{cluster.Name}' runs {cluster.Engine}; its engine sends to /api/v1/webhooks/{cluster.Engine}/{cluster.Name}.");
        }

        EngineReport report;
        try
        {
            JsonInput.Check(body.Span);
            report = engine == ClusterEngines.Flux ? FluxEventReader.Read(body) : ArgoCdEventReader.Read(body);
        }
        catch (Exception e) when (e is EngineReportException or JsonInputException)
        {
            metrics.Event(engine, "invalid");
            return EngineEventOutcome.Refused(StatusCodes.Status400BadRequest, "Not an event Gantry reads.", e.Message);
        }

        var now = time.GetUtcNow();
        if (report.OccurredAt < now - options.Value.MaxEventAge || report.OccurredAt > now + options.Value.MaxClockSkew)
        {
            metrics.Event(engine, "stale");
            return EngineEventOutcome.Refused(StatusCodes.Status400BadRequest, "Stale event.",
                $"The event's timestamp {report.OccurredAt:O} is not within {options.Value.MaxEventAge.TotalMinutes:0} minutes of Gantry's clock ({now:O}); old events are refused as replays.");
        }

        await TouchAsync(cluster.Name, now, cancellationToken);
        if (report is { Environment: not null, Service: not null, Tenant: not null })
        {
            return await RecordOnEnvironmentAsync(engine, cluster, report, now, cancellationToken);
        }

        if (Target(report) is not var (tenant, instance))
        {
            metrics.Event(engine, "ignored");
            return Ignored(report, "Gantry follows the HelmReleases and Applications it renders for instances; this object is not one of them.");
        }

        if (!cluster.Tenants.Contains(tenant, StringComparer.Ordinal) || !IsRenderedObject(report, tenant, instance))
        {
            metrics.Event(engine, "refused");
            Log.Refused(logger, cluster.Name, report.Kind, report.Namespace, report.Name, tenant);
            return EngineEventOutcome.Refused(StatusCodes.Status403Forbidden, "Not this cluster's to report.",
                $"Cluster '{cluster.Name}' may report only on instances of the tenants bound to it, through the objects Gantry rendered for them.");
        }

        // Without Gantry's generation (Flux before 2.5 forwards no annotations) the instance's row says which change it is.
        var generation = report.Generation ?? GenerationOf(report, await instances.FindAsync(tenant, instance, cancellationToken));
        var result = await events.ReportOnInstanceAsync(
            Event(engine, cluster, report, tenant, StatusTargetKinds.Instance, instance, now) with { Generation = generation }, cancellationToken);
        switch (result.Outcome)
        {
            case ReportOutcome.NoInstance:
                metrics.Event(engine, "ignored");
                return Ignored(report, $"Tenant '{tenant}' has no instance '{instance}' (it may have been deleted).");
            case ReportOutcome.Stale:
                metrics.Event(engine, "stale");
                return EngineEventOutcome.Refused(StatusCodes.Status409Conflict, "Older than the status.",
                    $"The event's timestamp {report.OccurredAt:O} is older than the last event applied to the instance ({result.StatusObservedAt:O}).");
        }

        var stored = result.Stored!;
        feed.Signal();
        metrics.Event(engine, stored.Applied ? "applied" : "kept");
        return new EngineEventOutcome(StatusCodes.Status202Accepted, "Accepted.", null, new EngineEventAccepted(
            stored.Id, stored.Applied, tenant, instance, stored.Phase,
            stored.Applied ? null : "Recorded in the timeline; the instance has a newer change, so its status did not move."));
    }

    /// <summary>
    /// An event about one service of an environment: the environment's pool must be bound to the cluster and the object
    /// must be the service's own (its HelmRelease or Kustomization, named after it in the environment's namespace).
    /// </summary>
    private async Task<EngineEventOutcome> RecordOnEnvironmentAsync(
        string engine, ClusterRecord cluster, EngineReport report, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (pool, environment, service) = (report.Tenant!, report.Environment!, report.Service!);
        if (!cluster.Tenants.Contains(pool, StringComparer.Ordinal) || report.Namespace != environment || report.Name != service)
        {
            metrics.Event(engine, "refused");
            Log.Refused(logger, cluster.Name, report.Kind, report.Namespace, report.Name, pool);
            return EngineEventOutcome.Refused(StatusCodes.Status403Forbidden, "Not this cluster's to report.",
                $"Cluster '{cluster.Name}' may report only on environments of the pools bound to it, through the objects Gantry rendered for their services.");
        }

        var result = await events.ReportOnEnvironmentAsync(
            Event(engine, cluster, report, pool, StatusTargetKinds.Environment, environment, now) with
            {
                Component = service,
                Revision = Truncate(report.ServiceVersion, 256),
            }, cancellationToken);
        if (result.Stored is not { } stored)
        {
            metrics.Event(engine, "ignored");
            return Ignored(report, $"Pool '{pool}' has no environment '{environment}' with a service '{service}' (it may have been deleted or changed).");
        }

        feed.Signal();
        metrics.Event(engine, "applied");
        return new EngineEventOutcome(StatusCodes.Status202Accepted, "Accepted.", null,
            new EngineEventAccepted(stored.Id, Applied: true, pool, Instance: null, stored.Phase, Note: null) { Environment = environment, Service = service });
    }

    private bool Authentic(ClusterRecord cluster, string engine, ReadOnlySpan<byte> body, string? signature, string? authorization)
    {
        var secret = secrets.Derive(cluster.Name, cluster.SecretNonce);
        if (engine == ClusterEngines.Flux)
        {
            // Flux generic-hmac: X-Signature: sha256=<hex HMAC-SHA256(token, body)> (notification-controller
            // internal/notifier/forwarder.go); sha512 is accepted too, as Flux's own receivers do (SHA-1 is not).
            if (signature?.Split('=', 2) is not [var algorithm, var hex])
            {
                return false;
            }

            var key = Encoding.UTF8.GetBytes(secret);
            byte[] mac = algorithm switch
            {
                "sha256" => HMACSHA256.HashData(key, body),
                "sha512" => HMACSHA512.HashData(key, body),
                _ => [],
            };
            return mac.Length > 0 && hex.Length == mac.Length * 2
                && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(mac)), Encoding.ASCII.GetBytes(hex.ToLowerInvariant()));
        }

        const string bearer = "Bearer ";
        return authorization is not null && authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization[bearer.Length..].Trim()), Encoding.UTF8.GetBytes(secret));
    }

    /// <summary>The tenant and instance an event names: Gantry's annotations, or a Flux HelmRelease's own place.</summary>
    private static (string Tenant, string Instance)? Target(EngineReport report) => report switch
    {
        { Tenant: { } tenant, Instance: { } instance } when report.Kind is "HelmRelease" or "Application" => (tenant, instance),
        { Kind: "HelmRelease" } => (report.Namespace, report.Name),
        _ => null,
    };

    // The object must be the one Gantry renders for that instance, so one tenant's annotations on another object
    // cannot pass for its status (docs/gitops-layout.md: HelmRelease <instance> in namespace <tenant>; Application
    // <tenant>-<instance> in argocd).
    private static bool IsRenderedObject(EngineReport report, string tenant, string instance) => report.Kind switch
    {
        "HelmRelease" => report.Namespace == tenant && report.Name == instance,
        "Application" => report.Namespace == ArgoCdNamespace && report.Name == $"{tenant}-{instance}",
        _ => false,
    };

    private const string ArgoCdNamespace = "argocd";

    // Without Gantry's generation (Flux before 2.5 does not forward annotations) a report counts for the current
    // change only when the engine runs the chart version that change resolved.
    private static long GenerationOf(EngineReport report, InstanceRecord? record) =>
        record is not null && report.EngineRevision == record.ChartVersion ? record.Generation : 0;

    private static EngineEventOutcome Ignored(EngineReport report, string note) =>
        new(StatusCodes.Status202Accepted, "Accepted.", null, new EngineEventAccepted(null, false, null, null, report.Phase, note));

    private async Task TouchAsync(string cluster, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_touched)
        {
            if (_touched.TryGetValue(cluster, out var last) && now - last < TouchInterval)
            {
                return;
            }

            _touched[cluster] = now;
        }

        await clusters.TouchAsync(cluster, now, cancellationToken);
    }

    /// <summary>The timeline entry a report makes, its free texts cut to what the timeline keeps.</summary>
    private static StatusEventRecord Event(
        string engine, ClusterRecord cluster, EngineReport report, string tenant, string targetKind, string target, DateTimeOffset now) => new()
    {
        Tenant = tenant,
        TargetKind = targetKind,
        Target = target,
        Source = engine,
        Cluster = cluster.Name,
        Phase = report.Phase,
        Reason = Truncate(report.Reason, 256),
        Message = Truncate(report.Message, 4096),
        EngineRevision = Truncate(report.EngineRevision, 256),
        OccurredAt = report.OccurredAt,
        ReceivedAt = now,
    };

    private static string? Truncate(string? text, int length) => text is null || text.Length <= length ? text : text[..length];

    private static partial class Log
    {
        [LoggerMessage(EventId = 7001, Level = LogLevel.Warning,
            Message = "Refused an event from cluster {Cluster} about {Kind} {Namespace}/{Name}: tenant {Tenant} is not bound to it, or that object is not Gantry's for the instance")]
        public static partial void Refused(ILogger logger, string cluster, string kind, string @namespace, string name, string tenant);
    }
}
