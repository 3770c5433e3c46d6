using System.Collections.Concurrent;
using Gantry.Data.Clusters;

namespace Gantry.Server.Status;

/// <summary>
/// Clusters as the webhook reads them, kept for a few seconds so that a stream of events costs no read per event.
/// This replica forgets a cluster the moment it changes here; another replica's change (a rotated secret, a deleted
/// cluster, new tenants) is seen here within <see cref="Lifetime"/>.
/// </summary>
public sealed class ClusterCache(ClusterRepository clusters, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (ClusterRecord? Cluster, DateTimeOffset ReadAt)> _entries = new(StringComparer.Ordinal);

    /// <summary>The cluster, or null when there is none (an unknown name is remembered too, so probing costs no reads).</summary>
    public async Task<ClusterRecord?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(name, out var entry) && now - entry.ReadAt < Lifetime)
        {
            return entry.Cluster;
        }

        var cluster = await clusters.FindAsync(name, cancellationToken);
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[name] = (cluster, now);
        return cluster;
    }

    /// <summary>Forgets what is kept of <paramref name="name"/>, after it was changed on this replica.</summary>
    public void Forget(string name) => _entries.TryRemove(name, out _);
}
