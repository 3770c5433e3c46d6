using Gantry.Git.Objects;
using Gantry.Git.Storage;
using Gantry.Git.Testing;

namespace Gantry.Git.Tests;

public sealed class NativeTreeReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Raw_trees_read_through_libgit2_match_git_ls_tree()
    {
        var repo = _temp.Combine("state.git");
        await using (var store = await Stores.StartLocalAsync(repo))
        {
            await store.CommitAsync(Stores.Put("a/b.txt", "b"));
            await store.CommitAsync(Stores.Put("a/c/d.txt", "d"));
            await store.CommitAsync(Stores.Put("a/é.txt", "e"));
        }

        using var reader = NativeTreeReader.TryOpen(repo);
        Assert.NotNull(reader); // the libgit2 that LibGit2Sharp ships can be bound here
        var tree = GitHash.Parse(GitCli.Run(repo, "rev-parse", "main:a").Trim());
        var items = TreeBytes.Parse(reader.TryRead(tree));
        var expected = GitCli.Run(repo, "-c", "core.quotePath=false", "ls-tree", "main:a").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t')).Select(p => (p[1], Convert.ToInt32(p[0].Split(' ')[0], 8), p[0].Split(' ')[2]));
        Assert.Equal(expected, items.Select(i => (i.Name, i.Mode, i.Id.ToString())));
        Assert.Null(reader.TryRead(GitHash.Parse(GitCli.Run(repo, "rev-parse", "main:a/b.txt").Trim()))); // a blob is not a tree
    }

    [Fact]
    public async Task A_started_store_limits_the_pack_memory_libgit2_keeps_mapped()
    {
        // Process-wide, like libgit2's setting: every store in this process asks for the default.
        await using var store = await Stores.StartLocalAsync(_temp.Combine("state.git"));

        Assert.Equal(new GitOptions().MaxMappedPackBytes, PackMapping.MappedLimit());
        Assert.True(PackMapping.MappedLimit() < 8L * 1024 * 1024 * 1024); // libgit2's default on 64-bit systems
    }

    [Fact]
    public async Task A_started_store_bounds_libgit2s_object_cache_and_reads_still_work_past_it()
    {
        await using var store = await Stores.StartLocalAsync(_temp.Combine("state.git"));
        for (var i = 0; i < 20; i++)
        {
            await store.CommitAsync(Stores.Put($"t{i}/values.yaml", $"n: {i}"));
        }

        var usage = ObjectCache.Usage();
        Assert.NotNull(usage);
        Assert.Equal(new GitOptions().MaxObjectCacheBytes, usage.Value.Allowed);
        Assert.True(new GitOptions().MaxObjectCacheBytes < 256L * 1024 * 1024); // libgit2's default
        Assert.InRange(usage.Value.Current, 0, usage.Value.Allowed);

        // With no cache at all every object comes from the packs: the store reads as before.
        Assert.True(ObjectCache.TryLimit(0));
        try
        {
            Assert.Equal("n: 7", System.Text.Encoding.UTF8.GetString((await store.ReadFileAsync("t7/values.yaml"))!));
        }
        finally
        {
            ObjectCache.TryLimit(new GitOptions().MaxObjectCacheBytes);
        }
    }
}
