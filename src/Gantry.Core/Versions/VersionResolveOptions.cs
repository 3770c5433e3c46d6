namespace Gantry.Core.Versions;

/// <summary>How a constraint is resolved against a list of tags.</summary>
public sealed record VersionResolveOptions
{
    public static VersionResolveOptions Default { get; } = new();

    /// <summary>
    /// Lets prereleases (dev tags such as <c>1.3.0-dev.4</c>) match any constraint whose range covers them.
    /// Without it a prerelease matches only a constraint that names a prerelease of the same version
    /// (npm semver's rule). Environments of type <c>sue</c> set it.
    /// </summary>
    public bool AllowPrerelease { get; init; }
}
