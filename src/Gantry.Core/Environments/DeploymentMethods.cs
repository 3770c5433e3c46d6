namespace Gantry.Core.Environments;

/// <summary>Where an environment's claim lives, as the claim's <c>deployment_method</c> spells it.</summary>
public static class DeploymentMethods
{
    /// <summary>Dynamic: the claim is one JSON object in the environments bucket, written directly.</summary>
    public const string Bucket = "bucket";

    /// <summary>Static: the claim and its manifests are in Git, changed only through approved change requests.</summary>
    public const string Git = "git";

    public static IReadOnlyList<string> All { get; } = [Bucket, Git];
}
