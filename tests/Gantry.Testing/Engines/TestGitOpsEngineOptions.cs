using Gantry.Core.Catalog;

namespace Gantry.Testing.Engines;

/// <summary>Which cluster the test engine stands in for: its engine, where it reads Git, and how it talks to Gantry.</summary>
public sealed record TestGitOpsEngineOptions
{
    /// <summary>Flux (a notification-controller Receiver and Provider) or Argo CD (argocd-server's Git webhook and notifications).</summary>
    public required GitOpsEngine Engine { get; init; }

    /// <summary>The bare Git repository Gantry pushes to, read with the git CLI.</summary>
    public required string Repository { get; init; }

    public string Branch { get; init; } = "main";

    /// <summary>Gantry's webhook URL for this cluster (absolute http URL): where events are posted.</summary>
    public required Uri GantryWebhookUrl { get; init; }

    /// <summary>
    /// The cluster's secret: the Flux Receiver token and Provider HMAC key, or Argo CD's GitHub webhook secret and the
    /// bearer its notification service sends.
    /// </summary>
    public required string Secret { get; init; }

    /// <summary>When set, the engine also reconciles on this interval, as Flux and Argo CD poll without a notification.</summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary>How many objects' events are posted at once during one reconcile (each object's events stay in order).</summary>
    public int PostConcurrency { get; init; } = 4;

    /// <summary>The clock stamped on events.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
