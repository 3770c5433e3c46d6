using Gantry.Core.Caching;

namespace Gantry.Data;

/// <summary>
/// Values read from users, memberships or tenants, kept while <see cref="IMetadataDatabase.IdentityVersion"/> has not
/// moved: where the database can say that nothing of those changed since (SQLite, which only this process writes), a
/// value read before is used again; otherwise (PostgreSQL, which replicas share) it is read every time. Every write to
/// those tables goes through <see cref="IdentityWrites.ChangingIdentityAsync{T}"/>, which moves the version.
/// </summary>
public sealed class IdentityCache<TKey, TValue>(IMetadataDatabase database, int capacity, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly BoundedCache<TKey, (long Version, TValue Value)> _kept = new(capacity, comparer);

    public async Task<TValue> GetAsync(TKey key, Func<Task<TValue>> read)
    {
        ArgumentNullException.ThrowIfNull(read);

        // The version is taken before reading: a change committed meanwhile moves it after, so what is kept under
        // the old version is never used again.
        var version = database.IdentityVersion;
        if (version is { } current && _kept.TryGetValue(key, out var kept) && kept.Version == current)
        {
            return kept.Value;
        }

        var value = await read();
        if (version is { } readAt)
        {
            _kept.Set(key, (readAt, value));
        }

        return value;
    }
}
