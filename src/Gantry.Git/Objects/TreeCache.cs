using Gantry.Core.State;

namespace Gantry.Git.Objects;

/// <summary>
/// The branch head's tree, held in memory as far as it has been touched. A change edits the trees along its
/// paths and marks them dirty; <see cref="WriteDirty"/> hashes only dirty trees into the batch's pack, so the cost
/// of a change depends on the sizes of the trees on its paths, never on the size of the repository. Trees nobody
/// touched stay unloaded; a loaded tree is read from the object database once and kept as its stored bytes
/// (<see cref="TreeBytes"/>), edited in place.
/// </summary>
internal sealed class TreeCache(Func<GitHash, byte[]> loadTree)
{
    /// <summary>What <see cref="Find"/> returns for a folder edited since the last write: equal to no stored id.</summary>
    public static readonly GitHash Unwritten = new(ulong.MaxValue, ulong.MaxValue, uint.MaxValue);

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
            if (!TreeBytes.TryFind(Load(node), segments[i], out var entry))
            {
                return null;
            }

            var last = i == segments.Length - 1;
            if (!entry.IsTree)
            {
                return last ? entry.Id : null;
            }

            if (last)
            {
                return node.Children?.GetValueOrDefault(segments[i]) is { } loaded ? loaded.Id ?? Unwritten : entry.Id;
            }

            node = Child(node, segments[i], entry.Id);
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
            var tree = Load(node);
            node.Id = null;
            var name = segments[i];
            if (TreeBytes.TryFind(tree, name, out var entry) && entry.IsTree)
            {
                node = Child(node, name, entry.Id);
                continue;
            }

            // A new folder (replacing a file of that name): its id is filled in when it is written.
            node.Tree = TreeBytes.Set(tree, name, TreeBytes.TreeMode, GitHash.Zero);
            var folder = TreeNode.Empty();
            (node.Children ??= new(StringComparer.Ordinal))[name] = folder;
            node = folder;
        }

        var leaf = Load(node);
        node.Id = null;
        var file = segments[^1];
        var mode = TreeBytes.FileMode;
        if (TreeBytes.TryFind(leaf, file, out var existing))
        {
            mode = existing.Mode == TreeBytes.ExecutableMode ? TreeBytes.ExecutableMode : TreeBytes.FileMode;
            if (existing.IsTree)
            {
                node.Children?.Remove(file);
            }
        }

        node.Tree = TreeBytes.Set(leaf, file, mode, blob);
    }

    /// <summary>Removes the file or folder at <paramref name="path"/>, and folders left empty; false when nothing was there.</summary>
    public bool Delete(string path) => Delete(_root, path.Split('/'), 0);

    /// <summary>Writes every dirty tree into <paramref name="pack"/>, deepest first, and returns the root tree id.</summary>
    public GitHash WriteDirty(PackBuilder pack) => Write(_root, pack);

    private bool Delete(TreeNode node, string[] segments, int index)
    {
        var tree = Load(node);
        var name = segments[index];
        if (!TreeBytes.TryFind(tree, name, out var entry))
        {
            return false;
        }

        if (index == segments.Length - 1)
        {
            node.Tree = TreeBytes.Remove(tree, entry);
            node.Children?.Remove(name);
            node.Id = null;
            return true;
        }

        if (!entry.IsTree)
        {
            return false;
        }

        var child = Child(node, name, entry.Id);
        if (!Delete(child, segments, index + 1))
        {
            return false;
        }

        node.Id = null;
        if (child.Tree!.Length == 0)
        {
            node.Tree = TreeBytes.Remove(tree, entry);
            node.Children!.Remove(name);
        }

        return true;
    }

    /// <summary>The subtree <paramref name="name"/> of <paramref name="node"/>, whose stored id is <paramref name="id"/>.</summary>
    private static TreeNode Child(TreeNode node, string name, GitHash id)
    {
        var children = node.Children ??= new(StringComparer.Ordinal);
        if (!children.TryGetValue(name, out var child))
        {
            child = TreeNode.Unloaded(id);
            children[name] = child;
        }

        return child;
    }

    /// <summary>The tree's bytes, read from the object database the first time.</summary>
    private byte[] Load(TreeNode node)
    {
        if (node.Tree is { } loaded)
        {
            return loaded;
        }

        var id = node.Id!.Value;
        var tree = loadTree(id);
        if (!TreeBytes.IsWellFormed(tree))
        {
            throw new StateStoreException($"Tree {id} in the repository is malformed.");
        }

        node.Tree = tree;
        LoadedTrees++;
        return tree;
    }

    private static GitHash Write(TreeNode node, PackBuilder pack)
    {
        if (node.Id is { } clean)
        {
            return clean;
        }

        if (node.Children is { } children)
        {
            foreach (var (name, child) in children)
            {
                if (child.Id is null)
                {
                    node.Tree = TreeBytes.Set(node.Tree!, name, TreeBytes.TreeMode, Write(child, pack));
                }
            }
        }

        var written = pack.Add(GitObjectType.Tree, node.Tree);
        node.Id = written;
        return written;
    }

    /// <summary>
    /// One tree: unloaded (an id), loaded and clean (an id and its stored bytes), or edited since the last write (no
    /// id; bytes whose entries for edited subtrees still carry their old ids until the write).
    /// </summary>
    private sealed class TreeNode
    {
        public GitHash? Id { get; set; }

        /// <summary>The tree's content as Git stores it; null until loaded.</summary>
        public byte[]? Tree { get; set; }

        /// <summary>The subtrees loaded below this one, by name.</summary>
        public Dictionary<string, TreeNode>? Children { get; set; }

        public static TreeNode Unloaded(GitHash id) => new() { Id = id };

        public static TreeNode Empty() => new() { Tree = [] };
    }
}

/// <summary>One entry of a stored tree.</summary>
internal readonly record struct TreeItem(string Name, int Mode, GitHash Id);
