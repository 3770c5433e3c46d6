using System.Buffers;
using System.Buffers.Binary;
using Gantry.Git.Objects;
using Gantry.Shared;

namespace Gantry.Git.Storage;

/// <summary>
/// Keeps the number of packs bounded: every batch adds one pack, and Git (libgit2 too) slows down as packs pile
/// up. Small packs are merged into one by copying their entries as they are (offset deltas become ref deltas,
/// the only entries that depend on their position), then the merged pack is installed and the small ones removed.
/// (git: Documentation/gitformat-pack.txt, "Pack file entries" and "Version 2 pack-*.idx files".)
/// </summary>
internal static class PackMerger
{
    /// <summary>Packs up to this size count as small.</summary>
    public const long SmallPackBytes = 8L * 1024 * 1024;

    /// <summary>Most bytes of packs merged at once: a merge holds its result in memory.</summary>
    public const long MaxMergeBytes = 24L * 1024 * 1024;

    /// <summary>
    /// The buffers of merges: the packs read and the merged pack, megabytes each. Not the shared pool: that one
    /// keeps a returned array in the returning thread's own slot, and merges run on whichever pool thread is free,
    /// so nearly every merge missed it and put tens of megabytes of new arrays on the large object heap, each
    /// costing a full collection, while the arrays of earlier merges sat idle in other threads' slots. This pool
    /// is one set of buckets for all threads, two arrays per size, bounded by <see cref="MaxMergeBytes"/>.
    /// </summary>
    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(maxArrayLength: 64 * 1024 * 1024, maxArraysPerBucket: 2);

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
    public static string Merge(string gitDir, List<string> packs, bool sync)
    {
        using var merged = new PackBuilder((int)Math.Min(int.MaxValue, packs.Sum(p => new FileInfo(p).Length)), Buffers, packs.Sum(ObjectCount));
        foreach (var pack in packs)
        {
            CopyEntries(pack, merged);
        }

        var (bytes, index, name) = merged.Build();
        RepositoryFiles.InstallPack(gitDir, bytes, index, name, sync);
        return name;
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

    /// <summary>The number of objects in a pack, from the last slot of its index's fan-out table (read as 4 bytes at its place).</summary>
    private static int ObjectCount(string packPath)
    {
        using var idx = File.OpenHandle(Path.ChangeExtension(packPath, ".idx"));
        Span<byte> count = stackalloc byte[4];
        return RandomAccess.Read(idx, count, 8 + (255 * 4)) == 4 ? (int)BinaryPrimitives.ReadUInt32BigEndian(count) : 0;
    }

    private static void CopyEntries(string packPath, PackBuilder into)
    {
        // Read into pooled buffers: packs are mostly larger than the 85 KB above which every array is a full collection.
        using var packFile = PooledFile.Read(packPath);
        using var idxFile = PooledFile.Read(Path.ChangeExtension(packPath, ".idx"));
        var pack = packFile.Bytes;
        var idx = idxFile.Bytes;
        if (BinaryPrimitives.ReadUInt32BigEndian(idx) != 0xFF744F63 || BinaryPrimitives.ReadUInt32BigEndian(idx.Slice(4)) != 2)
        {
            throw new InvalidDataException($"{packPath}: only version 2 pack indexes are supported.");
        }

        var n = (int)BinaryPrimitives.ReadUInt32BigEndian(idx.Slice(8 + (255 * 4)));
        var names = 8 + (256 * 4);
        var crcs = names + (n * GitHash.Size);
        var offsets = crcs + (n * 4);
        var large = offsets + (n * 4);
        var entries = new (long Offset, GitHash Id, uint Crc)[n];
        for (var i = 0; i < n; i++)
        {
            var id = GitHash.FromBytes(idx.Slice(names + (i * GitHash.Size)));
            long offset = BinaryPrimitives.ReadUInt32BigEndian(idx.Slice(offsets + (i * 4)));
            if ((offset & 0x80000000L) != 0)
            {
                offset = (long)BinaryPrimitives.ReadUInt64BigEndian(idx.Slice(large + ((int)(offset & 0x7FFFFFFF) * 8)));
            }

            entries[i] = (offset, id, BinaryPrimitives.ReadUInt32BigEndian(idx.Slice(crcs + (i * 4))));
        }

        Array.Sort(entries, (a, b) => a.Offset.CompareTo(b.Offset));
        Dictionary<long, GitHash>? idAt = null; // only packs written by git itself hold offset deltas
        var end = pack.Length - GitHash.Size;
        for (var i = 0; i < n; i++)
        {
            var start = (int)entries[i].Offset;
            var stop = i + 1 < n ? (int)entries[i + 1].Offset : end;
            var entry = pack.Slice(start, stop - start);
            var type = (entry[0] >> 4) & 7;
            var header = 1;
            while ((entry[header - 1] & 0x80) != 0)
            {
                header++;
            }

            if (type != 6)
            {
                into.AddRaw(entries[i].Id, entry, entries[i].Crc); // unchanged bytes keep their CRC
                continue;
            }

            // OFS_DELTA: the base is named by a distance back in this pack; name it by id instead (REF_DELTA, type 7).
            var position = header;
            long distance = entry[position] & 0x7F;
            while ((entry[position] & 0x80) != 0)
            {
                position++;
                distance = ((distance + 1) << 7) | (entry[position] & 0x7Fu);
            }

            position++;
            var rewritten = new byte[header + GitHash.Size + entry.Length - position];
            entry[..header].CopyTo(rewritten);
            rewritten[0] = (byte)((rewritten[0] & 0x8F) | (7 << 4));
            idAt ??= entries.ToDictionary(e => e.Offset, e => e.Id);
            idAt[start - distance].WriteTo(rewritten.AsSpan(header));
            entry[position..].CopyTo(rewritten.AsSpan(header + GitHash.Size));
            into.AddRaw(entries[i].Id, rewritten);
        }
    }

    /// <summary>A whole file in a buffer rented from <see cref="Buffers"/>, returned on dispose.</summary>
    private readonly struct PooledFile : IDisposable
    {
        private readonly byte[] _buffer;
        private readonly int _length;

        private PooledFile(byte[] buffer, int length) => (_buffer, _length) = (buffer, length);

        public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, _length);

        public static PooledFile Read(string path)
        {
            using var handle = File.OpenHandle(path);
            var length = RandomAccess.GetLength(handle);
            if (length > Array.MaxLength)
            {
                throw new InvalidDataException($"{path}: too large to merge.");
            }

            var buffer = Buffers.Rent((int)length);
            var read = 0;
            while (read < length)
            {
                var n = RandomAccess.Read(handle, buffer.AsSpan(read, (int)length - read), read);
                if (n == 0)
                {
                    throw new InvalidDataException($"{path}: shorter than its length.");
                }

                read += n;
            }

            return new PooledFile(buffer, (int)length);
        }

        public void Dispose() => Buffers.Return(_buffer);
    }
}
