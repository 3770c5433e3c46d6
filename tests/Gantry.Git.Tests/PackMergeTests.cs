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

        var packs = Path.Combine(repo, "objects", "pack");
        Assert.Contains(Directory.GetFiles(packs, "*.idx"), idx => Deltas(repo, idx) > 0); // offset deltas: git's repack default
        var objects = GitCli.Run(repo, "cat-file", "--batch-all-objects", "--batch-check");
        var before = Directory.GetFiles(packs, "*.pack").Length;

        Assert.Equal(before, Storage.PackMerger.MergeSmallPacks(repo, 1, sync: false));

        Assert.Single(Directory.GetFiles(packs, "*.idx"));
        Assert.Equal(objects, GitCli.Run(repo, "cat-file", "--batch-all-objects", "--batch-check"));
        GitCli.Run(repo, "cat-file", "--batch-all-objects", "--batch"); // every object inflates and resolves its delta chain
        Assert.Equal("", GitCli.Run(repo, "fsck", "--full", "--strict", "--no-dangling", "--no-progress").Trim());
        Assert.Equal("6", GitCli.Run(repo, "rev-list", "--count", "main").Trim());
        Assert.Empty(Directory.GetFiles(packs, "tmp_*"));
    }

    [Fact]
    public void Offset_deltas_of_git_packs_become_ref_deltas_and_every_object_stays_readable()
    {
        // A pack of everything (from a clone), one by repack -a with offset deltas between versions of a file,
        // one more of later commits: merged in that order the deltas are copied (and rewritten), the clone's dropped.
        var work = _temp.Combine("deltas");
        GitCli.Run(_temp.Path, "init", "--quiet", "--initial-branch=main", work);
        CommitVersions(work, 0, 6);
        GitCli.Run(work, "repack", "--quiet", "-a", "-d");
        var gitDir = Path.Combine(work, ".git");
        var folder = Path.Combine(gitDir, "objects", "pack");
        var all = Assert.Single(Directory.GetFiles(folder, "*.pack"));
        CommitVersions(work, 6, 9);
        GitCli.Run(work, "repack", "--quiet", "-d");
        var later = Directory.GetFiles(folder, "*.pack").Single(p => p != all);
        var clone = _temp.Combine("deltas-clone.git");
        GitCli.Run(_temp.Path, "clone", "--quiet", "--bare", "--no-local", work, clone);
        var whole = Path.Combine(folder, "pack-clone.pack");
        File.Copy(Assert.Single(Directory.GetFiles(Path.Combine(clone, "objects", "pack"), "*.pack")), whole);
        File.Copy(Assert.Single(Directory.GetFiles(Path.Combine(clone, "objects", "pack"), "*.idx")), Path.ChangeExtension(whole, ".idx"));
        Assert.True(Deltas(gitDir, Path.ChangeExtension(all, ".idx")) >= 5);
        var objects = GitCli.Run(work, "cat-file", "--batch-all-objects", "--batch-check");

        var name = Storage.PackMerger.Merge(gitDir, [all, later, whole], sync: true);
        Storage.PackMerger.Remove(gitDir, [all, later, whole], name, sync: true);

        var merged = Assert.Single(Directory.GetFiles(folder, "*.idx"));
        Assert.Equal(27, CountObjects(gitDir, merged)); // a commit, a tree and a blob per version, each once
        Assert.True(Deltas(gitDir, merged) >= 5); // still deltas, now naming their base by id
        Assert.Equal(objects, GitCli.Run(work, "cat-file", "--batch-all-objects", "--batch-check"));
        GitCli.Run(work, "cat-file", "--batch-all-objects", "--batch"); // every object inflates and resolves its delta chain
        Assert.Equal("", GitCli.Run(work, "fsck", "--full", "--strict", "--no-dangling", "--no-progress").Trim());
        Assert.Empty(Directory.GetFiles(folder, "tmp_*"));
    }

    [Fact]
    public void An_object_in_two_packs_is_kept_once()
    {
        var repo = _temp.Combine("dup.git");
        GitCli.InitBare(repo);
        var shared = WritePack(repo, "shared\n", "first only\n");
        var other = WritePack(repo, "second only\n", "shared\n", "and another\n");

        var name = Storage.PackMerger.Merge(repo, [shared, other], sync: false);

        var idx = Path.Combine(repo, "objects", "pack", $"pack-{name}.idx");
        Assert.Equal(4, CountObjects(repo, idx));
        Storage.PackMerger.Remove(repo, [shared, other], name, sync: false);
        Assert.Equal("4", GitCli.Run(repo, "count-objects", "-v").Split('\n').Single(l => l.StartsWith("in-pack:", StringComparison.Ordinal))[8..].Trim());
        var sharedId = Objects.GitHash.Compute(Objects.GitObjectType.Blob, "shared\n"u8).ToString();
        Assert.Equal("shared\n", GitCli.Run(repo, "cat-file", "blob", sharedId));
        Assert.Equal("", GitCli.Run(repo, "fsck", "--full", "--strict", "--no-dangling", "--no-progress").Trim());
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("corrupted")]
    public void A_failed_merge_leaves_no_files_and_the_packs_as_they_were(string damage)
    {
        var repo = _temp.Combine("bad.git");
        GitCli.InitBare(repo);
        var packs = Enumerable.Range(0, 3).Select(i => WritePack(repo, [.. Enumerable.Range(0, 200).Select(n => $"pack {i} object {n}\n")])).ToList();
        var damaged = packs[1];
        var bytes = File.ReadAllBytes(damaged);
        if (damage == "truncated")
        {
            File.WriteAllBytes(damaged, bytes[..(bytes.Length / 2)]);
        }
        else
        {
            bytes[bytes.Length / 2] ^= 0x40; // inside some entry: only its CRC tells
            File.WriteAllBytes(damaged, bytes);
        }

        var folder = Path.Combine(repo, "objects", "pack");
        var before = Listing(folder);

        Assert.Throws<InvalidDataException>(() => Storage.PackMerger.MergeSmallPacks(repo, 2, sync: true));

        Assert.Equal(before, Listing(folder));
        foreach (var intact in packs.Where(p => p != damaged))
        {
            GitCli.Run(repo, "verify-pack", Path.ChangeExtension(intact, ".idx"));
        }
    }

    private static void CommitVersions(string work, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            File.WriteAllText(Path.Combine(work, "big.txt"), string.Concat(Enumerable.Range(0, 400).Select(n => $"line {n} {(n == i ? "changed" : "same")}\n")));
            GitCli.Run(work, "add", "-A");
            GitCli.Run(work, "commit", "--quiet", "-m", $"c{i}");
        }
    }

    /// <summary>Objects in a pack, by git's own reading of the index.</summary>
    private static int CountObjects(string gitDir, string idx) =>
        GitCli.Run(gitDir, "verify-pack", "-v", idx).Split('\n').Count(line => line.Length > 40 && line[40] == ' ');

    private static string[] Listing(string folder) =>
        [.. Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length}")];

    /// <summary>Entries of a pack stored as deltas: verify-pack -v lists them with a depth and a base.</summary>
    private static int Deltas(string repo, string idx) =>
        GitCli.Run(repo, "verify-pack", "-v", idx).Split('\n').Count(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 7);

    /// <summary>Installs a pack of blobs with <paramref name="contents"/> the way batches do; returns its path.</summary>
    private static string WritePack(string repo, params string[] contents)
    {
        using var pack = new Objects.PackBuilder();
        foreach (var content in contents)
        {
            pack.Add(Objects.GitObjectType.Blob, System.Text.Encoding.UTF8.GetBytes(content));
        }

        var (bytes, index, name) = pack.Build();
        Storage.RepositoryFiles.InstallPack(repo, bytes, index, name, sync: false);
        return Path.Combine(repo, "objects", "pack", $"pack-{name}.pack");
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
