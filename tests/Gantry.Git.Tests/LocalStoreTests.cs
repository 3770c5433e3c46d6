using System.Text;
using Gantry.Core.State;
using Gantry.Core.Validation;
using Gantry.Git.Testing;

namespace Gantry.Git.Tests;

public sealed class LocalStoreTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Repo => _temp.Combine("state.git");

    [Fact]
    public async Task A_commit_is_readable_by_the_git_cli_with_author_and_trailers()
    {
        await using var store = await Stores.StartLocalAsync(Repo);
        var revision = await store.CommitAsync(Stores.Put("tenants/acme/values.yaml", "replicas: 3\n", changeId: "c-1"));

        Assert.Equal(revision, GitCli.Run(Repo, "rev-parse", "refs/heads/main").Trim());
        Assert.Equal("replicas: 3\n", GitCli.Run(Repo, "show", "main:tenants/acme/values.yaml"));
        var log = GitCli.Run(Repo, "log", "-1", "--format=%an <%ae>%n%(trailers:key=Gantry-Change-Id,valueonly)%(trailers:key=Gantry-Tenant,valueonly)");
        Assert.Equal("Alice Example <alice@example.com>\nc-1\nacme\n", log.TrimEnd('\n') + "\n");
        Assert.Equal("", GitCli.Run(Repo, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/etc/passwd")]
    [InlineData("a/.git/config")]
    [InlineData(".git/hooks/pre-receive")]
    [InlineData("a/.GIT/config")]
    [InlineData("a\0b")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    [InlineData("tab\there")]
    public async Task Hostile_paths_are_refused_before_anything_is_written(string path)
    {
        await using var store = await Stores.StartLocalAsync(Repo);
        var before = Directory.GetFiles(Repo, "*", SearchOption.AllDirectories).Length;

        await Assert.ThrowsAsync<ValidationFailedException>(() => store.CommitAsync(Stores.Put(path, "x")));
        await Assert.ThrowsAsync<ValidationFailedException>(() => store.CommitAsync(new Change
        {
            Deletes = [path],
            Author = Stores.Alice,
            Message = "delete",
        }));

        Assert.Null(await store.GetHeadAsync());
        Assert.Equal(before, Directory.GetFiles(Repo, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task A_ten_kilobyte_name_is_refused_before_anything_is_written()
    {
        await using var store = await Stores.StartLocalAsync(Repo);
        var problem = await Assert.ThrowsAsync<ValidationFailedException>(() => store.CommitAsync(Stores.Put("tenants/" + new string('a', 10_000), "x")));
        Assert.Contains("bytes", string.Join(' ', problem.Errors.Values.SelectMany(v => v)), StringComparison.Ordinal);
        Assert.Null(await store.GetHeadAsync());
    }

    [Fact]
    public async Task Concurrent_changes_are_chained_one_commit_each()
    {
        await using var store = await Stores.StartLocalAsync(Repo);
        var revisions = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => store.CommitAsync(Stores.Put($"t/{i % 17}/f{i}.yaml", $"v: {i}\n"))));

        Assert.Equal(200, revisions.Distinct().Count());
        Assert.Equal("200", GitCli.Run(Repo, "rev-list", "--count", "--first-parent", "main").Trim());
        Assert.Equal("", GitCli.Run(Repo, "rev-list", "--merges", "main").Trim());
        Assert.Equal(200, GitCli.Run(Repo, "ls-tree", "-r", "--name-only", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal("", GitCli.Run(Repo, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
    }

    [Fact]
    public async Task Per_batch_mode_writes_one_commit_for_a_batch_with_every_trailer()
    {
        await using var store = await Stores.StartLocalAsync(Repo, GitCommitMode.PerBatch);
        await store.CommitAsync(Stores.Put("seed.txt", "seed"));
        var revisions = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => store.CommitAsync(Stores.Put($"b/{i}.txt", $"{i}", changeId: $"id-{i}"))));

        var commits = int.Parse(GitCli.Run(Repo, "rev-list", "--count", "main"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(commits, 2, 101);
        Assert.True(revisions.Distinct().Count() < 100, "several changes share a commit");
        var trailers = GitCli.Run(Repo, "log", "--format=%(trailers:key=Gantry-Change-Id,valueonly)", "main");
        Assert.All(Enumerable.Range(0, 100), i => Assert.Contains($"id-{i}\n", trailers, StringComparison.Ordinal));
        Assert.Equal("", GitCli.Run(Repo, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
    }

    [Fact]
    public async Task A_change_based_on_an_old_revision_of_its_path_conflicts()
    {
        await using var store = await Stores.StartLocalAsync(Repo);
        var first = await store.CommitAsync(Stores.Put("tenants/acme/values.yaml", "a"));
        var second = await store.CommitAsync(Stores.Put("tenants/acme/values.yaml", "b", baseRevision: first));
        await store.CommitAsync(Stores.Put("tenants/other/values.yaml", "x"));

        var conflict = await Assert.ThrowsAsync<ChangeConflictException>(() => store.CommitAsync(Stores.Put("tenants/acme/values.yaml", "c", baseRevision: first)));
        Assert.Equal(["tenants/acme/values.yaml"], conflict.Paths);
        // A base older than unrelated changes is fine.
        await store.CommitAsync(Stores.Put("tenants/acme/values.yaml", "d", baseRevision: second));
        Assert.Equal("d", Stores.Text(await store.ReadFileAsync("tenants/acme/values.yaml")));
    }

    [Fact]
    public async Task Within_a_tenant_folder_only_a_changed_path_conflicts_whatever_else_the_tenant_changed()
    {
        await using var store = await Stores.StartLocalAsync(Repo);
        var folder = Core.State.StateLayout.TenantFolder("acme"); // where Stores.Put's tenant lives
        var first = await store.CommitAsync(Stores.Put($"{folder}/a.yaml", "a1"));
        var second = await store.CommitAsync(Stores.Put($"{folder}/b.yaml", "b1", baseRevision: first));

        // The folder moved since the base, but not this path: no conflict.
        var third = await store.CommitAsync(Stores.Put($"{folder}/a.yaml", "a2", baseRevision: first));
        // This path moved since the base: a conflict.
        var conflict = await Assert.ThrowsAsync<ChangeConflictException>(() => store.CommitAsync(Stores.Put($"{folder}/b.yaml", "b2", baseRevision: first)));
        Assert.Equal([$"{folder}/b.yaml"], conflict.Paths);
        // Based on the folder as it is: no conflict, in the same batch as another change to the folder too.
        await Task.WhenAll(
            store.CommitAsync(Stores.Put($"{folder}/b.yaml", "b3", baseRevision: third)),
            store.CommitAsync(Stores.Put($"{folder}/c.yaml", "c1", baseRevision: third)));

        Assert.Equal("a2", Stores.Text(await store.ReadFileAsync($"{folder}/a.yaml")));
        Assert.Equal("b3", Stores.Text(await store.ReadFileAsync($"{folder}/b.yaml")));
        Assert.Equal("b1", Stores.Text(await store.ReadFileAsync($"{folder}/b.yaml", second)));
    }

    [Fact]
    public async Task Deleting_a_folder_removes_it_and_empty_parents()
    {
        await using var store = await Stores.StartLocalAsync(Repo);
        await store.CommitAsync(Stores.Put("tenants/a/b/values.yaml", "1"));
        await store.CommitAsync(Stores.Put("tenants/c/values.yaml", "2"));
        await store.CommitAsync(new Change { Deletes = ["tenants/a"], Author = Stores.Alice, Message = "remove a" });

        Assert.Equal(["c"], (await store.ListAsync("tenants")).Select(e => e.Name));
        Assert.Equal("tenants/c/values.yaml\n", GitCli.Run(Repo, "ls-tree", "-r", "--name-only", "main"));
        Assert.Equal("", GitCli.Run(Repo, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
    }

    [Fact]
    public async Task Acknowledged_changes_are_there_after_a_restart()
    {
        string last;
        await using (var store = await Stores.StartLocalAsync(Repo))
        {
            await Task.WhenAll(Enumerable.Range(0, 50).Select(i => store.CommitAsync(Stores.Put($"r/{i}.txt", $"{i}"))));
            last = (await store.GetHeadAsync())!;
        }

        await using var again = await Stores.StartLocalAsync(Repo);
        Assert.Equal(last, await again.GetHeadAsync());
        Assert.Equal("49", Stores.Text(await again.ReadFileAsync("r/49.txt")));
        await again.CommitAsync(Stores.Put("r/50.txt", "50"));
        Assert.Equal(51, (await again.ListAsync("r")).Count);
    }

    [Fact]
    public async Task History_diff_and_revert_match_the_git_cli()
    {
        await using var store = await Stores.StartLocalAsync(Repo);
        var path = "tenants/acme/values.yaml";
        var v1 = await store.CommitAsync(Stores.Put(path, "replicas: 1\nimage: qdrant\n"));
        await store.CommitAsync(Stores.Put("tenants/other/values.yaml", "x\n"));
        var v2 = await store.CommitAsync(Stores.Put(path, "replicas: 2\nimage: qdrant\n"));
        await store.CommitAsync(Stores.Put("tenants/acme/extra.yaml", "extra\n"));
        var v3 = await store.CommitAsync(Stores.Put(path, "replicas: 3\nimage: qdrant\nport: 6333\n"));

        // History of the file, newest first, paginated.
        var cli = GitCli.Run(Repo, "log", "--format=%H", "main", "--", path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([v3, v2, v1], cli);
        var page1 = await store.GetHistoryAsync(path, limit: 2);
        var page2 = await store.GetHistoryAsync(path, limit: 2, cursor: page1.NextCursor);
        Assert.Equal(cli, page1.Commits.Concat(page2.Commits).Select(c => c.Revision));
        Assert.Equal("acme", page1.Commits[0].Trailers[StateTrailers.Tenant]);
        Assert.Equal(Stores.Alice, page1.Commits[0].Author);

        // History of a folder.
        var folderCli = GitCli.Run(Repo, "log", "--format=%H", "main", "--", "tenants/acme").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(folderCli, (await store.GetHistoryAsync("tenants/acme", 100)).Commits.Select(c => c.Revision));

        // Diff of a folder between two revisions.
        var diff = await store.DiffAsync(v1, v3, "tenants/acme");
        var nameStatus = GitCli.Run(Repo, "diff", "--name-status", v1, v3, "--", "tenants/acme").Trim().Split('\n')
            .Select(l => l.Split('\t')).Select(p => (p[1], p[0])).ToList();
        Assert.Equal(nameStatus, diff.Select(d => (d.Path, d.Kind switch { FileChangeKind.Added => "A", FileChangeKind.Deleted => "D", _ => "M" })));
        var cliPatch = GitCli.Run(Repo, "diff", v1, v3, "--", path);
        Assert.Equal(HunkLines(cliPatch), HunkLines(diff.Single(d => d.Path == path).Patch));

        // Revert the folder to v1: the file's content and the folder's listing are as they were then.
        var reverted = await store.RevertAsync(new RevertRequest { Path = "tenants/acme", ToRevision = v1, Author = Stores.Alice });
        Assert.Equal("", GitCli.Run(Repo, "diff", v1, reverted, "--", "tenants/acme"));
        Assert.Equal("replicas: 1\nimage: qdrant\n", Stores.Text(await store.ReadFileAsync(path)));
        Assert.Null(await store.ReadFileAsync("tenants/acme/extra.yaml"));
        Assert.Equal("x\n", Stores.Text(await store.ReadFileAsync("tenants/other/values.yaml")));
        Assert.Equal("replicas: 2\nimage: qdrant\n", Stores.Text(await store.ReadFileAsync(path, v2)));
    }

    private static string[] HunkLines(string patch) =>
        patch.Split('\n').SkipWhile(l => !l.StartsWith("@@", StringComparison.Ordinal)).Where(l => l.Length > 0).ToArray();

    [Fact]
    public async Task Commits_carry_the_injected_time_and_a_fake_clock_does_not_stall_the_committer()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var store = new GitStateStore(
            Microsoft.Extensions.Options.Options.Create(new GitOptions { RepositoryPath = Repo, SyncToDisk = false }),
            clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<GitStateStore>.Instance);
        await using (store)
        {
            await store.StartAsync();
            await Task.WhenAll(Enumerable.Range(0, 50).Select(i => store.CommitAsync(Stores.Put($"c/{i}.txt", "x"))));
        }

        Assert.Equal("2030-01-02T03:04:05+00:00", GitCli.Run(Repo, "log", "-1", "--format=%aI", "main").Trim());
    }

    [Fact]
    public async Task Listing_shows_files_and_folders_sorted()
    {
        await using var store = await Stores.StartLocalAsync(Repo);
        await store.CommitAsync(new Change
        {
            Puts = new Dictionary<string, ReadOnlyMemory<byte>>
            {
                ["f/b.txt"] = Encoding.UTF8.GetBytes("b"),
                ["f/a/x.txt"] = Encoding.UTF8.GetBytes("x"),
                ["f/a.txt"] = Encoding.UTF8.GetBytes("a"),
            },
            Author = Stores.Alice,
            Message = "three files",
        });

        var entries = await store.ListAsync("f");
        Assert.Equal(["a", "a.txt", "b.txt"], entries.Select(e => e.Name));
        Assert.Equal(StateEntryKind.Folder, entries[0].Kind);
        Assert.Equal("f/a.txt", entries[1].Path);
        Assert.Empty(await store.ListAsync("missing"));
        Assert.Equal("", GitCli.Run(Repo, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
    }
}
