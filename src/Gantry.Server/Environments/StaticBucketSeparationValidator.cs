using Gantry.Buckets;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Environments;

/// <summary>
/// The static-environments bucket must not be the environments bucket: the watcher would read every published
/// static claim as an upload, and the publisher's writes could not be told from foreign ones.
/// </summary>
internal sealed class StaticBucketSeparationValidator(IOptionsMonitor<ObjectBucketOptions> buckets) : IValidateOptions<EnvironmentOptions>
{
    public ValidateOptionsResult Validate(string? name, EnvironmentOptions options)
    {
        var dynamic = buckets.Get(BucketServiceCollectionExtensions.Environments);
        var published = buckets.Get(BucketServiceCollectionExtensions.StaticEnvironments);
        var same = dynamic.Provider == published.Provider && (dynamic.Provider == BucketProviders.S3
            ? string.Equals(dynamic.Endpoint, published.Endpoint, StringComparison.OrdinalIgnoreCase) && dynamic.ResolveBucketName() == published.ResolveBucketName()
            : dynamic.ResolveFolder() == published.ResolveFolder());
        return same
            ? ValidateOptionsResult.Fail($"Buckets:{BucketServiceCollectionExtensions.StaticEnvironments}:Bucket must name another bucket than Buckets:{BucketServiceCollectionExtensions.Environments}:Bucket.")
            : ValidateOptionsResult.Success;
    }
}
