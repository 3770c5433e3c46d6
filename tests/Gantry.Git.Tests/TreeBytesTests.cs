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
        Assert.True(LibGit2Sharp.Repository.IsValid(work)); // initializes libgit2, as the store's repository does before it reads trees
        var random = new Random(16);
        GitHash? root = null;

        // One cache kept across every round, written every few edits as the committer writes after each change or
        // batch (ids of written subtrees patched into their parents' bytes, then those bytes edited again).
        var kept = new TreeCache(_ => throw new InvalidOperationException("the kept cache never loads"));
        kept.Reset(null);
        for (var round = 0; round < 12; round++)
        {
            // Another starts each round from the tree Git wrote last, read through libgit2 as the store reads it.
            using var reader = NativeTreeReader.TryOpen(Path.Combine(work, ".git"))!;
            var fresh = new TreeCache(id => reader.TryRead(id) ?? throw new InvalidOperationException($"no tree {id}"));
            fresh.Reset(root);
            for (var i = 0; i < 25; i++)
            {
                var path = string.Join('/', Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Names[random.Next(Names.Length)]));
                if (random.Next(4) == 0)
                {
                    var existed = DeleteOnDisk(work, path);
                    Assert.Equal(existed, fresh.Delete(path));
                    Assert.Equal(existed, kept.Delete(path));
                }
                else
                {
                    var content = $"{round}.{i}";
                    PutOnDisk(work, path, content);
                    var blob = GitHash.Compute(GitObjectType.Blob, Encoding.UTF8.GetBytes(content));
                    fresh.Put(path, blob);
                    kept.Put(path, blob);
                    Assert.Equal(blob, fresh.Find(path));
                }

                if (i % 5 == 4)
                {
                    using var batch = new PackBuilder();
                    kept.WriteDirty(batch);
                }
            }

            using var pack = new PackBuilder();
            var written = fresh.WriteDirty(pack);
            GitCli.Run(work, "add", "--all");
            var expected = GitCli.Run(work, "write-tree").Trim();
            Assert.Equal(expected, written.ToString());
            Assert.Equal(expected, kept.WriteDirty(pack).ToString());
            root = written;
        }
    }

    [Fact]
    public void A_zero_padded_mode_another_tool_wrote_is_edited_as_git_would_write_it()
    {
        var y = GitHash.Compute(GitObjectType.Blob, "y"u8);
        var x = GitHash.Compute(GitObjectType.Blob, "x"u8);
        var folder = TreeBytes.Write([new TreeItem("y", TreeBytes.FileMode, y)]);
        var folderId = GitHash.Compute(GitObjectType.Tree, folder);
        var padded = Encoding.Latin1.GetBytes("040000 a\0").Concat(Id(folderId)).ToArray();
        var paddedId = GitHash.Compute(GitObjectType.Tree, padded);
        var trees = new Dictionary<GitHash, byte[]> { [paddedId] = padded, [folderId] = folder };
        var cache = new TreeCache(id => trees[id]);
        cache.Reset(paddedId);

        Assert.Equal(y, cache.Find("a/y"));
        cache.Put("a/x", x);
        using var pack = new PackBuilder();
        var written = cache.WriteDirty(pack);

        var expectedFolder = TreeBytes.Write([new TreeItem("x", TreeBytes.FileMode, x), new TreeItem("y", TreeBytes.FileMode, y)]);
        var expected = TreeBytes.Write([new TreeItem("a", TreeBytes.TreeMode, GitHash.Compute(GitObjectType.Tree, expectedFolder))]);
        Assert.Equal(GitHash.Compute(GitObjectType.Tree, expected), written);
        Assert.Equal(x, cache.Find("a/x"));
    }

    [Fact]
    public void An_executable_file_stays_executable_when_its_content_changes()
    {
        var one = GitHash.Compute(GitObjectType.Blob, "1"u8);
        var two = GitHash.Compute(GitObjectType.Blob, "2"u8);
        var stored = TreeBytes.Write([new TreeItem("run", TreeBytes.ExecutableMode, one)]);
        var storedId = GitHash.Compute(GitObjectType.Tree, stored);
        var cache = new TreeCache(_ => (byte[])stored.Clone());
        cache.Reset(storedId);

        cache.Put("run", two);
        using var pack = new PackBuilder();
        var written = cache.WriteDirty(pack);

        Assert.Equal(GitHash.Compute(GitObjectType.Tree, TreeBytes.Write([new TreeItem("run", TreeBytes.ExecutableMode, two)])), written);
    }

    private static byte[] Id(GitHash id)
    {
        var bytes = new byte[GitHash.Size];
        id.WriteTo(bytes);
        return bytes;
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
    [InlineData("10064400 a\0aaaaaaaaaaaaaaaaaaaa")]
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
