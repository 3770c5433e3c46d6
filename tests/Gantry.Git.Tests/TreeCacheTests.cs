using System.Text;
using Gantry.Git.Objects;

namespace Gantry.Git.Tests;

/// <summary>The tree cache writes trees byte for byte as Git does: the id it returns is the id Git computes.</summary>
public sealed class TreeCacheTests
{
    [Fact]
    public void A_name_longer_than_the_room_kept_on_the_stack_is_written_as_git_writes_it()
    {
        // 1,200 UTF-8 bytes: Gantry never writes such a name, but a tree someone else pushed may hold one.
        var longName = new string('é', 600);
        var blob = GitHash.Compute(GitObjectType.Blob, "x"u8);
        var root = GitHash.Compute(GitObjectType.Tree, "stored"u8);
        var cache = new TreeCache(id => id == root ? TreeBytes.Write([new TreeItem(longName, TreeBytes.FileMode, blob)]) : []);
        cache.Reset(root);

        cache.Put("a.txt", blob);
        cache.Put("bin/run", blob);
        using var pack = new PackBuilder();
        var written = cache.WriteDirty(pack);

        var folder = Tree(("100644", "run", blob));
        var expected = Tree(("100644", "a.txt", blob), ("40000", "bin", GitHash.Compute(GitObjectType.Tree, folder)), ("100644", longName, blob));
        Assert.Equal(GitHash.Compute(GitObjectType.Tree, expected), written);
    }

    /// <summary>A Git tree object: "&lt;octal mode&gt; &lt;name&gt;\0&lt;20-byte id&gt;" per entry, in the order given.</summary>
    private static byte[] Tree(params (string Mode, string Name, GitHash Id)[] entries)
    {
        using var bytes = new MemoryStream();
        var id = new byte[GitHash.Size];
        foreach (var (mode, name, entryId) in entries)
        {
            bytes.Write(Encoding.UTF8.GetBytes($"{mode} {name}\0"));
            entryId.WriteTo(id);
            bytes.Write(id);
        }

        return bytes.ToArray();
    }
}
