namespace Gantry.Core.Environments;

/// <summary>
/// Where an environment's claim and rendered manifests live (docs/environments.md). Pool and name are DNS-1123
/// labels validated before they get here.
/// <list type="bullet">
/// <item>bucket: the claim is the object <c>&lt;pool&gt;/&lt;name&gt;.json</c> of the environments bucket, and the
/// manifests are the objects under <c>&lt;pool&gt;/&lt;name&gt;/</c>, which a Flux <c>Bucket</c> source can apply.</item>
/// <item>git: the folder <c>environments/&lt;pool&gt;/&lt;name&gt;/</c> of the desired-state repository holds
/// <c>environment.json</c> and the manifests beside it.</item>
/// </list>
/// </summary>
public static class EnvironmentLayout
{
    public const string GitFolder = "environments";

    public const string GitClaimFile = "environment.json";

    public static string BucketClaim(string pool, string name) => $"{pool}/{name}.json";

    public static string BucketManifests(string pool, string name) => $"{pool}/{name}/";

    /// <summary>The pool and name a bucket key of a claim stands for, or null when the key is not a claim.</summary>
    public static (string Pool, string Name)? ParseBucketClaim(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split('/');
        return parts.Length == 2 && parts[1].EndsWith(".json", StringComparison.Ordinal) && parts[1].Length > 5
            ? (parts[0], parts[1][..^5])
            : null;
    }

    public static string GitRoot(string pool, string name) => $"{GitFolder}/{pool}/{name}";

    public static string GitClaim(string pool, string name) => $"{GitRoot(pool, name)}/{GitClaimFile}";
}
