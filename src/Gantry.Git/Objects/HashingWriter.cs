using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gantry.Git.Objects;

/// <summary>
/// Buffered writes to a stream with a running SHA-1 of every byte: packs and indexes end with the checksum of
/// their own content, and hashing on the way out spares holding or rereading them.
/// </summary>
internal sealed class HashingWriter(Stream destination) : IDisposable
{
    // Under the 85 KB of the large object heap, and large enough that the per-call cost of hashing is noise.
    private const int BufferSize = 64 * 1024;

    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _used;

    /// <summary>Bytes written so far: the offset the next write lands at.</summary>
    public long Position { get; private set; }

    public void Write(ReadOnlySpan<byte> data)
    {
        Position += data.Length;
        while (!data.IsEmpty)
        {
            if (_used == _buffer.Length)
            {
                Flush();
            }

            var n = Math.Min(data.Length, _buffer.Length - _used);
            data[..n].CopyTo(_buffer.AsSpan(_used));
            _used += n;
            data = data[n..];
        }
    }

    public void WriteUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        Write(bytes);
    }

    public void WriteUInt64(ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        Write(bytes);
    }

    /// <summary>Appends the SHA-1 of everything written (the trailer of packs and indexes) and returns it.</summary>
    public byte[] Finish()
    {
        Flush();
        var sum = _sha.GetHashAndReset();
        destination.Write(sum);
        Position += sum.Length;
        return sum;
    }

    public void Dispose()
    {
        _sha.Dispose();
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Flush()
    {
        _sha.AppendData(_buffer, 0, _used);
        destination.Write(_buffer, 0, _used);
        _used = 0;
    }
}
