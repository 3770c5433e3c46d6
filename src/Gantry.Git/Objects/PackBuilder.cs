using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Gantry.Git.Objects;

/// <summary>
/// Builds a version 2 pack of whole (undeltified) objects and its version 2 index in memory
/// (git: Documentation/gitformat-pack.txt). One pack holds everything a batch created: it is written to the
/// local repository with one fsync and sent as is to the remote, so neither side ever walks the old tree.
/// </summary>
/// <remarks>
/// The pack is built in one buffer rented from an array pool (the shared one unless the caller passes another),
/// its header slot reserved up front and its checksum appended in place, so a batch's pack is never copied and,
/// above 85 KB, never becomes garbage on the large object heap (each of those would cost a full collection).
/// Dispose returns the buffer: the memory <see cref="Build"/> hands out is valid until then.
/// </remarks>
/// <param name="capacity">Bytes of entries expected: the buffer is rented that large up front.</param>
/// <param name="pool">Where the buffer comes from; <see cref="ArrayPool{T}.Shared"/> when null.</param>
/// <param name="objects">Objects expected, so that the entry list and id set do not grow step by step.</param>
internal sealed class PackBuilder(int capacity = 0, ArrayPool<byte>? pool = null, int objects = 0) : IDisposable
{
    private const int HeaderSize = 12;

    private readonly ArrayPool<byte> _pool = pool ?? ArrayPool<byte>.Shared;
    private readonly List<(GitHash Id, long Offset, uint Crc)> _entries = new(objects);
    private readonly HashSet<GitHash> _ids = new(objects);
    private byte[] _buffer = (pool ?? ArrayPool<byte>.Shared).Rent(Math.Max(HeaderSize + capacity, 64 * 1024));
    private int _length = HeaderSize;

    /// <summary>
    /// Objects up to this size are stored in zlib "stored" blocks rather than compressed: trees are mostly
    /// hashes and commits and values files are small, so compression gains little, while setting up a deflate
    /// stream per object cost more than everything else a change does.
    /// </summary>
    public const int StoreLimit = 8 * 1024;

    public int Count => _entries.Count;

    /// <summary>Bytes of object entries so far.</summary>
    public long Length => _length - HeaderSize;

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

        var start = _length;

        // Entry header: type in bits 4-6 of the first byte, size in 4 + 7n bits, little-endian groups.
        long size = content.Length;
        var first = (byte)(((int)type << 4) | (int)(size & 0x0F));
        size >>= 4;
        while (size != 0)
        {
            WriteByte((byte)(first | 0x80));
            first = (byte)(size & 0x7F);
            size >>= 7;
        }

        WriteByte(first);
        if (content.Length <= StoreLimit)
        {
            WriteStored(content);
        }
        else
        {
            using var compressed = new MemoryStream();
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                zlib.Write(content);
            }

            Write(compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        }

        _entries.Add((id, start, Crc32.HashToUInt32(_buffer.AsSpan(start, _length - start))));
        return id;
    }

    /// <summary>Adds an entry copied from another pack (header and compressed data) under its known id.</summary>
    public void AddRaw(GitHash id, ReadOnlySpan<byte> entry, uint? crc = null)
    {
        if (!_ids.Add(id))
        {
            return;
        }

        _entries.Add((id, _length, crc ?? Crc32.HashToUInt32(entry)));
        Write(entry);
    }

    /// <summary>
    /// Seals the pack (header, trailing checksum) and builds its index; the pack's name is the hex of its checksum.
    /// The pack's memory belongs to this builder and is valid until it is disposed; nothing can be added after this.
    /// </summary>
    public (ReadOnlyMemory<byte> Pack, byte[] Index, string Name) Build()
    {
        "PACK"u8.CopyTo(_buffer);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(8), (uint)_entries.Count);
        var packSum = SHA1.HashData(_buffer.AsSpan(0, _length));
        Write(packSum);
        return (_buffer.AsMemory(0, _length), BuildIndex(packSum), Convert.ToHexStringLower(packSum));
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            _pool.Return(buffer);
        }
    }

    private void WriteByte(byte value)
    {
        Grow(1);
        _buffer[_length++] = value;
    }

    private void Write(ReadOnlySpan<byte> data)
    {
        Grow(data.Length);
        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    private void Grow(int more)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        if (_length + more <= _buffer.Length)
        {
            return;
        }

        var bigger = _pool.Rent((int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_length + more)));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        _pool.Return(_buffer);
        _buffer = bigger;
    }

    /// <summary>A zlib stream (RFC 1950) of uncompressed deflate blocks (RFC 1951 3.2.4) holding <paramref name="content"/>.</summary>
    private void WriteStored(ReadOnlySpan<byte> content)
    {
        Span<byte> header = [0x78, 0x01];
        Write(header);
        var remaining = content;
        Span<byte> block = stackalloc byte[5];
        do
        {
            var length = Math.Min(remaining.Length, 0xFFFF);
            block[0] = (byte)(length == remaining.Length ? 1 : 0); // BFINAL on the last block, BTYPE 00
            BinaryPrimitives.WriteUInt16LittleEndian(block[1..], (ushort)length);
            BinaryPrimitives.WriteUInt16LittleEndian(block[3..], (ushort)~length);
            Write(block);
            Write(remaining[..length]);
            remaining = remaining[length..];
        }
        while (!remaining.IsEmpty);

        Span<byte> adler = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(adler, Adler32(content));
        Write(adler);
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
