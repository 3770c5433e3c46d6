using System.Buffers.Binary;
using Gantry.Git.Objects;

namespace Gantry.Git.Storage;

/// <summary>
/// The objects of the packs being merged, one row each (48 bytes), read from their indexes before any pack is:
/// the merged pack's header states its object count, so the objects held by two packs must be known up front.
/// The object held by several packs is copied from the first (as <see cref="PackBuilder"/> keeps the first).
/// </summary>
internal sealed class MergeTable
{
    private readonly Row[] _rows;
    private readonly int[] _starts; // the rows of pack p are _rows[_starts[p].._starts[p + 1]]
    private readonly byte[][] _packSums;

    private MergeTable(Row[] rows, int[] starts, byte[][] packSums, int count) =>
        (_rows, _starts, _packSums, Count) = (rows, starts, packSums, count);

    /// <summary>Objects in the merged pack.</summary>
    public int Count { get; }

    /// <summary>Reads the indexes of <paramref name="packs"/> and marks each object held by an earlier pack as dropped.</summary>
    public static MergeTable Read(IReadOnlyList<string> packs)
    {
        var indexes = packs.Select(p => Path.ChangeExtension(p, ".idx")).ToList();
        var starts = new int[packs.Count + 1];
        for (var p = 0; p < packs.Count; p++)
        {
            starts[p + 1] = starts[p] + ObjectCount(indexes[p]);
        }

        var rows = new Row[starts[^1]];
        var packSums = new byte[packs.Count][];
        for (var p = 0; p < packs.Count; p++)
        {
            packSums[p] = ReadIndex(indexes[p], rows.AsSpan(starts[p], starts[p + 1] - starts[p]));
        }

        var count = rows.Length - DropDuplicates(rows, starts);
        for (var p = 0; p < packs.Count; p++)
        {
            // Copying reads each pack front to back.
            rows.AsSpan(starts[p], starts[p + 1] - starts[p]).Sort(static (a, b) => a.Source.CompareTo(b.Source));
        }

        return new MergeTable(rows, starts, packSums, count);
    }

    /// <summary>The rows of pack <paramref name="pack"/> in the order of its entries; the copier fills in their place in the merged pack.</summary>
    public Span<Row> RowsOf(int pack) => _rows.AsSpan(_starts[pack], _starts[pack + 1] - _starts[pack]);

    /// <summary>The checksum the index of pack <paramref name="pack"/> says the pack ends with.</summary>
    public ReadOnlySpan<byte> PackSum(int pack) => _packSums[pack];

    /// <summary>The merged pack's objects sorted by id, for its index; call once every pack is copied.</summary>
    public ReadOnlySpan<Row> SortedById()
    {
        Array.Sort(_rows, static (a, b) => a.Id.CompareTo(b.Id));
        var kept = 0;
        foreach (var row in _rows)
        {
            if (!row.Dropped)
            {
                _rows[kept++] = row;
            }
        }

        return _rows.AsSpan(0, kept);
    }

    /// <summary>The number of objects in an index, from the last slot of its fan-out table; checked against its length.</summary>
    private static int ObjectCount(string indexPath)
    {
        using var idx = File.OpenHandle(indexPath);
        Span<byte> count = stackalloc byte[4];
        var n = RandomAccess.Read(idx, count, PackIndex.NamesStart - 4) == 4 ? BinaryPrimitives.ReadUInt32BigEndian(count) : uint.MaxValue;
        if (n > (RandomAccess.GetLength(idx) - PackIndex.NamesStart) / (GitHash.Size + 4 + 4))
        {
            throw new InvalidDataException($"{indexPath}: truncated.");
        }

        return (int)n;
    }

