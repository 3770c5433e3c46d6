using Gantry.Git.Objects;
using Gantry.Shared;

namespace Gantry.Git.Storage;

/// <summary>
/// Keeps the number of packs bounded: every batch adds one pack, and Git (libgit2 too) slows down as packs pile
/// up. Small packs are merged into one by copying their entries as they are (offset deltas become ref deltas,
/// the only entries that depend on their position), then the merged pack is installed and the small ones removed.
/// A merge streams: it reads the packs' indexes into a table of their objects, then each pack front to back into
/// a temporary file, so its memory is that table (some 48 bytes an object) and a few I/O buffers, whatever the
/// size of the packs (issue #16).
/// (git: Documentation/gitformat-pack.txt, "Pack file entries" and "Version 2 pack-*.idx files".)
/// </summary>
internal static class PackMerger
{
    /// <summary>Packs up to this size count as small.</summary>
    public const long SmallPackBytes = 8L * 1024 * 1024;

    /// <summary>
    /// Most bytes of packs merged at once. Not for memory (a merge streams) but for time: a merge copies every
    /// byte, the packs it merges are only removed once it is done while new ones keep coming, and a merged pack
    /// past <see cref="SmallPackBytes"/> is final, so this is also the size packs end at.
    /// </summary>
    public const long MaxMergeBytes = 24L * 1024 * 1024;

    /// <summary>Merges the small packs of <paramref name="gitDir"/> once there are <paramref name="threshold"/> or more; returns how many were merged.</summary>
    public static int MergeSmallPacks(string gitDir, int threshold, bool sync)
    {
        var small = FindSmallPacks(gitDir, threshold);
        if (small is null)
        {
            return 0;
        }

        Remove(gitDir, small, Merge(gitDir, small, sync), sync);
        return small.Count;
    }

    /// <summary>The small packs of <paramref name="gitDir"/> when there are at least <paramref name="threshold"/>, else null.</summary>
    public static List<string>? FindSmallPacks(string gitDir, int threshold)
    {
        var folder = Path.Combine(gitDir, "objects", "pack");
        if (!Directory.Exists(folder))
        {
            return null;
        }

        var candidates = Directory.EnumerateFiles(folder, "pack-*.idx")
            .Select(idx => new FileInfo(Path.ChangeExtension(idx, ".pack")))
            .Where(pack => pack.Exists && pack.Length <= SmallPackBytes && !File.Exists(Path.ChangeExtension(pack.FullName, ".keep")))
            .ToList();
        if (candidates.Count < threshold)
        {
            return null;
        }

        // Smallest first, and a pack only joins while it is no bigger than all those before it together (or the
        // memory bound is reached): merged packs grow geometrically, so each object is copied a few times over its
        // life (log of the number of batches), never once per merge as it would be if a big pack joined every one.
        var small = new List<string>();
        long total = 0;
        foreach (var pack in candidates.OrderBy(p => p.Length))
        {
            if (small.Count >= 2 && (total + pack.Length > MaxMergeBytes || pack.Length > total))
            {
                break;
            }

            small.Add(pack.FullName);
            total += pack.Length;
        }

        return small.Count >= 2 ? small : null;
    }

    /// <summary>Writes one pack holding every object of <paramref name="packs"/> beside them; returns its name. Readers are unaffected.</summary>
    /// <remarks>On failure (a damaged pack, a full disk) nothing is left behind and the packs are untouched.</remarks>
    public static string Merge(string gitDir, List<string> packs, bool sync)
    {
        var table = MergeTable.Read(packs);
        var folder = RepositoryFiles.PackFolder(gitDir);
        var tmpPack = RepositoryFiles.TempPath(folder, "pack");
        var tmpIndex = RepositoryFiles.TempPath(folder, "idx");
        try
        {
            var packSum = WritePack(tmpPack, packs, table, sync);
            using (var index = CreateTemp(tmpIndex))
            {
                PackIndex.Write<MergeTable.Row>(index, table.SortedById(), packSum);
                index.Flush(flushToDisk: sync);
            }

            var name = Convert.ToHexStringLower(packSum);
            RepositoryFiles.PublishPack(folder, tmpPack, tmpIndex, name, sync);
            return name;
        }
        finally
        {
            // Moved into place on success: then there is nothing left to delete.
            File.Delete(tmpPack);
            File.Delete(tmpIndex);
        }
    }

    /// <summary>Removes merged packs; handles that may have them open must be reopened afterwards.</summary>
    public static void Remove(string gitDir, List<string> packs, string mergedName, bool sync)
    {
        foreach (var pack in packs.Where(p => Path.GetFileNameWithoutExtension(p) != "pack-" + mergedName))
        {
            // The index goes first: a pack without an index is invisible to readers.
            File.Delete(Path.ChangeExtension(pack, ".idx"));
            foreach (var extra in new[] { ".rev", ".bitmap", ".mtimes", ".pack" })
            {
                File.Delete(Path.ChangeExtension(pack, extra));
            }
        }

        if (sync)
        {
            FolderSync.Sync(Path.Combine(gitDir, "objects", "pack"));
        }
    }

    /// <summary>Writes the merged pack: header, the entries of each pack in turn, checksum; returns the checksum.</summary>
    private static byte[] WritePack(string path, List<string> packs, MergeTable table, bool sync)
    {
        using var file = CreateTemp(path);
        using var pack = new HashingWriter(file);
        pack.Write("PACK"u8);
        pack.WriteUInt32(2);
        pack.WriteUInt32((uint)table.Count);
        using var copier = new PackEntryCopier();
        for (var p = 0; p < packs.Count; p++)
        {
            copier.Copy(packs[p], table.RowsOf(p), table.PackSum(p), pack);
        }

        var packSum = pack.Finish();
        file.Flush(flushToDisk: sync);
        return packSum;
    }

    /// <summary>A new file, unbuffered: the <see cref="HashingWriter"/> on it buffers.</summary>
    private static FileStream CreateTemp(string path) =>
        new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.None);
}
