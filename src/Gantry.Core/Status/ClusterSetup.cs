using Gantry.Core.Catalog;

namespace Gantry.Core.Status;

/// <summary>
/// What <see cref="ClusterSetupRenderer"/> needs to render a cluster's status wiring: where its engine reports to
/// Gantry, the cluster's one webhook secret (both directions), and which tenants it may report on.
/// </summary>
public sealed record ClusterSetup
{
    /// <summary>The name the cluster is registered under in Gantry.</summary>
    public required string ClusterName { get; init; }

    public required GitOpsEngine Engine { get; init; }

    /// <summary>Where the engine POSTs its events to Gantry.</summary>
    public required string WebhookUrl { get; init; }

    /// <summary>
    /// The cluster's webhook secret. Null leaves the Secret objects out: the secret is shown only once, when the cluster
    /// is registered or its secret rotated, and setup manifests fetched later must not need it.
    /// </summary>
    public string? Secret { get; init; }

    /// <summary>The tenants bound to the cluster: Flux sends events only for their namespaces.</summary>
    public IReadOnlyList<string> Tenants { get; init; } = [];

    /// <summary>The bootstrap GitRepository in flux-system that Gantry's notifications reconcile (<see cref="Rendering.BootstrapRenderer.Name"/>).</summary>
    public string GitRepositoryName { get; init; } = "gantry";
}
