using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using Gantry.Git.Objects;

namespace Gantry.Git.Storage;

/// <summary>
/// Copies the entries of one pack into a merged pack as they are, reading the pack once front to back, except
/// offset deltas: they name their base by a distance back in their own pack, so they become ref deltas naming
/// it by id (git: Documentation/gitformat-pack.txt, "Pack file entries"). Every entry read is checked against
/// the CRC its index records, as git does when it reuses packed data, so damage is refused, not re-checksummed.
/// </summary>
internal sealed class PackEntryCopier : IDisposable
{
    private const int OfsDelta = 6;
    private const int RefDelta = 7;
    private const int PackHeaderSize = 12;

    // An entry header is at most 10 bytes of size (4 + 7n bits of a 64-bit length) and 10 of offset-delta distance.
    private const int MaxVarintBytes = 10;

    private readonly Crc32 _read = new();
    private readonly Crc32 _written = new();
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);

    /// <summary>Copies the entries of <paramref name="packPath"/> not marked dropped, filling in their offset (and new CRC) in <paramref name="rows"/>.</summary>
    /// <param name="packPath">The pack to read.</param>
    /// <param name="rows">The pack's objects in the order of their entries.</param>
    /// <param name="packSum">The checksum the pack's index records: a pack that does not end with it is not the one indexed.</param>
    /// <param name="into">The merged pack.</param>
    public void Copy(string packPath, Span<MergeTable.Row> rows, ReadOnlySpan<byte> packSum, HashingWriter into)
    {
        using var pack = new FileStream(packPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        var end = pack.Length - GitHash.Size;
        CheckEnds(packPath, pack, rows.Length, packSum);
        if (rows.Length > 0 && (rows[0].Source != PackHeaderSize || rows[^1].Source >= end))
        {
            throw new InvalidDataException($"{packPath}: its entries are not where its index says.");
        }

        Span<byte> head = stackalloc byte[(2 * MaxVarintBytes) + GitHash.Size];
        for (var i = 0; i < rows.Length; i++)
        {
            var start = rows[i].Source;
            var stop = i + 1 < rows.Length ? rows[i + 1].Source : end;
            if (rows[i].Dropped)
            {
                pack.Seek(stop, SeekOrigin.Begin);
                continue;
            }

            if (pack.Position != start || stop <= start)
            {
                throw new InvalidDataException($"{packPath}: its entries are not where its index says.");
            }

            rows[i].Offset = into.Position;
            _read.Reset();

            // Header: type in bits 4-6 of the first byte, then the size in groups of 7 bits while the top bit is set.
            var length = ReadVarint(pack, head, 0, packPath);
            var type = (head[0] >> 4) & 7;
            if (type != OfsDelta)
            {
                _read.Append(head[..length]);
                into.Write(head[..length]);
                CopyRest(pack, stop - start - length, into, rewritten: false, packPath);
                Check(packPath, start, rows[i].Crc);
                continue;
            }

            // The distance back to the base: big-endian groups of 7 bits, each continuation adding one
            // (git: packfile.c get_delta_base). The rewritten entry keeps the size and names the base by id.
            var header = length;
            length = ReadVarint(pack, head, header, packPath);
            long distance = head[header] & 0x7F;
            for (var k = header + 1; k < length; k++)
            {
                distance = ((distance + 1) << 7) | (head[k] & 0x7Fu);
            }

            _read.Append(head[..length]);
            var baseId = IdAt(rows[..i], start - distance) ?? throw new InvalidDataException($"{packPath}: the offset delta at {start} has no base.");
            var rest = stop - start - length;
            head[0] = (byte)((head[0] & 0x8F) | (RefDelta << 4));
            baseId.WriteTo(head[header..]);
            _written.Reset();
            _written.Append(head[..(header + GitHash.Size)]);
            into.Write(head[..(header + GitHash.Size)]);
            CopyRest(pack, rest, into, rewritten: true, packPath);
            Check(packPath, start, rows[i].Crc);
            rows[i].Crc = _written.GetCurrentHashAsUInt32();
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The id of the entry at <paramref name="source"/> among <paramref name="earlier"/> (sorted by place), or null.</summary>
    private static GitHash? IdAt(ReadOnlySpan<MergeTable.Row> earlier, long source)
    {
        int low = 0, high = earlier.Length - 1;
        while (low <= high)
        {
            var mid = low + ((high - low) / 2);
            var at = earlier[mid].Source;
            if (at == source)
            {
                return earlier[mid].Id;
            }

            (low, high) = at < source ? (mid + 1, high) : (low, mid - 1);
        }

        return null;
    }

    /// <summary>Checks the pack's header (signature, version, object count) and that it ends with the checksum its index records.</summary>
    private static void CheckEnds(string packPath, FileStream pack, int objects, ReadOnlySpan<byte> packSum)
    {
        Span<byte> bytes = stackalloc byte[GitHash.Size];
        if (pack.Length < PackHeaderSize + GitHash.Size)
        {
            throw new InvalidDataException($"{packPath}: truncated.");
        }

        pack.Seek(-GitHash.Size, SeekOrigin.End);
        pack.ReadExactly(bytes);
        if (!bytes.SequenceEqual(packSum))
        {
            throw new InvalidDataException($"{packPath}: does not end with the checksum its index records (truncated or replaced).");
        }

        pack.Seek(0, SeekOrigin.Begin);
        pack.ReadExactly(bytes[..PackHeaderSize]);
        if (!bytes[..4].SequenceEqual("PACK"u8) || BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]) != 2
            || BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]) != (uint)objects)
        {
            throw new InvalidDataException($"{packPath}: not a version 2 pack of the objects its index lists.");
        }
    }

    /// <summary>Reads bytes into <paramref name="into"/> from <paramref name="at"/> up to and with the first whose top bit is clear; returns where they end.</summary>
    private static int ReadVarint(FileStream pack, Span<byte> into, int at, string packPath)
    {
        var limit = at + MaxVarintBytes;
        while (at < limit)
        {
            var b = pack.ReadByte();
            if (b < 0)
            {
                throw new InvalidDataException($"{packPath}: truncated.");
            }

            into[at++] = (byte)b;
            if ((b & 0x80) == 0)
            {
                return at;
            }
        }

        throw new InvalidDataException($"{packPath}: an entry header is too long.");
    }

    /// <summary>Copies the <paramref name="count"/> bytes of compressed data after an entry's header.</summary>
    private void CopyRest(FileStream pack, long count, HashingWriter into, bool rewritten, string packPath)
    {
        if (count < 0)
        {
            throw new InvalidDataException($"{packPath}: an entry is shorter than its header.");
        }

        while (count > 0)
        {
            var chunk = _buffer.AsSpan(0, (int)Math.Min(count, _buffer.Length));
            pack.ReadExactly(chunk);
            _read.Append(chunk);
            if (rewritten)
            {
                _written.Append(chunk);
            }

            into.Write(chunk);
            count -= chunk.Length;
        }
    }

    private void Check(string packPath, long start, uint expected)
    {
        if (_read.GetCurrentHashAsUInt32() != expected)
        {
            throw new InvalidDataException($"{packPath}: the entry at {start} does not match the CRC its index records.");
        }
    }
}
