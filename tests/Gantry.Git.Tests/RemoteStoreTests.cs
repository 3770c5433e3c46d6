using Gantry.Core.State;
using Gantry.Git.Testing;

namespace Gantry.Git.Tests;

[CollectionDefinition(Name)]
public sealed class HttpServerFixtureGroup : ICollectionFixture<GitHttpServer>
{
    public const string Name = "git http-backend";
}

[Collection(HttpServerFixtureGroup.Name)]
public sealed class RemoteStoreTests(GitHttpServer server) : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _name = $"r{Guid.NewGuid():N}.git";

    public void Dispose() => _temp.Dispose();

    private string RemotePath => Path.Combine(server.RepositoriesPath, _name);

    private Task<GitStateStore> StartAsync(string? password = null, string local = "local.git") => Stores.StartAsync(new GitOptions
    {
        RepositoryPath = _temp.Combine(local),
        Remote = server.Url(_name),
        Username = GitHttpServer.User,
        Password = password ?? server.Password,
        SyncToDisk = false,
        PushRetryDelay = TimeSpan.FromMilliseconds(5),
    });

    [Fact]
    public async Task Wrong_credentials_fail_clearly_and_nothing_is_acknowledged()
    {
        server.CreateRepository(_name);
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");

        var refused = await Assert.ThrowsAsync<StateStoreException>(() => StartAsync(wrong));
        Assert.Contains("refused the credentials", refused.Message, StringComparison.Ordinal);
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, refused.ToString(), StringComparison.Ordinal);
        Assert.Equal("", GitCli.Run(RemotePath, "for-each-ref").Trim());
    }

    [Fact]
    public async Task A_revoked_password_fails_the_push_and_nothing_is_acknowledged()
    {
        server.CreateRepository(_name);
        var password = server.Password;
        await using var store = await StartAsync();
        var first = await store.CommitAsync(Stores.Put("a.txt", "1"));
        try
        {
            server.SetPassword("rotated-" + Guid.NewGuid().ToString("N"));
            var failed = await Assert.ThrowsAsync<StateStoreException>(() => store.CommitAsync(Stores.Put("b.txt", "2")));
            Assert.Contains("refused the credentials", failed.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(password, failed.ToString(), StringComparison.Ordinal);
            Assert.Equal(first, GitCli.Run(RemotePath, "rev-parse", "main").Trim());
            Assert.Equal(first, await store.GetHeadAsync());
        }
        finally
        {
            server.SetPassword(password);
        }

        // Once the credentials work again, so does the store.
        var next = await store.CommitAsync(Stores.Put("b.txt", "2"));
        Assert.Equal(next, GitCli.Run(RemotePath, "rev-parse", "main").Trim());
    }

    [Fact]
    public async Task Five_hundred_concurrent_changes_reach_the_remote_in_one_linear_history()
    {
        server.CreateRepository(_name);
        await using var store = await StartAsync();
        var changes = Enumerable.Range(0, 500).Select(i => Stores.Put($"{StateLayout.TenantFolder($"t{i % 97}")}/c{i}.yaml", $"n: {i}\n", changeId: $"change-{i}")).ToList();
        var revisions = await Task.WhenAll(changes.Select(c => store.CommitAsync(c)));

        var head = GitCli.Run(RemotePath, "rev-parse", "main").Trim();
        Assert.Equal(await store.GetHeadAsync(), head);
        Assert.Equal("500", GitCli.Run(RemotePath, "rev-list", "--count", "main").Trim());
        Assert.Equal("", GitCli.Run(RemotePath, "rev-list", "--merges", "main").Trim());
        var ids = GitCli.Run(RemotePath, "log", "--format=%H %(trailers:key=Gantry-Change-Id,valueonly,separator=)", "main")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(p => p[1], p => p[0]);
        for (var i = 0; i < changes.Count; i++)
        {
            Assert.Equal(revisions[i], ids[$"change-{i}"]);
            Assert.Equal($"n: {i}\n", GitCli.Run(RemotePath, "show", $"{revisions[i]}:{changes[i].Puts.Keys.Single()}"));
        }

        Assert.Equal("", GitCli.Run(RemotePath, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
    }

    [Fact]
    public async Task Another_writer_is_rebased_over_and_only_conflicting_changes_are_refused()
    {
        server.CreateRepository(_name);
        await using var store = await StartAsync();
        var seed = await store.CommitAsync(new Change
        {
            Puts = new Dictionary<string, ReadOnlyMemory<byte>>
            {
                ["shared/values.yaml"] = "a: 1\n"u8.ToArray(),
                ["other/values.yaml"] = "b: 1\n"u8.ToArray(),
            },
            Author = Stores.Alice,
            Message = "seed",
        });

        // Another writer pushes between batches with the git CLI.
        var work = _temp.Combine("work");
        GitCli.Run(_temp.Path, "clone", "--quiet", server.UrlWithCredentials(_name), work);
        File.WriteAllText(Path.Combine(work, "shared", "values.yaml"), "a: other\n");
        File.WriteAllText(Path.Combine(work, "theirs.yaml"), "theirs\n");
        GitCli.Run(work, "add", "-A");
        GitCli.Run(work, "commit", "--quiet", "-m", "other writer");
        GitCli.Run(work, "push", "--quiet", "origin", "main");
        var theirs = GitCli.Run(work, "rev-parse", "HEAD").Trim();

        var independent = store.CommitAsync(Stores.Put("mine/values.yaml", "mine\n"));
        var stale = store.CommitAsync(Stores.Put("shared/values.yaml", "a: mine\n", baseRevision: seed));
        var unbased = store.CommitAsync(Stores.Put("shared/values.yaml", "a: unbased\n"));
        var alsoIndependent = store.CommitAsync(Stores.Put("other/values.yaml", "b: 2\n", baseRevision: seed));

        var landed = await independent;
        var conflict = await Assert.ThrowsAsync<ChangeConflictException>(() => stale);
        Assert.Equal(["shared/values.yaml"], conflict.Paths);
        await Assert.ThrowsAsync<ChangeConflictException>(() => unbased);
        var last = await alsoIndependent;

        Assert.Equal(last, GitCli.Run(RemotePath, "rev-parse", "main").Trim());
        Assert.Equal("", GitCli.Run(RemotePath, "rev-list", "--merges", "main").Trim());
        Assert.Equal("0", GitCli.Run(RemotePath, "rev-list", "--count", $"{landed}..{theirs}").Trim());
        Assert.Equal("a: other\n", GitCli.Run(RemotePath, "show", "main:shared/values.yaml"));
        Assert.Equal("theirs\n", GitCli.Run(RemotePath, "show", "main:theirs.yaml"));
        Assert.Equal("mine\n", GitCli.Run(RemotePath, "show", "main:mine/values.yaml"));
        Assert.Equal("b: 2\n", GitCli.Run(RemotePath, "show", "main:other/values.yaml"));
        Assert.Equal("", GitCli.Run(RemotePath, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
    }

    [Fact]
    public async Task Another_writer_pushing_during_a_write_storm_loses_nothing()
    {
        server.CreateRepository(_name);
        await using var store = await StartAsync();
        await store.CommitAsync(Stores.Put("seed.txt", "seed"));
        var work = _temp.Combine("work");
        GitCli.Run(_temp.Path, "clone", "--quiet", server.UrlWithCredentials(_name), work);

        var storm = Task.WhenAll(Enumerable.Range(0, 400).Select(async i =>
        {
            await Task.Yield();
            return await store.CommitAsync(Stores.Put($"storm/{i % 40}/{i}.txt", $"{i}"));
        }));
        var theirs = 0;
        while (!storm.IsCompleted && theirs < 5)
        {
            File.WriteAllText(Path.Combine(work, $"theirs-{theirs}.txt"), "theirs");
            GitCli.Run(work, "add", "-A");
            GitCli.Run(work, "commit", "--quiet", "-m", $"theirs {theirs}");
            // Like any writer beside Gantry: on a refusal, rebase onto what Gantry pushed meanwhile and try again
            // (Gantry may push again between the pull and the push while the storm runs).
            for (var attempt = 1; GitCli.TryRun(work, "push", "--quiet", "origin", "main").ExitCode != 0; attempt++)
            {
                Assert.True(attempt < 50, "the other writer could not push in 50 attempts");
                GitCli.Run(work, "pull", "--quiet", "--rebase", "origin", "main");
            }

            theirs++;
        }

        var revisions = await storm;
        Assert.True(theirs >= 1, "the other writer pushed during the storm");
        Assert.Equal(400, GitCli.Run(RemotePath, "ls-tree", "-r", "--name-only", "main", "storm").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(Enumerable.Range(0, theirs), k => Assert.Equal("theirs", GitCli.Run(RemotePath, "show", $"main:theirs-{k}.txt")));
        var history = GitCli.Run(RemotePath, "rev-list", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Assert.All(revisions, r => Assert.Contains(r, history));
        Assert.Equal("", GitCli.Run(RemotePath, "rev-list", "--merges", "main").Trim());
        Assert.Equal("", GitCli.Run(RemotePath, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
    }

    [Fact]
    public async Task Start_clones_the_remote_and_adopts_its_branch_with_a_token_from_a_file()
    {
        server.CreateRepository(_name);
        string head;
        await using (var first = await StartAsync(local: "first.git"))
        {
            await first.CommitAsync(Stores.Put("x/y.txt", "hello"));
            head = (await first.GetHeadAsync())!;
        }

        // The second store reads its token from a file, as from a mounted secret.
        var passwordFile = _temp.Combine("token");
        await File.WriteAllTextAsync(passwordFile, server.Password + "\n");
        await using var second = await Stores.StartAsync(new GitOptions
        {
            RepositoryPath = _temp.Combine("second.git"),
            Remote = server.Url(_name),
            Username = GitHttpServer.User,
            PasswordFile = passwordFile,
            SyncToDisk = false,
        });
        Assert.Equal(head, await second.GetHeadAsync());
        Assert.Equal("hello", Stores.Text(await second.ReadFileAsync("x/y.txt")));
        var next = await second.CommitAsync(Stores.Put("x/z.txt", "again"));
        Assert.Equal(next, GitCli.Run(RemotePath, "rev-parse", "main").Trim());
    }
}

public sealed class FileRemoteTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_local_path_remote_receives_every_change_and_survives_another_writer()
    {
        var remote = _temp.Combine("remote.git");
        GitCli.InitBare(remote);
        await using var store = await Stores.StartAsync(new GitOptions
        {
            RepositoryPath = _temp.Combine("local.git"),
            Remote = "file://" + remote,
            SyncToDisk = false,
            PushRetryDelay = TimeSpan.FromMilliseconds(5),
        });
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => store.CommitAsync(Stores.Put($"f/{i}.txt", $"{i}"))));

        var work = _temp.Combine("work");
        GitCli.Run(_temp.Path, "clone", "--quiet", remote, work);
        File.WriteAllText(Path.Combine(work, "g.txt"), "other");
        GitCli.Run(work, "add", "-A");
        GitCli.Run(work, "commit", "--quiet", "-m", "other");
        GitCli.Run(work, "push", "--quiet", "origin", "main");

        var last = await store.CommitAsync(Stores.Put("f/100.txt", "100"));
        Assert.Equal(last, GitCli.Run(remote, "rev-parse", "main").Trim());
        Assert.Equal("102", GitCli.Run(remote, "rev-list", "--count", "main").Trim());
        Assert.Equal("other", GitCli.Run(remote, "show", "main:g.txt"));
        Assert.Equal("", GitCli.Run(remote, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
    }
}
