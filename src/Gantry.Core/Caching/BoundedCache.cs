using System.Collections.Concurrent;

namespace Gantry.Core.Caching;

/// <summary>
/// A thread-safe cache of values that are cheap to keep and costly to make again (a parsed certificate, a hashed
/// folder name, a validated token), bounded by a count: once full it starts over, so memory stays bounded without
/// bookkeeping on the hot path, and a miss costs only the work the cache saves.
/// </summary>
public sealed class BoundedCache<TKey, TValue>(int capacity, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries = new(comparer);

    public bool TryGetValue(TKey key, out TValue value) => _entries.TryGetValue(key, out value!);

    /// <summary>Keeps <paramref name="value"/> under <paramref name="key"/>, first emptying the cache when it is full.</summary>
    public TValue Set(TKey key, TValue value)
    {
        if (_entries.Count >= capacity && !_entries.ContainsKey(key))
        {
            _entries.Clear();
        }

        return _entries[key] = value;
    }

    public void Remove(TKey key) => _entries.TryRemove(key, out _);
}
