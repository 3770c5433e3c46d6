using Gantry.Core.Versions;

namespace Gantry.Core.Environments;

/// <summary>
/// A service environments can deploy, read from a file in the service catalog: how it is deployed (a Helm chart or
/// a Kustomize source), where its version tags come from, and which services it needs.
/// </summary>
public sealed record ServiceDefinition
{
    public required string Name { get; init; }

    public string Description { get; init; } = string.Empty;

    /// <summary>Deployed with this chart; the resolved tag becomes the image tag. Exactly one of chart and kustomize.</summary>
    public ServiceChart? Chart { get; init; }

    /// <summary>Deployed from this Kustomize source; the resolved tag is set with Kustomize's image override.</summary>
    public ServiceKustomize? Kustomize { get; init; }

    /// <summary>The image (<c>registry.example.com/team/user-service</c>) whose tag the resolved version sets.</summary>
    public required string Image { get; init; }

    /// <summary>Where the service's tags come from: a static list, an OCI repository or a Helm repository.</summary>
    public required TagSourceReference Versions { get; init; }

    /// <summary>The constraint used when the service is deployed without being named (a dependency).</summary>
    public string DefaultVersion { get; init; } = "*";

    /// <summary>The node pool the service runs on unless a claim places it elsewhere.</summary>
    public string NodePool { get; init; } = EnvironmentPolicies.DefaultNodePool;

    /// <summary>Services this one needs in the same environment.</summary>
    public IReadOnlyList<string> Dependencies { get; init; } = [];

    /// <summary>The catalog file it was read from, for messages.</summary>
    public string Source { get; init; } = string.Empty;
}

/// <summary>A Helm chart in a Helm repository (https) or an OCI registry (oci://).</summary>
public sealed record ServiceChart
{
    public required string Repository { get; init; }

    public required string Name { get; init; }

    /// <summary>The chart version (or semver range) Flux installs.</summary>
    public required string Version { get; init; }

    public bool IsOci => Repository.StartsWith("oci://", StringComparison.Ordinal);
}

/// <summary>A folder of Kubernetes manifests with a kustomization in a Git repository.</summary>
public sealed record ServiceKustomize
{
    public required string Repository { get; init; }

    /// <summary>The branch Flux follows.</summary>
    public string Branch { get; init; } = "main";

    public required string Path { get; init; }
}
