using Gantry.Buckets;
using Gantry.Core.Buckets;
using Gantry.Core.Environments;

namespace Gantry.Server.Environments;

/// <summary>
/// Dynamic environments in the environments bucket: the claim as one object (<c>&lt;pool&gt;/&lt;name&gt;.json</c>,
/// replaced atomically) and the rendered manifests under <c>&lt;pool&gt;/&lt;name&gt;/</c>. The claim is written last
/// and removed first, so a claim never points at manifests that are not there; manifests without a claim (a crash
/// between the steps) are removed by the next write or delete of that environment. A copy of the accepted claim
/// sits beside the manifests (<c>&lt;pool&gt;/&lt;name&gt;/environment.json</c>, as in Git): when the claim object
/// is replaced by a bad upload, the environment is still read as it was accepted.
/// </summary>
public sealed class BucketEnvironmentStore([FromKeyedServices(BucketServiceCollectionExtensions.Environments)] IObjectBucket bucket)
{
    public async Task WriteAsync(EnvironmentClaim claim, byte[] claimJson, IReadOnlyDictionary<string, byte[]> manifests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(manifests);
        var prefix = EnvironmentLayout.BucketManifests(claim.EnvironmentPool, claim.EnvironmentName);
        var wanted = manifests.Keys.Select(k => prefix + k).Append(prefix + EnvironmentLayout.GitClaimFile).ToHashSet(StringComparer.Ordinal);
        foreach (var (path, content) in manifests)
        {
            await bucket.PutAsync(prefix + path, content, cancellationToken);
        }

        await bucket.PutAsync(prefix + EnvironmentLayout.GitClaimFile, claimJson, cancellationToken);

        await foreach (var stale in bucket.ListAsync(prefix, cancellationToken))
        {
            if (!wanted.Contains(stale))
            {
                await bucket.DeleteAsync(stale, cancellationToken);
            }
        }

        await bucket.PutAsync(EnvironmentLayout.BucketClaim(claim.EnvironmentPool, claim.EnvironmentName), claimJson, cancellationToken);
    }

    /// <summary>
    /// Writes the manifests when any differs from what the bucket holds (or one is stale); true when it wrote. The
    /// claim object is left as it is: only its rendering changed.
    /// </summary>
    public async Task<bool> RewriteManifestsIfChangedAsync(EnvironmentClaim claim, byte[] claimJson, IReadOnlyDictionary<string, byte[]> manifests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(manifests);
        var prefix = EnvironmentLayout.BucketManifests(claim.EnvironmentPool, claim.EnvironmentName);
        var changed = false;
        foreach (var (path, content) in manifests)
        {
            if (await bucket.GetAsync(prefix + path, cancellationToken) is not { } stored || !stored.AsSpan().SequenceEqual(content))
            {
                changed = true;
                break;
            }
        }

        if (!changed)
        {
            await foreach (var key in bucket.ListAsync(prefix, cancellationToken))
            {
                if (!manifests.ContainsKey(key[prefix.Length..]) && key[prefix.Length..] != EnvironmentLayout.GitClaimFile)
                {
                    changed = true;
                    break;
                }
            }
        }

        if (changed)
        {
            await WriteAsync(claim, claimJson, manifests, cancellationToken);
        }

        return changed;
    }

    public Task<byte[]?> ReadAsync(string pool, string name, CancellationToken cancellationToken) =>
        bucket.GetAsync(EnvironmentLayout.BucketClaim(pool, name), cancellationToken);

    /// <summary>The claim as Gantry last accepted it (the copy beside the manifests), or null.</summary>
    public Task<byte[]?> ReadAcceptedAsync(string pool, string name, CancellationToken cancellationToken) =>
        bucket.GetAsync(EnvironmentLayout.BucketManifests(pool, name) + EnvironmentLayout.GitClaimFile, cancellationToken);

    /// <summary>Removes the claim, then the manifests; false when there was no claim.</summary>
    public async Task<bool> DeleteAsync(string pool, string name, CancellationToken cancellationToken)
    {
        var existed = await bucket.DeleteAsync(EnvironmentLayout.BucketClaim(pool, name), cancellationToken);
        await foreach (var key in bucket.ListAsync(EnvironmentLayout.BucketManifests(pool, name), cancellationToken))
        {
            await bucket.DeleteAsync(key, cancellationToken);
        }

        return existed;
    }

    /// <summary>The claim objects in the bucket (<c>&lt;pool&gt;/&lt;name&gt;.json</c>) with their versions.</summary>
    public async IAsyncEnumerable<BucketEntry> ListClaimsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in bucket.ListEntriesAsync(string.Empty, cancellationToken))
        {
            if (EnvironmentLayout.ParseBucketClaim(entry.Key) is not null)
            {
                yield return entry;
            }
        }
    }

    public Task<byte[]?> ReadKeyAsync(string key, CancellationToken cancellationToken) => bucket.GetAsync(key, cancellationToken);

    /// <summary>Every claim in the bucket, as stored, with its key.</summary>
    public async IAsyncEnumerable<(string Key, byte[] Json)> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var key in bucket.ListAsync(string.Empty, cancellationToken))
        {
            if (EnvironmentLayout.ParseBucketClaim(key) is not null && await bucket.GetAsync(key, cancellationToken) is { } content)
            {
                yield return (key, content);
            }
        }
    }
}