    /// <summary>Fills <paramref name="rows"/> (sorted by id, as the index is) from a version 2 index; returns the pack checksum it records.</summary>
    private static byte[] ReadIndex(string indexPath, Span<Row> rows)
    {
        using var idx = new FileStream(indexPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        var n = rows.Length;
        var largeStart = PackIndex.NamesStart + ((long)n * (GitHash.Size + 4 + 4));
        if (idx.Length < largeStart + (2 * GitHash.Size))
        {
            throw new InvalidDataException($"{indexPath}: truncated.");
        }

        Span<byte> word = stackalloc byte[GitHash.Size];
        idx.ReadExactly(word[..8]);
        if (BinaryPrimitives.ReadUInt32BigEndian(word) != PackIndex.Signature || BinaryPrimitives.ReadUInt32BigEndian(word[4..]) != 2)
        {
            throw new InvalidDataException($"{indexPath}: only version 2 pack indexes are supported.");
        }

        // The three tables in turn, each one value per object in the same (id) order.
        idx.Seek(PackIndex.NamesStart, SeekOrigin.Begin);
        for (var i = 0; i < n; i++)
        {
            idx.ReadExactly(word);
            rows[i].Id = GitHash.FromBytes(word);
            if (i > 0 && rows[i - 1].Id.CompareTo(rows[i].Id) >= 0)
            {
                throw new InvalidDataException($"{indexPath}: object names out of order.");
            }
        }

        for (var i = 0; i < n; i++)
        {
            idx.ReadExactly(word[..4]);
            rows[i].Crc = BinaryPrimitives.ReadUInt32BigEndian(word);
        }

        for (var i = 0; i < n; i++)
        {
            idx.ReadExactly(word[..4]);
            rows[i].Source = BinaryPrimitives.ReadUInt32BigEndian(word);
        }

        // Offsets past 2 GiB point into the 64-bit table that follows; small packs never have one.
        for (var i = 0; i < n; i++)
        {
            if (rows[i].Source >= PackIndex.LargeOffset)
            {
                var at = largeStart + ((rows[i].Source & 0x7FFFFFFF) * 8);
                if (RandomAccess.Read(idx.SafeFileHandle, word[..8], at) != 8)
                {
                    throw new InvalidDataException($"{indexPath}: truncated.");
                }

                rows[i].Source = (long)BinaryPrimitives.ReadUInt64BigEndian(word);
            }
        }

        var packSum = new byte[GitHash.Size];
        if (RandomAccess.Read(idx.SafeFileHandle, packSum, idx.Length - (2 * GitHash.Size)) != GitHash.Size)
        {
            throw new InvalidDataException($"{indexPath}: truncated.");
        }

        return packSum;
    }

    /// <summary>
    /// Walks the packs' id-sorted rows together (a k-way merge, smallest id first, earlier pack first among equal
    /// ids) and marks every repeat of an id as dropped; returns how many were. No set of ids is built.
    /// </summary>
    private static int DropDuplicates(Row[] rows, int[] starts)
    {
        var packs = starts.Length - 1;
        var next = starts[..^1];
        var heads = new PriorityQueue<int, (GitHash Id, int Pack)>(packs);
        for (var p = 0; p < packs; p++)
        {
            if (next[p] < starts[p + 1])
            {
                heads.Enqueue(p, (rows[next[p]].Id, p));
            }
        }

        var dropped = 0;
        GitHash? last = null;
        while (heads.TryDequeue(out var p, out var head))
        {
            if (head.Id == last)
            {
                rows[next[p]].Offset = Row.DroppedOffset;
                dropped++;
            }

            last = head.Id;
            if (++next[p] < starts[p + 1])
            {
                heads.Enqueue(p, (rows[next[p]].Id, p));
            }
        }

        return dropped;
    }

    /// <summary>One object of a merged pack.</summary>
    internal struct Row : IPackIndexEntry
    {
        public const long DroppedOffset = -1;

        public GitHash Id;

        /// <summary>Where the entry starts in its own pack.</summary>
        public long Source;

        /// <summary>Where the entry starts in the merged pack; <see cref="DroppedOffset"/> when an earlier pack holds the object.</summary>
        public long Offset;

        /// <summary>The entry's CRC-32: in its own pack, then in the merged one (different only for a rewritten delta).</summary>
        public uint Crc;

        public readonly bool Dropped => Offset == DroppedOffset;

        readonly GitHash IPackIndexEntry.Id => Id;

        readonly long IPackIndexEntry.Offset => Offset;

        readonly uint IPackIndexEntry.Crc => Crc;
    }
}
