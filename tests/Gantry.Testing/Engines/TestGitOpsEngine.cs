using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Gantry.Core.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Testing.Engines;

/// <summary>
/// Stands in for a Kubernetes cluster running Flux or Argo CD, only at its HTTP boundary: it takes Gantry's
/// notifications where the engine would (a Flux Receiver's <c>/hook/&lt;digest&gt;</c>, argocd-server's
/// <c>/api/webhook</c>), reads the desired state from the bare Git repository Gantry pushes to, and posts to Gantry the
/// events the engine's notifications would (a Flux generic-hmac Provider, Gantry's Argo CD notification template) for
/// each object whose generation changed. Nothing is deployed; outcomes are chosen per instance with
/// <see cref="SetOutcome"/>.
/// </summary>
public sealed partial class TestGitOpsEngine : IAsyncDisposable
{
    // Flux caps a Receiver body; Argo CD's default cap is 50 MB. A test notification is tiny either way.
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    private readonly TestGitOpsEngineOptions _options;
    private readonly GitBranchReader _git;
    private readonly string _fluxPath;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<EngineNotification> _notifications = new();
    private readonly Channel<EngineNotification> _arrivals = Channel.CreateUnbounded<EngineNotification>();
    private WebApplication? _app;
    private string? _notifyUrl;
    private Task? _polling;
    private int _disposed;

    public TestGitOpsEngine(TestGitOpsEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(options.Engine))
        {
            throw new ArgumentException($"engine {options.Engine} is neither Flux nor Argo CD", nameof(options));
        }

        if (!options.GantryWebhookUrl.IsAbsoluteUri || options.GantryWebhookUrl.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException("GantryWebhookUrl must be an absolute http(s) URL", nameof(options));
        }

        ArgumentException.ThrowIfNullOrEmpty(options.Secret);
        ArgumentException.ThrowIfNullOrEmpty(options.Repository);
        ArgumentException.ThrowIfNullOrEmpty(options.Branch);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PostConcurrency, 1);
        _options = options;
        _git = new GitBranchReader(options.Repository, options.Branch);
        _fluxPath = FluxReceiverPath(options.Secret);
    }

    public GitOpsEngine Engine => _options.Engine;

    /// <summary>The engine's base URL (<c>http://127.0.0.1:PORT</c>), what Gantry registers as the cluster's notify URL.</summary>
    public string NotifyUrl => _notifyUrl ?? throw new InvalidOperationException("the engine is not started");

    /// <summary>The full URL a notification goes to: the Flux Receiver's webhook path, or Argo CD's <c>/api/webhook</c>.</summary>
    public string ReceiverUrl => NotifyUrl + (Engine == GitOpsEngine.Flux ? _fluxPath : ArgoCdWebhookPath);

    /// <summary>Every request the engine received, in arrival order, with its answer.</summary>
    public IReadOnlyList<EngineNotification> Notifications => [.. _notifications];

    /// <summary>Starts Kestrel on a loopback port the OS picks (bound, so no other server can take it in between).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("the engine is already started");
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        _notifyUrl = new Uri(address).GetLeftPart(UriPartial.Authority);
        if (_options.PollInterval is { } interval)
        {
            _polling = PollAsync(interval, _stopping.Token);
        }
    }

    /// <summary>
    /// Waits for the next notification not yet returned by an earlier call (every request counts, refused ones too:
    /// look at <see cref="EngineNotification.StatusCode"/>). Throws <see cref="TimeoutException"/> when none comes.
    /// </summary>
    public async Task<EngineNotification> WaitForNotificationAsync(TimeSpan timeout)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        cancel.CancelAfter(timeout);
        try
        {
            return await _arrivals.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            throw new TimeoutException($"no notification reached the {Engine} engine within {timeout}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await Quietly(_polling);
        foreach (var task in BackgroundTasks())
        {
            await Quietly(task);
        }

        _http.Dispose();
        _reconcileGate.Dispose();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var receivedAt = _options.TimeProvider.GetUtcNow();
        var request = context.Request;
        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e)
        {
            Answer(context, receivedAt, e.StatusCode, null, triggered: false);
            return;
        }

        var (status, revision, triggered) = Engine == GitOpsEngine.Flux ? FluxReceive(request, body) : ArgoCdReceive(request, body);
        Answer(context, receivedAt, status, revision, triggered);
        if (triggered)
        {
            ScheduleReconcile();
        }
    }

    // notification-controller internal/server/receiver_handlers.go: the Receiver is found by its path (404), the
    // generic-hmac signature checked over the raw body (400), then the resources annotated and 200 answered. Any method.
    private (int Status, string? Revision, bool Triggered) FluxReceive(HttpRequest request, byte[] body)
    {
        if (!string.Equals(request.Path.Value, _fluxPath, StringComparison.Ordinal))
        {
            return (StatusCodes.Status404NotFound, null, false);
        }

        return IsValidFluxSignature(_options.Secret, request.Headers["X-Signature"], body)
            ? (StatusCodes.Status200OK, null, true)
            : (StatusCodes.Status400BadRequest, null, false);
    }

    // argo-cd util/webhook/webhook.go Handler with go-playground/webhooks v6 github.Parse: POST only (405), the event
    // header picks the parser (push and ping; anything else 400), the signature is checked for every event (400), then
    // a ping is answered and a push refreshes the apps tracking the pushed branch; 200 either way.
    private (int Status, string? Revision, bool Triggered) ArgoCdReceive(HttpRequest request, byte[] body)
    {
        if (!string.Equals(request.Path.Value, ArgoCdWebhookPath, StringComparison.Ordinal))
        {
            return (StatusCodes.Status404NotFound, null, false);
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            return (StatusCodes.Status405MethodNotAllowed, null, false);
        }

        var gitHubEvent = request.Headers["X-GitHub-Event"].ToString();
        if (gitHubEvent is not ("push" or "ping") || body.Length == 0
            || !IsValidGitHubSignature(_options.Secret, request.Headers["X-Hub-Signature-256"], body)
            || request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return (StatusCodes.Status400BadRequest, null, false);
        }

        try
        {
            using var push = JsonDocument.Parse(body);
            if (gitHubEvent == "ping")
            {
                return (StatusCodes.Status200OK, null, false);
            }

            var root = push.RootElement;
            var reference = root.TryGetProperty("ref", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            var after = root.TryGetProperty("after", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;

            // webhook.go ParseRevision: "refs/heads/main" -> "main" (the last of SplitN(ref, "/", 3)).
            var branch = reference?.Split('/', 3) is { Length: 3 } parts ? parts[2] : reference;
            return (StatusCodes.Status200OK, after, branch == _options.Branch);
        }
        catch (JsonException)
        {
            return (StatusCodes.Status400BadRequest, null, false);
        }
    }

    private void Answer(HttpContext context, DateTimeOffset receivedAt, int status, string? revision, bool triggered)
    {
        context.Response.StatusCode = status;
        var notification = new EngineNotification(receivedAt, context.Request.Path.Value ?? string.Empty, status, revision, triggered);
        _notifications.Enqueue(notification);
        _arrivals.Writer.TryWrite(notification);
    }

    private async Task PollAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, _options.TimeProvider);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            ScheduleReconcile();
        }
    }

    private static async Task Quietly(Task? task)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
            // Stopping: a reconcile or poll in progress is abandoned, as when a controller shuts down.
        }
    }
}
