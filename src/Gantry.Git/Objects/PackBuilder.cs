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
/// The pack is built in one buffer rented from the shared array pool, its header slot reserved up front and its
/// checksum appended in place, so a batch's pack is never copied and, above 85 KB, never becomes garbage on the
/// large object heap (each of those would cost a full collection).
/// Dispose returns the buffer: the memory <see cref="Build"/> hands out is valid until then.
/// </remarks>
internal sealed class PackBuilder : IDisposable
{
    private const int HeaderSize = 12;

    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Shared;

    private readonly List<Entry> _entries = [];
    private readonly HashSet<GitHash> _ids = [];
    private byte[] _buffer = Pool.Rent(64 * 1024);
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

        _entries.Add(new(id, start, Crc32.HashToUInt32(_buffer.AsSpan(start, _length - start))));
        return id;
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
        var sorted = _entries.OrderBy(e => e.Id).ToArray();
        var index = new byte[PackIndex.Size<Entry>(sorted)];
        using (var stream = new MemoryStream(index)) // fixed to the array: writing past it throws rather than grows
        {
            PackIndex.Write<Entry>(stream, sorted, packSum);
        }

        return (_buffer.AsMemory(0, _length), index, Convert.ToHexStringLower(packSum));
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            Pool.Return(buffer);
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

        var bigger = Pool.Rent((int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_length + more)));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        Pool.Return(_buffer);
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

    private readonly record struct Entry(GitHash Id, long Offset, uint Crc) : IPackIndexEntry;
}
