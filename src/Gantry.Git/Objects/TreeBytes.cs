using System.Text;

namespace Gantry.Git.Objects;

/// <summary>
/// A Git tree object's content, "&lt;octal mode&gt; &lt;name&gt;\0&lt;20-byte id&gt;" per entry in Git's order, read
/// and edited as bytes. The tree cache keeps every loaded tree this way: about 50 bytes an entry, no object per entry,
/// and writing a tree is hashing the bytes it already holds. Git orders entries by their names' bytes, a tree's name
/// compared as if it ended in '/' (git: tree.c, base_name_compare).
/// </summary>
internal static class TreeBytes
{
    public const int FileMode = 0x81A4;       // 100644
    public const int ExecutableMode = 0x81ED; // 100755
    public const int TreeMode = 0x4000;       // 040000

    /// <summary>Names Gantry writes are at most 255 bytes; a tree written by someone else may hold longer ones.</summary>
    private const int StackNameBytes = 1024;

    /// <summary>
    /// Where one entry sits in a tree's bytes. <paramref name="ModeDigits"/> is the mode's length as stored, which may
    /// carry a leading zero ("040000") in trees other tools wrote.
    /// </summary>
    public readonly record struct Entry(int Start, int Length, int Mode, int ModeDigits, GitHash Id)
    {
        public bool IsTree => Mode == TreeMode;
    }

    /// <summary>Checks that <paramref name="tree"/> is a well-formed tree; a stored object is trusted no further.</summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> tree)
    {
        var at = 0;
        while (at < tree.Length)
        {
            if (!TryReadEntry(tree, at, out var entry, out _))
            {
                return false;
            }

            at += entry.Length;
        }

        return true;
    }

    /// <summary>The entry named <paramref name="name"/> (a file or a folder), if there is one.</summary>
    public static bool TryFind(ReadOnlySpan<byte> tree, string name, out Entry entry)
    {
        Span<byte> room = stackalloc byte[StackNameBytes];
        var bytes = Encode(name, room);
        var at = 0;
        while (at < tree.Length)
        {
            ReadEntry(tree, at, out entry, out var entryName);
            if (entryName.SequenceEqual(bytes))
            {
                return true;
            }

            if (Compare(entryName, entry.IsTree, bytes, true) > 0)
            {
                break; // past where the name would be as a file or as a folder (a folder's sorts last)
            }

            at += entry.Length;
        }

        entry = default;
        return false;
    }

    /// <summary>
    /// <paramref name="tree"/> with <paramref name="name"/> set to (<paramref name="mode"/>, <paramref name="id"/>),
    /// replacing an entry of that name. An entry whose mode keeps its length is overwritten in place (the same array
    /// is returned); otherwise a new array is made.
    /// </summary>
    public static byte[] Set(byte[] tree, string name, int mode, GitHash id)
    {
        if (TryFind(tree, name, out var existing))
        {
            if (existing.ModeDigits == Digits(mode) && existing.IsTree == (mode == TreeMode))
            {
                var at = existing.Start;
                WriteMode(mode, tree.AsSpan(at));
                id.WriteTo(tree.AsSpan(existing.Start + existing.Length - GitHash.Size));
                return tree;
            }

            tree = Remove(tree, existing);
        }

        return Insert(tree, name, mode, id);
    }

    /// <summary><paramref name="tree"/> without <paramref name="entry"/>.</summary>
    public static byte[] Remove(byte[] tree, Entry entry)
    {
        var result = new byte[tree.Length - entry.Length];
        tree.AsSpan(0, entry.Start).CopyTo(result);
        tree.AsSpan(entry.Start + entry.Length).CopyTo(result.AsSpan(entry.Start));
        return result;
    }

    /// <summary>Every entry, in order; for tests and tools, not the change path.</summary>
    public static List<TreeItem> Parse(ReadOnlySpan<byte> tree)
    {
        var items = new List<TreeItem>();
        var at = 0;
        while (at < tree.Length)
        {
            if (!TryReadEntry(tree, at, out var entry, out var name))
            {
                throw new FormatException($"The tree is malformed at byte {at}.");
            }

            items.Add(new TreeItem(Encoding.UTF8.GetString(name), entry.Mode, entry.Id));
            at += entry.Length;
        }

        return items;
    }

