using System.Text;
using Gantry.Git.Objects;
using Gantry.Shared;

namespace Gantry.Git.Storage;

/// <summary>
/// The few writes to a bare repository that must be atomic and durable: installing a pack and moving a
/// branch. Both follow Git's own protocol (temporary file, fsync, rename; "&lt;ref&gt;.lock" taken with O_EXCL),
/// so a crash leaves either the old or the new state, and a concurrent <c>git</c> process is excluded.
/// </summary>
internal static class RepositoryFiles
{
    /// <summary>Writes the pack and then its index into objects/pack; readers only see a pack once its index exists.</summary>
    public static void InstallPack(string gitDir, ReadOnlyMemory<byte> pack, byte[] index, string name, bool sync)
    {
        var folder = PackFolder(gitDir);
        if (File.Exists(Path.Combine(folder, $"pack-{name}.idx")))
        {
            return; // the same objects under the same name: nothing to write
        }

        var tmpPack = TempPath(folder, "pack");
        var tmpIndex = TempPath(folder, "idx");
        // The two fsyncs overlap; each waits on the disk, not the CPU.
        var indexWrite = Task.Run(() => WriteFile(tmpIndex, index, sync));
        try
        {
            try
            {
                WriteFile(tmpPack, pack.Span, sync);
            }
            catch
            {
                // The index may still be being written: let it finish (or fail) before its file is deleted.
                indexWrite.ContinueWith(_ => { }, TaskScheduler.Default).GetAwaiter().GetResult();
                throw;
            }

            indexWrite.GetAwaiter().GetResult();
            PublishPack(folder, tmpPack, tmpIndex, name, sync);
        }
        finally
        {
            // Moved into place on success; left only when another writer published the same pack meanwhile.
            File.Delete(tmpPack);
            File.Delete(tmpIndex);
        }
    }

    /// <summary>objects/pack of <paramref name="gitDir"/>, created if missing.</summary>
    public static string PackFolder(string gitDir) => Directory.CreateDirectory(Path.Combine(gitDir, "objects", "pack")).FullName;

    /// <summary>A new temporary name in <paramref name="folder"/>; <see cref="RemoveLeftovers"/> deletes those a crash leaves.</summary>
    public static string TempPath(string folder, string kind) => Path.Combine(folder, $"tmp_{kind}_{Guid.NewGuid():N}");

    /// <summary>
    /// Moves a pack and its index, written (and flushed when <paramref name="sync"/>) under temporary names, into
    /// place: the pack first, the index last, as readers only see a pack once its index exists. Leaves the temporary
    /// files to the caller when the pack is there already (same name, same content).
    /// </summary>
    public static void PublishPack(string folder, string tmpPack, string tmpIndex, string name, bool sync)
    {
        var indexPath = Path.Combine(folder, $"pack-{name}.idx");
        if (File.Exists(indexPath))
        {
            return;
        }

        File.Move(tmpPack, Path.Combine(folder, $"pack-{name}.pack"), overwrite: true);
        File.Move(tmpIndex, indexPath, overwrite: true);
        if (sync)
        {
            FolderSync.Sync(folder);
        }
    }

    /// <summary>The commit a branch points at, from its loose ref or packed-refs; null when it does not exist.</summary>
    public static GitHash? ReadRef(string gitDir, string refName)
    {
        var loose = Path.Combine(gitDir, refName);
        if (File.Exists(loose))
        {
            var text = File.ReadAllText(loose).Trim();
            return text.Length == 40 ? GitHash.Parse(text) : null;
        }

        var packed = Path.Combine(gitDir, "packed-refs");
        if (!File.Exists(packed))
        {
            return null;
        }

        foreach (var line in File.ReadLines(packed))
        {
            if (line.Length > 41 && line[40] == ' ' && line.AsSpan(41).SequenceEqual(refName))
            {
                return GitHash.Parse(line[..40]);
            }
        }

        return null;
    }

    /// <summary>
    /// Moves <paramref name="refName"/> from <paramref name="expected"/> (null: must not exist) to <paramref name="value"/>
    /// under Git's lock; false when someone holds the lock or the branch is not where the caller expected.
    /// </summary>
    public static bool TryUpdateRef(string gitDir, string refName, GitHash? expected, GitHash value, bool sync, bool force = false)
    {
        var path = Path.Combine(gitDir, refName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var lockPath = path + ".lock";
        FileStream stream;
        try
        {
            stream = new FileStream(lockPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (IOException) when (File.Exists(lockPath))
        {
            return false;
        }

        try
        {
            using (stream)
            {
                if (!force && ReadRef(gitDir, refName) != expected)
                {
                    stream.Dispose();
                    File.Delete(lockPath);
                    return false;
                }

                stream.Write(Encoding.ASCII.GetBytes(value + "\n"));
                stream.Flush(flushToDisk: sync);
            }

            File.Move(lockPath, path, overwrite: true);
            if (sync)
            {
                FolderSync.Sync(Path.GetDirectoryName(path)!);
            }

            return true;
        }
        catch
        {
            File.Delete(lockPath);
            throw;
        }
    }

    /// <summary>Points HEAD of a bare repository at <paramref name="refName"/>.</summary>
    public static void SetHead(string gitDir, string refName) =>
        File.WriteAllText(Path.Combine(gitDir, "HEAD"), $"ref: {refName}\n");

    /// <summary>Removes what a killed writer may leave behind: its ref lock, unfinished and half-removed pack files.</summary>
    public static void RemoveLeftovers(string gitDir, string refName)
    {
        File.Delete(Path.Combine(gitDir, refName + ".lock"));
        var packs = Path.Combine(gitDir, "objects", "pack");
        if (Directory.Exists(packs))
        {
            foreach (var tmp in Directory.EnumerateFiles(packs, "tmp_*"))
            {
                File.Delete(tmp);
            }

            // A pack whose index is missing was never visible (installed pack-then-index, removed index-then-pack).
            foreach (var orphan in Directory.EnumerateFiles(packs, "pack-*.pack").Where(p => !File.Exists(Path.ChangeExtension(p, ".idx"))))
            {
                File.Delete(orphan);
            }
        }
    }

    private static void WriteFile(string path, ReadOnlySpan<byte> content, bool sync)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        stream.Write(content);
        stream.Flush(flushToDisk: sync);
    }
}
