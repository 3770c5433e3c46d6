namespace Gantry.Core.Buckets;

/// <summary>
/// A flat store of whole objects by key (an S3 bucket, or a folder in the data directory by default); it holds
/// the claims of dynamic environments. Keys are slash-separated relative paths made of DNS-1123-safe segments
/// and ".json"-style file names; an implementation refuses any other key with <see cref="ArgumentException"/>.
/// A put replaces the whole object atomically: a reader sees the old object or the new one, never a mix.
/// </summary>
public interface IObjectBucket
{
    /// <summary>Writes (creates or replaces) the object at <paramref name="key"/>.</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>The object's content, or null when there is none.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Removes the object; false when there was none.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every key that starts with <paramref name="prefix"/> ("" for all), in ordinal order.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix = "", CancellationToken cancellationToken = default);

    /// <summary>
    /// Every object under <paramref name="prefix"/>, in ordinal order, with a version that changes whenever the
    /// object does (S3: its ETag; a folder: size and write time): how a watcher sees changes without reading them.
    /// </summary>
    IAsyncEnumerable<BucketEntry> ListEntriesAsync(string prefix = "", CancellationToken cancellationToken = default);
}

/// <summary>An object's key and a version token that differs whenever its content was replaced.</summary>
public sealed record BucketEntry(string Key, string Version);
