using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Gantry.Registries;

/// <summary>
/// Keeps each listed set of tags for <see cref="RegistriesOptions.CacheDuration"/> and lets concurrent callers share
/// one request in flight, so a burst of resolutions reads a registry once. Failures are not kept.
/// </summary>
public sealed class TagListCache(TimeProvider time, IOptions<RegistriesOptions> options)
{
    private const int PurgeThreshold = 1024;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _duration = options.Value.CacheDuration;

    public async Task<IReadOnlyList<string>> GetOrAddAsync(
        string key,
        Func<CancellationToken, Task<IReadOnlyList<string>>> list,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (_duration <= TimeSpan.Zero)
        {
            return await list(cancellationToken);
        }

        var now = time.GetUtcNow();
        if (!_entries.TryGetValue(key, out var entry) || entry.ExpiresAt <= now)
        {
            // Lazy: of callers racing to refresh, only the one whose entry is stored starts a request.
            // The shared request is not tied to the first caller's cancellation (the others still want it);
            // the HTTP client's timeout bounds it.
            var fresh = new Entry(new Lazy<Task<IReadOnlyList<string>>>(() => list(CancellationToken.None)), now + _duration);
            entry = entry is null
                ? _entries.GetOrAdd(key, fresh)
                : _entries.TryUpdate(key, fresh, entry) ? fresh : _entries.GetOrAdd(key, fresh);
            PurgeExpired(now);
        }

        try
        {
            return await entry.Tags.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            throw;
        }
    }

    private void PurgeExpired(DateTimeOffset now)
    {
        if (_entries.Count < PurgeThreshold)
        {
            return;
        }

        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }
    }

    private sealed record Entry(Lazy<Task<IReadOnlyList<string>>> Tags, DateTimeOffset ExpiresAt);
}
