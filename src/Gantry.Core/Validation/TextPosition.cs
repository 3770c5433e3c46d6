using System.Buffers;
using System.Text;

namespace Gantry.Core.Validation;

/// <summary>Where in a file a fault is, as people and editors count: 1-based line and byte in that line.</summary>
public static class TextPosition
{
    /// <summary>The line and byte in the line of the 0-based <paramref name="offset"/> into <paramref name="bytes"/>.</summary>
    public static (long Line, long Byte) Of(ReadOnlySpan<byte> bytes, long offset)
    {
        var before = bytes[..(int)Math.Clamp(offset, 0, bytes.Length)];
        return (before.Count((byte)'\n') + 1, before.Length - before.LastIndexOf((byte)'\n'));
    }

    /// <summary>"line 3, byte 7" for the 0-based <paramref name="offset"/>.</summary>
    public static string Describe(ReadOnlySpan<byte> bytes, long offset)
    {
        var (line, position) = Of(bytes, offset);
        return $"line {line}, byte {position}";
    }

    /// <summary>The 0-based offset of the first byte that is not UTF-8 (a surrogate's encoding included), or -1.</summary>
    public static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) != OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return -1;
    }
}
