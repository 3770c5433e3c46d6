using System.Runtime.CompilerServices;
using Gantry.Core.Buckets;
using Gantry.Shared;

namespace Gantry.Buckets;

/// <summary>
/// A bucket kept as files under one folder (the embedded default: <c>&lt;data&gt;/buckets/environments</c>). A key
/// maps to the file at that relative path; keys are checked by <see cref="BucketKey"/> before any path is formed, so
/// nothing outside the folder can be named. A put writes a temporary file beside the target, flushes it to disk and
/// renames it over the target (atomic on POSIX), so readers and concurrent writers see one whole version.
/// Unlike S3, a key cannot be both an object and the folder of other keys ("a" and "a/b").
/// </summary>
public sealed class FileSystemBucket : IObjectBucket
{
    // Temporary files start with '.', which no valid key segment does, so listings never show them.
    private const string TempPrefix = ".put-";
    private const int FolderRaceRetries = 5;
    private readonly bool _syncToDisk;

    /// <param name="root">The bucket's folder; created if missing.</param>
    /// <param name="syncToDisk">fsync files and folders before a put returns. Only tests turn this off.</param>
    public FileSystemBucket(string root, bool syncToDisk = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        _syncToDisk = syncToDisk;
        Directory.CreateDirectory(Root);
    }

    /// <summary>The bucket's folder, as a full path.</summary>
    public string Root { get; }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        var folder = Path.GetDirectoryName(path)!;
        for (var attempt = 0; ; attempt++)
        {
            var temp = Path.Join(folder, $"{TempPrefix}{Guid.NewGuid():N}");
            try
            {
                Directory.CreateDirectory(folder);
                await WriteNewFileAsync(temp, content, cancellationToken);
                File.Move(temp, path, overwrite: true);
                if (_syncToDisk)
                {
                    FolderSync.Sync(folder);
                }

                return;
            }
            catch (DirectoryNotFoundException) when (attempt < FolderRaceRetries)
            {
                // A concurrent delete pruned the folder after it was created here; create it again.
            }
            catch
            {
                File.Delete(temp);
                throw;
            }
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException
            || (e is UnauthorizedAccessException && Directory.Exists(path)))
        {
            // A folder of other keys is not an object.
            return null;
        }
    }

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        var folder = Path.GetDirectoryName(path)!;
        // Renaming first makes the removal atomic: of two concurrent deletes, exactly one sees the file.
        var doomed = Path.Join(folder, $"{TempPrefix}{Guid.NewGuid():N}");
        try
        {
            if (Directory.Exists(path))
            {
                return Task.FromResult(false);
            }

            File.Move(path, doomed);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }

        File.Delete(doomed);
        if (_syncToDisk)
        {
            FolderSync.Sync(folder);
        }

        PruneEmptyFolders(folder);
        return Task.FromResult(true);
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entry in ListEntriesAsync(prefix, cancellationToken))
        {
            yield return entry.Key;
        }
    }

    // A put renames a new file into place, so the write time and size change with every put.
    public async IAsyncEnumerable<BucketEntry> ListEntriesAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        BucketKey.EnsureValidPrefix(prefix);
        // Only the folder named by the prefix's complete segments can hold matching keys.
        var lastSlash = prefix.LastIndexOf('/');
        var start = lastSlash < 0 ? Root : Path.Join(Root, prefix[..lastSlash]);
        var keys = new List<BucketEntry>();
        if (Directory.Exists(start))
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
            foreach (var file in Directory.EnumerateFiles(start, "*", options))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var key = Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (key.StartsWith(prefix, StringComparison.Ordinal) && BucketKey.IsValid(key))
                {
                    var info = new FileInfo(file);
                    keys.Add(new BucketEntry(key, FormattableString.Invariant($"{info.LastWriteTimeUtc.Ticks}/{info.Length}")));
                }
            }
        }

        // A folder walk is not ordinal ("a-b/x" < "a/x" as keys), so sort the keys themselves.
        keys.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var key in keys)
        {
            yield return key;
        }

        await Task.CompletedTask;
    }

    private string PathOf(string key) => Path.Join(Root, BucketKey.EnsureValid(key));

    private async Task WriteNewFileAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
        await stream.WriteAsync(content, cancellationToken);
        await stream.FlushAsync(cancellationToken);
        if (_syncToDisk)
        {
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Removes folders left empty by a delete, up to (not including) the root; a folder in use stays.</summary>
    private void PruneEmptyFolders(string folder)
    {
        while (folder.Length > Root.Length && folder.StartsWith(Root, StringComparison.Ordinal))
        {
            try
            {
                Directory.Delete(folder, recursive: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return; // not empty (or just refilled by a put), or already gone
            }

            folder = Path.GetDirectoryName(folder)!;
        }
    }
}
