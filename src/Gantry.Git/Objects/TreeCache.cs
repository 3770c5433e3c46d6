using System.Text;

namespace Gantry.Git.Objects;

/// <summary>
/// The branch head's tree, held in memory as far as it has been touched. A change edits the nodes along its
/// paths and marks them dirty; <see cref="WriteDirty"/> serializes only dirty trees into the batch's pack, so
/// the cost of a change depends on the sizes of the trees on its paths, never on the size of the repository.
/// Trees nobody touched stay unloaded; a loaded tree is read from the object database once.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A MemoryStream holds no unmanaged resource.")]
internal sealed class TreeCache(Func<GitHash, IEnumerable<TreeItem>> loadTree)
{
    public const int FileMode = 0x81A4;       // 100644
    public const int ExecutableMode = 0x81ED; // 100755
    public const int TreeMode = 0x4000;       // 040000

    /// <summary>What <see cref="Find"/> returns for a folder edited since the last write: equal to no stored id.</summary>
    public static readonly GitHash Unwritten = new(ulong.MaxValue, ulong.MaxValue, uint.MaxValue);

    private readonly MemoryStream _buffer = new();
    private TreeNode _root = TreeNode.Empty();

    /// <summary>Trees read from the object database since the last reset: what the cache holds in memory.</summary>
    public int LoadedTrees { get; private set; }

    /// <summary>Starts again from <paramref name="rootTree"/> (or an empty tree), dropping every edit.</summary>
    public void Reset(GitHash? rootTree)
    {
        _root = rootTree is { } id ? TreeNode.Unloaded(id) : TreeNode.Empty();
        LoadedTrees = 0;
    }

    /// <summary>
    /// The id of the blob or tree at <paramref name="path"/> in the current state; null when absent,
    /// <see cref="Unwritten"/> for a folder edited since the last <see cref="WriteDirty"/>.
    /// </summary>
    public GitHash? Find(string path)
    {
        var node = _root;
        var segments = path.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            Load(node);
            var last = i == segments.Length - 1;
            if (node.Entries!.TryGetValue(segments[i] + "/", out var tree))
            {
                if (last)
                {
                    return tree.Child is null ? tree.Id : tree.Child.Id ?? Unwritten;
                }

                node = tree.Child ??= TreeNode.Unloaded(tree.Id);
                continue;
            }

            return last && node.Entries.TryGetValue(segments[i], out var file) ? file.Id : null;
        }

