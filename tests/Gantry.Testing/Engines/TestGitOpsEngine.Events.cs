using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Gantry.Core.Catalog;

namespace Gantry.Testing.Engines;

// Reporting to Gantry: each mode's events for a change, posted with one HttpClient, every answer recorded.
public sealed partial class TestGitOpsEngine
{
    private const string HelmController = "helm-controller";

    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    private readonly ConcurrentQueue<EngineDelivery> _deliveries = new();
    private readonly ConcurrentDictionary<int, int> _answers = new();

    /// <summary>Every event posted to Gantry, with its answer, in the order the answers came.</summary>
    public IReadOnlyList<EngineDelivery> Deliveries => [.. _deliveries];

    /// <summary>How many events were posted (answered or not).</summary>
    public int EventsPosted => _deliveries.Count;

    /// <summary>How many of Gantry's answers had each status code; 0 counts posts that got no answer.</summary>
    public IReadOnlyDictionary<int, int> Answers => new Dictionary<int, int>(_answers);

    private async Task ReportAsync(Change change, CancellationToken cancellationToken)
    {
        var (progress, outcome) = Engine == GitOpsEngine.Flux ? FluxEvents(change) : ArgoCdEvents(change);

        // In order: the progress event, then the outcome, as the controller would emit them.
        await PostAsync(change.Object, progress, cancellationToken);
        await PostAsync(change.Object, outcome, cancellationToken);
    }

    // Flux: helm-controller emits the events (api/v2 reason.go reasons; messages as internal/reconcile writes them) and
    // notification-controller forwards them through the generic-hmac Provider (internal/notifier/forwarder.go).
    private (Outgoing Progress, Outgoing Outcome) FluxEvents(Change change)
    {
        var o = change.Object;
        var metadata = new Dictionary<string, string>(o.EventMetadata, StringComparer.Ordinal);
        if (o.ChartVersion is { } version)
        {
            metadata["revision"] = version;
        }

        var action = change.First ? "install" : "upgrade";
        var release = $"{o.ReleaseNamespace}/{o.ReleaseName}.v{change.HelmRevision.ToString(CultureInfo.InvariantCulture)}";
        var chart = $"{o.ChartName}@{o.ChartVersion}";
        (string Severity, string Reason, string Message) outcome = change.Outcome.Kind switch
        {
            EngineOutcomeKind.Failed => ("error", change.First ? "InstallFailed" : "UpgradeFailed",
                $"Helm {action} failed for release {release} with chart {chart}: {change.Outcome.Message}"),
            EngineOutcomeKind.Degraded => ("error", "HealthCheckFailed", change.Outcome.Message ?? "health check failed"),
            _ => ("info", change.First ? "InstallSucceeded" : "UpgradeSucceeded",
                $"Helm {action} succeeded for release {release} with chart {chart}"),
        };

        return (
            Flux("info", "Progressing", $"Running '{action}' action with timeout of 5m0s"),
            Flux(outcome.Severity, outcome.Reason, outcome.Message));

        Outgoing Flux(string severity, string reason, string message)
        {
            var body = FluxEventBody(new FluxEvent
            {
                InvolvedObject = new FluxObjectReference
                {
                    Kind = "HelmRelease",
                    Namespace = o.Namespace,
                    Name = o.Name,
                    Uid = change.Uid,
                    ApiVersion = o.ApiVersion,
                    ResourceVersion = Interlocked.Increment(ref _resourceVersion).ToString(CultureInfo.InvariantCulture),
                },
                Severity = severity,
                Timestamp = _options.TimeProvider.GetUtcNow(),
                Message = message,
                Reason = reason,
                Metadata = metadata,
                ReportingController = HelmController,
            });
            return new Outgoing(reason, body, request =>
            {
                request.Headers.TryAddWithoutValidation("gotk-component", HelmController);
                request.Headers.TryAddWithoutValidation("X-Signature", Sign(_options.Secret, body));
            });
        }
    }

    // Argo CD: the notifications controller runs Gantry's template for the trigger that fired (catalog triggers
    // on-deployed, on-sync-failed, on-health-degraded) and posts it with the webhook service's configured headers.
    private (Outgoing Progress, Outgoing Outcome) ArgoCdEvents(Change change)
    {
        (string Trigger, string Phase, string Health, string Message) outcome = change.Outcome.Kind switch
        {
            EngineOutcomeKind.Failed => ("on-sync-failed", "Failed", "Progressing", change.Outcome.Message ?? "one or more objects failed to apply"),
            EngineOutcomeKind.Degraded => ("on-health-degraded", "Succeeded", "Degraded", change.Outcome.Message ?? "application is degraded"),
            _ => ("on-deployed", "Succeeded", "Healthy", "successfully synced (all tasks run)"),
        };
        return (
            Argo("on-sync-running", "Running", "Progressing", "waiting for completion of sync"),
            Argo(outcome.Trigger, outcome.Phase, outcome.Health, outcome.Message));

        Outgoing Argo(string trigger, string phase, string health, string message)
        {
            var o = change.Object;
            var body = ArgoCdEventBody(new ArgoCdEvent
            {
                Application = o.Name,
                Namespace = o.Namespace,
                Tenant = o.Tenant,
                Instance = o.Instance,
                Generation = o.Generation,
                Trigger = trigger,
                OperationPhase = phase,
                HealthStatus = health,
                SyncRevision = o.ChartVersion,
                Message = message,
                Timestamp = _options.TimeProvider.GetUtcNow(),
            });
            return new Outgoing(trigger, body, request =>
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Secret));
        }
    }

    private async Task PostAsync(DesiredObject about, Outgoing outgoing, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.GantryWebhookUrl)
        {
            Content = new ByteArrayContent(outgoing.Body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        outgoing.Headers(request);
        var postedAt = _options.TimeProvider.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        int? status = null;
        string? error = null;
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            status = (int)response.StatusCode;
        }
        catch (HttpRequestException e)
        {
            error = e.Message;
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            error = "no answer within the timeout: " + e.Message;
        }

        _answers.AddOrUpdate(status ?? 0, 1, (_, count) => count + 1);
        _deliveries.Enqueue(new EngineDelivery(
            postedAt, about.Tenant, about.Instance, about.Generation ?? string.Empty, outgoing.Event, status, error,
            Stopwatch.GetElapsedTime(started)));
    }

    private sealed record Outgoing(string Event, byte[] Body, Action<HttpRequestMessage> Headers);
}
