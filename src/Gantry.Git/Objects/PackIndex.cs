namespace Gantry.Git.Objects;

/// <summary>What a pack index records of one object.</summary>
internal interface IPackIndexEntry
{
    GitHash Id { get; }

    /// <summary>Where the object's entry starts in the pack.</summary>
    long Offset { get; }

    /// <summary>CRC-32 of the entry's bytes as they are in the pack (header and compressed data).</summary>
    uint Crc { get; }
}

/// <summary>
/// Writes version 2 pack indexes, for the packs of batches and of merges alike
/// (git: Documentation/gitformat-pack.txt, "Version 2 pack-*.idx files").
/// </summary>
internal static class PackIndex
{
    /// <summary>"\377tOc": an index that is not version 1.</summary>
    public const uint Signature = 0xFF744F63;

    /// <summary>Bytes of the header and fan-out table, where the object names start.</summary>
    public const int NamesStart = 8 + (256 * 4);

    /// <summary>Offsets from here on do not fit the 31 bits of the offset table and go to the 64-bit table.</summary>
    public const long LargeOffset = 0x80000000L;

    public static int Size<T>(ReadOnlySpan<T> entries)
        where T : struct, IPackIndexEntry
    {
        var large = 0;
        foreach (var e in entries)
        {
            large += e.Offset >= LargeOffset ? 1 : 0;
        }

        return NamesStart + (entries.Length * (GitHash.Size + 4 + 4)) + (large * 8) + (2 * GitHash.Size);
    }

    /// <summary>Writes the index of the pack whose checksum is <paramref name="packSum"/>; <paramref name="sortedById"/> holds each object once.</summary>
    /// <remarks>Generic over the entry so that callers keep their own compact tables and no entry is boxed or copied.</remarks>
    public static void Write<T>(Stream destination, ReadOnlySpan<T> sortedById, ReadOnlySpan<byte> packSum)
        where T : struct, IPackIndexEntry
    {
        using var index = new HashingWriter(destination);
        index.WriteUInt32(Signature);
        index.WriteUInt32(2);

        // Fan-out: entry i counts the objects whose first byte is at most i.
        Span<int> counts = stackalloc int[256];
        counts.Clear();
        foreach (var e in sortedById)
        {
            counts[e.Id.FirstByte]++;
        }

        var running = 0;
        foreach (var count in counts)
        {
            running += count;
            index.WriteUInt32((uint)running);
        }

        Span<byte> name = stackalloc byte[GitHash.Size];
        foreach (var e in sortedById)
        {
            e.Id.WriteTo(name);
            index.Write(name);
        }

        foreach (var e in sortedById)
        {
            index.WriteUInt32(e.Crc);
        }

        var large = 0u;
        foreach (var e in sortedById)
        {
            index.WriteUInt32(e.Offset >= LargeOffset ? 0x80000000u | large++ : (uint)e.Offset);
        }

        foreach (var e in sortedById)
        {
            if (e.Offset >= LargeOffset)
            {
                index.WriteUInt64((ulong)e.Offset);
            }
        }

        index.Write(packSum);
        index.Finish();
    }
}
