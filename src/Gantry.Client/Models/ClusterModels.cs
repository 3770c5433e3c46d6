namespace Gantry.Client;

/// <summary>How telling a cluster's engine of new commits has gone.</summary>
public sealed record ClusterNotifications(
    long Sent, long Failed, string? LastRevision, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt, string? LastError);

/// <summary>
/// A registered cluster (<c>/api/v1/clusters</c>): its engine sends events to <see cref="WebhookUrl"/>; Gantry tells it
/// of commits at <see cref="NotifyUrl"/>.
/// </summary>
public sealed record Cluster(
    string Name,
    string Engine,
    IReadOnlyList<string> Tenants,
    string? NotifyUrl,
    string WebhookUrl,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset SecretRotatedAt,
    DateTimeOffset? LastEventAt,
    ClusterNotifications Notifications);

public sealed record ClusterRequest(string Name, string Engine, IReadOnlyList<string> Tenants, string? NotifyUrl);

/// <summary>A change to a cluster: what is given replaces what it had (an empty <see cref="NotifyUrl"/> removes it).</summary>
public sealed record ClusterUpdate(IReadOnlyList<string>? Tenants, string? NotifyUrl);

/// <summary>The answer to a registration or a rotation: the webhook secret and the setup manifests holding it, shown this once.</summary>
public sealed record ClusterSecret(Cluster Cluster, string WebhookSecret, string Setup, string? Notice);
