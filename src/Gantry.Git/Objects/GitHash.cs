using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Gantry.Git.Objects;

/// <summary>A SHA-1 Git object id held in three integers, so it compares and hashes without allocating.</summary>
internal readonly record struct GitHash(ulong A, ulong B, uint C) : IComparable<GitHash>
{
    public const int Size = 20;

    public static readonly GitHash Zero;

    public static GitHash FromBytes(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]));

    public static GitHash Parse(string hex)
    {
        Span<byte> bytes = stackalloc byte[Size];
        Convert.FromHexString(hex, bytes, out _, out var written);
        if (written != Size || hex.Length != Size * 2)
        {
            throw new FormatException("A Git object id has 40 hexadecimal digits.");
        }

        return FromBytes(bytes);
    }

    /// <summary>The id Git gives an object of <paramref name="type"/> with <paramref name="content"/>: SHA-1 of "type size\0content".</summary>
    public static GitHash Compute(GitObjectType type, ReadOnlySpan<byte> content)
    {
        Span<byte> header = stackalloc byte[32];
        var length = Encoding.ASCII.GetBytes($"{TypeName(type)} {content.Length}\0", header);
        Span<byte> hash = stackalloc byte[Size];
        if (content.Length <= 4096)
        {
            // One-shot hashing of a stack copy avoids creating a hash object per (small) object.
            Span<byte> whole = stackalloc byte[length + content.Length];
            header[..length].CopyTo(whole);
            content.CopyTo(whole[length..]);
            SHA1.HashData(whole, hash);
        }
        else
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            sha.AppendData(header[..length]);
            sha.AppendData(content);
            sha.GetHashAndReset(hash);
        }

        return FromBytes(hash);
    }

    public static string TypeName(GitObjectType type) => type switch
    {
        GitObjectType.Commit => "commit",
        GitObjectType.Tree => "tree",
        GitObjectType.Blob => "blob",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public bool IsZero => A == 0 && B == 0 && C == 0;

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, A);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], B);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], C);
    }

    public byte FirstByte => (byte)(A >> 56);

    public int CompareTo(GitHash other)
    {
        var c = A.CompareTo(other.A);
        if (c != 0)
        {
            return c;
        }

        c = B.CompareTo(other.B);
        return c != 0 ? c : C.CompareTo(other.C);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}

/// <summary>The object types Gantry writes; the values are the pack type numbers (git: Documentation/gitformat-pack.txt).</summary>
internal enum GitObjectType
{
    Commit = 1,
    Tree = 2,
    Blob = 3,
}