    /// <summary>Serializes <paramref name="items"/> (in any order) as Git writes a tree.</summary>
    public static byte[] Write(IEnumerable<TreeItem> items)
    {
        var named = items.Select(item => (Name: Encoding.UTF8.GetBytes(item.Name), item.Mode, item.Id)).ToList();
        named.Sort((a, b) => Compare(a.Name, a.Mode == TreeMode, b.Name, b.Mode == TreeMode));
        var tree = new byte[named.Sum(e => Digits(e.Mode) + 1 + e.Name.Length + 1 + GitHash.Size)];
        var at = 0;
        foreach (var (name, mode, id) in named)
        {
            at += WriteEntry(tree.AsSpan(at), name, mode, id);
        }

        return tree;
    }

    private static byte[] Insert(byte[] tree, string name, int mode, GitHash id)
    {
        Span<byte> room = stackalloc byte[StackNameBytes];
        var bytes = Encode(name, room);
        var isTree = mode == TreeMode;
        var at = 0;
        while (at < tree.Length)
        {
            ReadEntry(tree, at, out var entry, out var entryName);
            if (Compare(entryName, entry.IsTree, bytes, isTree) > 0)
            {
                break;
            }

            at += entry.Length;
        }

        var length = Digits(mode) + 1 + bytes.Length + 1 + GitHash.Size;
        var result = new byte[tree.Length + length];
        tree.AsSpan(0, at).CopyTo(result);
        WriteEntry(result.AsSpan(at, length), bytes, mode, id);
        tree.AsSpan(at).CopyTo(result.AsSpan(at + length));
        return result;
    }

    /// <summary>Writes "&lt;octal mode&gt; &lt;name&gt;\0&lt;id&gt;" at the start of <paramref name="slot"/>; returns its length.</summary>
    private static int WriteEntry(Span<byte> slot, ReadOnlySpan<byte> name, int mode, GitHash id)
    {
        var written = WriteMode(mode, slot);
        slot[written++] = (byte)' ';
        name.CopyTo(slot[written..]);
        written += name.Length;
        slot[written++] = 0;
        id.WriteTo(slot[written..]);
        return written + GitHash.Size;
    }

    /// <summary>Git's order: names by bytes, a tree's name as if followed by '/'.</summary>
    private static int Compare(ReadOnlySpan<byte> a, bool aIsTree, ReadOnlySpan<byte> b, bool bIsTree)
    {
        var common = Math.Min(a.Length, b.Length);
        var order = a[..common].SequenceCompareTo(b[..common]);
        if (order != 0)
        {
            return order;
        }

        int nextA = a.Length > common ? a[common] : aIsTree ? '/' : 0;
        int nextB = b.Length > common ? b[common] : bIsTree ? '/' : 0;
        return nextA - nextB;
    }

    private static void ReadEntry(ReadOnlySpan<byte> tree, int at, out Entry entry, out ReadOnlySpan<byte> name)
    {
        if (!TryReadEntry(tree, at, out entry, out name))
        {
            throw new FormatException($"The tree is malformed at byte {at}.");
        }
    }

    private static bool TryReadEntry(ReadOnlySpan<byte> tree, int at, out Entry entry, out ReadOnlySpan<byte> name)
    {
        entry = default;
        name = default;
        var rest = tree[at..];
        var space = rest.IndexOf((byte)' ');
        if (space is < 1 or > 7)
        {
            return false;
        }

        var mode = 0;
        foreach (var digit in rest[..space])
        {
            if (digit is < (byte)'0' or > (byte)'7')
            {
                return false;
            }

            mode = (mode * 8) + (digit - '0');
        }

        var nul = rest[(space + 1)..].IndexOf((byte)0);
        if (nul < 1 || space + 1 + nul + 1 + GitHash.Size > rest.Length)
        {
            return false;
        }

        name = rest.Slice(space + 1, nul);
        var length = space + 1 + nul + 1 + GitHash.Size;
        entry = new Entry(at, length, mode, space, GitHash.FromBytes(rest.Slice(length - GitHash.Size, GitHash.Size)));
        return true;
    }

    private static ReadOnlySpan<byte> Encode(string name, Span<byte> room) =>
        Encoding.UTF8.GetMaxByteCount(name.Length) <= room.Length
            ? room[..Encoding.UTF8.GetBytes(name, room)]
            : Encoding.UTF8.GetBytes(name);

    /// <summary>The mode's octal digits without leading zeros, as Git writes them ("100644", "40000").</summary>
    private static int Digits(int mode)
    {
        var digits = 1;
        while ((mode >>= 3) != 0)
        {
            digits++;
        }

        return digits;
    }

    private static int WriteMode(int mode, Span<byte> destination)
    {
        var digits = Digits(mode);
        for (var i = digits - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (mode & 7));
            mode >>= 3;
        }

        return digits;
    }
}