        return null;
    }

    /// <summary>Puts a blob at <paramref name="path"/>, replacing a file or folder of that name.</summary>
    public void Put(string path, GitHash blob)
    {
        var segments = path.Split('/');
        var node = _root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            Load(node);
            node.Id = null;
            node.Entries!.Remove(segments[i]);
            var key = segments[i] + "/";
            if (!node.Entries.TryGetValue(key, out var entry))
            {
                entry = new TreeEntry(TreeMode, GitHash.Zero) { Child = TreeNode.Empty() };
                node.Entries.Set(key, entry);
            }

            node = entry.Child ??= TreeNode.Unloaded(entry.Id);
        }

        Load(node);
        node.Id = null;
        var name = segments[^1];
        node.Entries!.Remove(name + "/");
        var mode = node.Entries.TryGetValue(name, out var existing) && existing.Mode == ExecutableMode ? ExecutableMode : FileMode;
        node.Entries.Set(name, new TreeEntry(mode, blob));
    }

    /// <summary>Removes the file or folder at <paramref name="path"/>, and folders left empty; false when nothing was there.</summary>
    public bool Delete(string path) => Delete(_root, path.Split('/'), 0);

    /// <summary>Writes every dirty tree into <paramref name="pack"/>, deepest first, and returns the root tree id.</summary>
    public GitHash WriteDirty(PackBuilder pack) => Write(_root, pack);

    private bool Delete(TreeNode node, string[] segments, int index)
    {
        Load(node);
        var name = segments[index];
        if (index == segments.Length - 1)
        {
            if (node.Entries!.Remove(name) || node.Entries.Remove(name + "/"))
            {
                node.Id = null;
                return true;
            }

            return false;
        }

        if (!node.Entries!.TryGetValue(name + "/", out var entry))
        {
            return false;
        }

        var child = entry.Child ??= TreeNode.Unloaded(entry.Id);
        if (!Delete(child, segments, index + 1))
        {
            return false;
        }

        node.Id = null;
        if (child.Entries!.Count == 0)
        {
            node.Entries.Remove(name + "/");
        }

        return true;
    }

    private void Load(TreeNode node)
    {
        if (node.Entries is not null)
        {
            return;
        }

        var items = loadTree(node.Id!.Value);
        var entries = new TreeEntries(items.TryGetNonEnumeratedCount(out var count) ? count : 0);
        foreach (var item in items)
        {
            entries.AddLoaded(item.Mode == TreeMode ? item.Name + "/" : item.Name, new TreeEntry(item.Mode, item.Id));
        }

        node.Entries = entries;
        LoadedTrees++;
    }

    private GitHash Write(TreeNode node, PackBuilder pack)
    {
        if (node.Id is { } clean)
        {
            return clean;
        }

        foreach (var (_, entry) in node.Entries!.InOrder)
        {
            if (entry.Child is { Id: null } child)
            {
                entry.Id = Write(child, pack);
            }
            else if (entry.Child is { Id: { } childId })
            {
                entry.Id = childId;
            }
        }

        // Git tree: for each entry, sorted as if tree names ended in '/': "<octal mode> <name>\0<20-byte id>".
        _buffer.SetLength(0);
        Span<byte> id = stackalloc byte[GitHash.Size];
        Span<byte> prefix = stackalloc byte[MaxPrefixBytes];
        foreach (var (key, entry) in node.Entries.InOrder)
        {
            // Names Gantry writes are at most 255 bytes; a tree written by someone else may hold longer ones.
            var room = (key.Length * 3) + 8 <= prefix.Length ? prefix : new byte[Encoding.UTF8.GetByteCount(key) + 8];
            _buffer.Write(room[..Prefix(entry.Mode, key, room)]);
            entry.Id.WriteTo(id);
            _buffer.Write(id);
        }

        var written = pack.Add(GitObjectType.Tree, _buffer.GetBuffer().AsSpan(0, (int)_buffer.Length));
        node.Id = written;
        return written;
    }

    internal sealed class TreeNode
    {
        public GitHash? Id { get; set; }

        /// <summary>Keyed by name, with '/' appended for trees; null until loaded.</summary>
        public TreeEntries? Entries { get; set; }

        public static TreeNode Unloaded(GitHash id) => new() { Id = id };

        public static TreeNode Empty() => new() { Entries = new() };
    }

    /// <summary>Room for "&lt;octal mode&gt; &lt;name&gt;\0" on the stack: six digits, a space, a name of up to 1,024 UTF-8 bytes, NUL.</summary>
    private const int MaxPrefixBytes = 6 + 1 + 1024 + 1;

    /// <summary>Writes "&lt;octal mode&gt; &lt;name&gt;\0" into <paramref name="destination"/>; returns its length.</summary>
    private static int Prefix(int mode, string key, Span<byte> destination)
    {
        var name = mode == TreeMode ? key.AsSpan(0, key.Length - 1) : key.AsSpan();
        // The mode in octal without leading zeros, as Git writes it ("100644", "40000"); no formatter knows base 8.
        var length = 0;
        for (var shift = 15; shift >= 0; shift -= 3)
        {
            var digit = (mode >> shift) & 7;
            if (digit != 0 || length > 0 || shift == 0)
            {
                destination[length++] = (byte)('0' + digit);
            }
        }

        destination[length++] = (byte)' ';
        length += Encoding.UTF8.GetBytes(name, destination[length..]);
        destination[length++] = 0;
        return length;
    }

    internal sealed class TreeEntry(int mode, GitHash id)
    {
        public int Mode { get; } = mode;

        public GitHash Id { get; set; } = id;

        public TreeNode? Child { get; set; }
    }
}

/// <summary>One entry of a stored tree.</summary>
internal readonly record struct TreeItem(string Name, int Mode, GitHash Id);

/// <summary>Orders names as Git orders tree entries: by UTF-8 bytes (UTF-16 order differs only for surrogates).</summary>
internal sealed class GitNameComparer : IComparer<string>
{
    public static readonly GitNameComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        var a = x.AsSpan();
        var b = y.AsSpan();
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return Rank(a[i]) - Rank(b[i]);
            }
        }

        return a.Length - b.Length;
    }

    // Surrogates encode code points above U+FFFF, whose UTF-8 bytes sort after every BMP character.
    private static int Rank(char c) => char.IsSurrogate(c) ? c + 0x10000 : c;
}
