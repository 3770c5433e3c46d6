using System.Text;
using Gantry.Core.State;
using Gantry.Git.Objects;
using Gantry.Git.Storage;
using Gantry.Git.Testing;

namespace Gantry.Git.Tests;

/// <summary>
/// The tree cache keeps trees as their stored bytes and edits them in place. Git is the reference: the same edits
/// made to a work tree and written by <c>git write-tree</c> give the same root tree id, and trees Git wrote load back.
/// </summary>
public sealed class TreeBytesTests : IDisposable
{
    // Names whose order differs between plain bytes and Git's (a folder sorts as if its name ended in '/').
    private static readonly string[] Names = ["a", "a.b", "a-b", "a0", "ab", "é", "a b", "Z"];

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Random_edits_give_the_tree_git_writes_and_trees_git_wrote_load_back()
    {
        var work = _temp.Combine("work");
        Directory.CreateDirectory(work);
        GitCli.Run(work, "init", "--quiet");
        var random = new Random(16);
        GitHash? root = null;
        for (var round = 0; round < 12; round++)
        {
            // Each round starts from the tree Git wrote last, read through libgit2 as the store reads it.
            using var reader = NativeTreeReader.TryOpen(Path.Combine(work, ".git"))!;
            var cache = new TreeCache(id => reader.TryRead(id) ?? throw new InvalidOperationException($"no tree {id}"));
            cache.Reset(root);
            for (var i = 0; i < 25; i++)
            {
                var path = string.Join('/', Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Names[random.Next(Names.Length)]));
                if (random.Next(4) == 0)
                {
                    Assert.Equal(DeleteOnDisk(work, path), cache.Delete(path));
                }
                else
                {
                    var content = $"{round}.{i}";
                    PutOnDisk(work, path, content);
                    cache.Put(path, GitHash.Compute(GitObjectType.Blob, Encoding.UTF8.GetBytes(content)));
                }
            }

            using var pack = new PackBuilder();
            var written = cache.WriteDirty(pack);
            GitCli.Run(work, "add", "--all");
            var expected = GitCli.Run(work, "write-tree").Trim();
            Assert.Equal(expected, written.ToString());
            root = written;
        }
    }

    [Fact]
    public void An_entry_is_replaced_in_place_when_its_mode_keeps_its_length()
    {
        var one = GitHash.Compute(GitObjectType.Blob, "1"u8);
        var two = GitHash.Compute(GitObjectType.Blob, "2"u8);
        var tree = TreeBytes.Write([new TreeItem("b", TreeBytes.FileMode, one), new TreeItem("a", TreeBytes.TreeMode, one)]);

        Assert.Same(tree, TreeBytes.Set(tree, "b", TreeBytes.ExecutableMode, two));
        Assert.Equal([("a", TreeBytes.TreeMode, one), ("b", TreeBytes.ExecutableMode, two)], TreeBytes.Parse(tree).Select(i => (i.Name, i.Mode, i.Id)));
        Assert.NotSame(tree, TreeBytes.Set(tree, "b", TreeBytes.TreeMode, two)); // a file becoming a folder moves
    }

    [Theory]
    [InlineData("")]
    [InlineData("100644 a")]
    [InlineData("100644 a\0short")]
    [InlineData("10x644 a\0aaaaaaaaaaaaaaaaaaaa")]
    [InlineData("1006440 a\0aaaaaaaaaaaaaaaaaaaa")]
    [InlineData(" a\0aaaaaaaaaaaaaaaaaaaa")]
    [InlineData("100644 \0aaaaaaaaaaaaaaaaaaaa")]
    public void A_malformed_tree_is_refused_before_it_is_edited(string content)
    {
        var bytes = Encoding.Latin1.GetBytes(content);
        Assert.Equal(content.Length == 0, TreeBytes.IsWellFormed(bytes));
        var id = GitHash.Compute(GitObjectType.Tree, bytes);
        var cache = new TreeCache(_ => bytes);
        cache.Reset(id);
        if (content.Length > 0)
        {
            Assert.Throws<StateStoreException>(() => cache.Put("x", id));
        }
    }

    private static void PutOnDisk(string work, string path, string content)
    {
        var segments = path.Split('/');
        var folder = work;
        foreach (var segment in segments[..^1])
        {
            folder = Path.Combine(folder, segment);
            if (File.Exists(folder))
            {
                File.Delete(folder);
            }

            Directory.CreateDirectory(folder);
        }

        var file = Path.Combine(folder, segments[^1]);
        if (Directory.Exists(file))
        {
            Directory.Delete(file, recursive: true);
        }

        File.WriteAllText(file, content);
    }

    /// <summary>Deletes the file or folder at <paramref name="path"/> as Git sees it: empty folders do not count.</summary>
    private static bool DeleteOnDisk(string work, string path)
    {
        var full = Path.Combine([work, .. path.Split('/')]);
        if (File.Exists(full))
        {
            File.Delete(full);
            return true;
        }

        if (Directory.Exists(full))
        {
            var hadFiles = Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories).Any();
            Directory.Delete(full, recursive: true);
            return hadFiles;
        }

        return false;
    }
}
