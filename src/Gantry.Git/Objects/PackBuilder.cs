using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Gantry.Git.Objects;

/// <summary>
/// Builds a version 2 pack of whole (undeltified) objects and its version 2 index in memory
/// (git: Documentation/gitformat-pack.txt). One pack holds everything a batch created: it is written to the
/// local repository with one fsync and sent as is to the remote, so neither side ever walks the old tree.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A MemoryStream holds no unmanaged resource.")]
internal sealed class PackBuilder(int capacity = 0)
{
    private readonly MemoryStream _body = new(capacity);
    private readonly List<(GitHash Id, long Offset, uint Crc)> _entries = [];
    private readonly HashSet<GitHash> _ids = [];

    /// <summary>
    /// Objects up to this size are stored in zlib "stored" blocks rather than compressed: trees are mostly
    /// hashes and commits and values files are small, so compression gains little, while setting up a deflate
    /// stream per object cost more than everything else a change does.
    /// </summary>
    public const int StoreLimit = 8 * 1024;

    public int Count => _entries.Count;

    public long Length => _body.Length;

    public bool Contains(GitHash id) => _ids.Contains(id);

    /// <summary>Adds an object unless the pack holds it already; returns its id.</summary>
    public GitHash Add(GitObjectType type, ReadOnlySpan<byte> content) => Add(GitHash.Compute(type, content), type, content);

    /// <summary>Adds an object whose id the caller computed (<see cref="GitHash.Compute"/>) unless the pack holds it already.</summary>
    public GitHash Add(GitHash id, GitObjectType type, ReadOnlySpan<byte> content)
    {
        if (!_ids.Add(id))
        {
            return id;
        }

        var offset = 12 + _body.Length;
        var start = _body.Length;

        // Entry header: type in bits 4-6 of the first byte, size in 4 + 7n bits, little-endian groups.
        long size = content.Length;
        var first = (byte)(((int)type << 4) | (int)(size & 0x0F));
        size >>= 4;
        while (size != 0)
        {
            _body.WriteByte((byte)(first | 0x80));
            first = (byte)(size & 0x7F);
            size >>= 7;
        }

        _body.WriteByte(first);
        if (content.Length <= StoreLimit)
        {
            WriteStored(content);
        }
        else
        {
            using var zlib = new ZLibStream(_body, CompressionLevel.Fastest, leaveOpen: true);
            zlib.Write(content);
        }

        var crc = Crc32.Compute(_body.GetBuffer().AsSpan((int)start, (int)(_body.Length - start)));
        _entries.Add((id, offset, crc));
        return id;
    }

    /// <summary>Adds an entry copied from another pack (header and compressed data) under its known id.</summary>
    public void AddRaw(GitHash id, ReadOnlySpan<byte> entry, uint? crc = null)
    {
        if (!_ids.Add(id))
        {
            return;
        }

        _entries.Add((id, 12 + _body.Length, crc ?? Crc32.Compute(entry)));
        _body.Write(entry);
    }

    /// <summary>A zlib stream (RFC 1950) of uncompressed deflate blocks (RFC 1951 3.2.4) holding <paramref name="content"/>.</summary>
    private void WriteStored(ReadOnlySpan<byte> content)
    {
        Span<byte> header = [0x78, 0x01];
        _body.Write(header);
        var remaining = content;
        Span<byte> block = stackalloc byte[5];
        do
        {
            var length = Math.Min(remaining.Length, 0xFFFF);
            block[0] = (byte)(length == remaining.Length ? 1 : 0); // BFINAL on the last block, BTYPE 00
            BinaryPrimitives.WriteUInt16LittleEndian(block[1..], (ushort)length);
            BinaryPrimitives.WriteUInt16LittleEndian(block[3..], (ushort)~length);
            _body.Write(block);
            _body.Write(remaining[..length]);
            remaining = remaining[length..];
        }
        while (!remaining.IsEmpty);

        Span<byte> adler = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(adler, Adler32(content));
        _body.Write(adler);
    }

    private static uint Adler32(ReadOnlySpan<byte> data)
    {
        uint a = 1, b = 0;
        while (!data.IsEmpty)
        {
            // 5552 is the most bytes before b can overflow 32 bits (zlib adler32.c NMAX).
            var chunk = data[..Math.Min(data.Length, 5552)];
            foreach (var x in chunk)
            {
                a += x;
                b += a;
            }

            a %= 65521;
            b %= 65521;
            data = data[chunk.Length..];
        }

        return (b << 16) | a;
    }

    /// <summary>The finished pack and index; the pack's name is the hex of its trailing checksum.</summary>
    public (byte[] Pack, byte[] Index, string Name) Build()
    {
        var pack = new byte[12 + _body.Length + GitHash.Size];
        "PACK"u8.CopyTo(pack);
        BinaryPrimitives.WriteUInt32BigEndian(pack.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt32BigEndian(pack.AsSpan(8), (uint)_entries.Count);
        _body.GetBuffer().AsSpan(0, (int)_body.Length).CopyTo(pack.AsSpan(12));
        var packSum = SHA1.HashData(pack.AsSpan(0, pack.Length - GitHash.Size));
        packSum.CopyTo(pack.AsSpan(pack.Length - GitHash.Size));
        return (pack, BuildIndex(packSum), Convert.ToHexStringLower(packSum));
    }

    private byte[] BuildIndex(byte[] packSum)
    {
        var sorted = _entries.OrderBy(e => e.Id).ToArray();
        var large = sorted.Count(e => e.Offset >= 0x80000000L);
        var n = sorted.Length;
        var index = new byte[8 + (256 * 4) + (n * (GitHash.Size + 4 + 4)) + (large * 8) + (2 * GitHash.Size)];
        var span = index.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, 0xFF744F63); // "\377tOc"
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], 2);

        var fanout = span.Slice(8, 256 * 4);
        var counts = new int[256];
        foreach (var e in sorted)
        {
            counts[e.Id.FirstByte]++;
        }

        var running = 0;
        for (var i = 0; i < 256; i++)
        {
            running += counts[i];
            BinaryPrimitives.WriteUInt32BigEndian(fanout[(i * 4)..], (uint)running);
        }

        var names = 8 + (256 * 4);
        var crcs = names + (n * GitHash.Size);
        var offsets = crcs + (n * 4);
        var largeOffsets = offsets + (n * 4);
        var nextLarge = 0;
        for (var i = 0; i < n; i++)
        {
            sorted[i].Id.WriteTo(span[(names + (i * GitHash.Size))..]);
            BinaryPrimitives.WriteUInt32BigEndian(span[(crcs + (i * 4))..], sorted[i].Crc);
            if (sorted[i].Offset >= 0x80000000L)
            {
                BinaryPrimitives.WriteUInt32BigEndian(span[(offsets + (i * 4))..], 0x80000000u | (uint)nextLarge);
                BinaryPrimitives.WriteUInt64BigEndian(span[(largeOffsets + (nextLarge * 8))..], (ulong)sorted[i].Offset);
                nextLarge++;
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(span[(offsets + (i * 4))..], (uint)sorted[i].Offset);
            }
        }

        var tail = largeOffsets + (large * 8);
        packSum.CopyTo(span[tail..]);
        SHA1.HashData(span[..(tail + GitHash.Size)], span[(tail + GitHash.Size)..]);
        return index;
    }
}

/// <summary>CRC-32 (IEEE), which pack indexes keep per entry.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = CreateTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
