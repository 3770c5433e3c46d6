namespace Gantry.Data.Clusters;

/// <summary>The engines a cluster can run.</summary>
public static class ClusterEngines
{
    public const string Flux = "flux";
    public const string ArgoCd = "argocd";

    public static IReadOnlyList<string> All { get; } = [Flux, ArgoCd];
}

/// <summary>
/// A cluster where a GitOps engine runs: it reports status for <see cref="Tenants"/> only, and is told of their commits at
/// <see cref="NotifyUrl"/> (its Flux receiver or Argo CD server) when it has one. The webhook secret is not here: it is
/// derived from the server's cluster key and <see cref="SecretNonce"/>.
/// </summary>
public sealed record ClusterRecord
{
    public required string Name { get; init; }

    public required string Engine { get; init; }

    public string? NotifyUrl { get; init; }

    public IReadOnlyList<string> Tenants { get; init; } = [];

    public required string SecretNonce { get; init; }

    /// <summary>SHA-256 of the webhook secret (hex), to check a bearer without deriving it.</summary>
    public required string SecretHash { get; init; }

    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset RotatedAt { get; init; }

    public DateTimeOffset? LastEventAt { get; init; }
}
