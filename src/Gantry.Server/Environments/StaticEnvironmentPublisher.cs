using Gantry.Buckets;
using Gantry.Core.Buckets;
using Gantry.Core.Environments;

namespace Gantry.Server.Environments;

/// <summary>
/// Publishes the claims of static environments, once committed to Git, to the <c>static-environments</c> bucket
/// (the design's CI role: the deploy side reads every claim from a bucket). Only this publisher writes there; the
/// bucket watcher reports anything else found there as an alert and never acts on it.
/// </summary>
public sealed class StaticEnvironmentPublisher([FromKeyedServices(BucketServiceCollectionExtensions.StaticEnvironments)] IObjectBucket bucket)
{
    public Task PublishAsync(EnvironmentClaim claim, byte[] claimJson, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return bucket.PutAsync(EnvironmentLayout.BucketClaim(claim.EnvironmentPool, claim.EnvironmentName), claimJson, cancellationToken);
    }

    public Task UnpublishAsync(string pool, string name, CancellationToken cancellationToken) =>
        bucket.DeleteAsync(EnvironmentLayout.BucketClaim(pool, name), cancellationToken);

    /// <summary>The published claim objects with their versions.</summary>
    public async IAsyncEnumerable<BucketEntry> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in bucket.ListEntriesAsync(string.Empty, cancellationToken))
        {
            yield return entry;
        }
    }

    public Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) => bucket.GetAsync(key, cancellationToken);
}
