using Gantry.Git.Testing;

namespace Gantry.Git.Tests;

public sealed class PackMergeTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Small_packs_are_merged_and_every_object_stays_readable()
    {
        var repo = _temp.Combine("state.git");
        var packs = Path.Combine(repo, "objects", "pack");
        await using var store = await Stores.StartAsync(new GitOptions { RepositoryPath = repo, SyncToDisk = false, PackMergeThreshold = 5 });
        var revisions = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            revisions.Add(await store.CommitAsync(Stores.Put($"m/{i % 7}/v.yaml", $"value {i}\n")));
            // Merges run in the background and finish between later batches: the count stays bounded, not exact.
            Assert.InRange(Directory.GetFiles(packs, "*.pack").Length, 1, 14);
        }

        Assert.Equal("", GitCli.Run(repo, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
        Assert.Equal("value 39\n", Stores.Text(await store.ReadFileAsync("m/4/v.yaml")));
        Assert.Equal("value 3\n", Stores.Text(await store.ReadFileAsync("m/3/v.yaml", revisions[3])));
        Assert.Equal(6, (await store.GetHistoryAsync("m/4/v.yaml", 100)).Commits.Count);
    }

    [Theory]
    [InlineData(new[] { 10, 10, 10, 10, 10, 1000 }, 5)] // the big pack waits until the small ones add up to it
    [InlineData(new[] { 10, 10, 20, 40, 80, 1000 }, 5)]
    [InlineData(new[] { 10, 10, 20, 40, 80, 160 }, 6)]
    [InlineData(new[] { 300, 10 }, 2)] // two packs always merge
    public void Only_packs_no_bigger_than_the_smaller_ones_together_are_merged(int[] sizes, int merged)
    {
        var packs = Directory.CreateDirectory(_temp.Combine("sizes/objects/pack")).FullName;
        foreach (var (size, i) in sizes.Select((size, i) => (size, i)))
        {
            File.WriteAllBytes(Path.Combine(packs, $"pack-{i:x40}.pack"), new byte[size]);
            File.WriteAllBytes(Path.Combine(packs, $"pack-{i:x40}.idx"), []);
        }

        var chosen = Storage.PackMerger.FindSmallPacks(_temp.Combine("sizes"), threshold: 2)!;

        Assert.Equal(merged, chosen.Count);
        Assert.Equal(sizes.Order().Take(merged), chosen.Select(p => (int)new FileInfo(p).Length));
    }

    [Fact]
    public void Packs_written_by_git_with_offset_deltas_merge_into_a_valid_pack()
    {
        var repo = _temp.Combine("git.git");
        var work = _temp.Combine("work");
        GitCli.Run(_temp.Path, "init", "--quiet", "--initial-branch=main", work);
        for (var i = 0; i < 6; i++)
        {
            File.WriteAllText(Path.Combine(work, "big.txt"), string.Concat(Enumerable.Range(0, 400).Select(n => $"line {n} {(n == i ? "changed" : "same")}\n")));
            GitCli.Run(work, "add", "-A");
            GitCli.Run(work, "commit", "--quiet", "-m", $"c{i}");
            GitCli.Run(work, "repack", "--quiet", "-d"); // one more pack, with deltas against earlier ones
        }

        GitCli.Run(_temp.Path, "clone", "--quiet", "--bare", "--no-local", work, repo);
        GitCli.Run(work, "repack", "--quiet");
        foreach (var pack in Directory.GetFiles(Path.Combine(work, ".git", "objects", "pack")))
        {
            File.Copy(pack, Path.Combine(repo, "objects", "pack", Path.GetFileName(pack)), overwrite: true);
        }

        var before = Directory.GetFiles(Path.Combine(repo, "objects", "pack"), "*.pack").Length;
        Assert.Equal(before, Storage.PackMerger.MergeSmallPacks(repo, 1, sync: false));
        Assert.Single(Directory.GetFiles(Path.Combine(repo, "objects", "pack"), "*.pack"));
        Assert.Equal("", GitCli.Run(repo, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
        Assert.Equal("6", GitCli.Run(repo, "rev-list", "--count", "main").Trim());
    }
}

public sealed class TreeCacheBoundTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_small_tree_cache_is_dropped_between_batches_without_losing_changes()
    {
        var repo = _temp.Combine("state.git");
        await using var store = await Stores.StartAsync(new GitOptions { RepositoryPath = repo, SyncToDisk = false, MaxCachedTrees = 8, MaxBatchSize = 16 });
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => store.CommitAsync(Stores.Put($"{Core.State.StateLayout.TenantFolder($"t{i}")}/v.yaml", $"{i}"))));
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => store.CommitAsync(Stores.Put($"{Core.State.StateLayout.TenantFolder($"t{i}")}/v.yaml", $"again {i}"))));

        Assert.Equal("600", GitCli.Run(repo, "rev-list", "--count", "main").Trim());
        Assert.Equal("again 123", GitCli.Run(repo, "show", $"main:{Core.State.StateLayout.TenantFolder("t123")}/v.yaml"));
        Assert.Equal(300, GitCli.Run(repo, "ls-tree", "-r", "--name-only", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal("", GitCli.Run(repo, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
    }
}
