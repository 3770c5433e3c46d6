using System.Diagnostics.Metrics;
using Gantry.Core.State;
using Gantry.Git.Testing;

namespace Gantry.Git.Tests;

/// <summary>
/// Two stores (two replicas) pushing to one HTTP remote through a write lease: they take turns, so no push is refused,
/// and each fetches only when the other pushed. The lease here is an in-process one with the same contract as the
/// PostgreSQL advisory lock (tested in Gantry.Data.Tests).
/// </summary>
[Collection(HttpServerFixtureGroup.Name)]
public sealed class RemoteLeaseTests(GitHttpServer server) : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _name = $"l{Guid.NewGuid():N}.git";

    public void Dispose() => _temp.Dispose();

    private string RemotePath => Path.Combine(server.RepositoriesPath, _name);

    private Task<GitStateStore> StartAsync(string local, GitMetrics metrics, IRemoteWriteLease lease) => Stores.StartAsync(
        new GitOptions
        {
            RepositoryPath = _temp.Combine(local),
            Remote = server.Url(_name),
            Username = GitHttpServer.User,
            Password = server.Password,
            SyncToDisk = false,
            PushRetryDelay = TimeSpan.FromMilliseconds(5),
            LeaseBatches = 2,
        },
        metrics,
        lease);

    [Fact]
    public async Task Two_replicas_taking_turns_on_the_lease_never_have_a_push_refused()
    {
        server.CreateRepository(_name);
        using var lease = new InProcessLease();
        using var metrics = new GitMetrics();
        using var rejections = new Count(metrics.PushRejections);
        using var fetches = new Count(metrics.FetchDuration);
        await using var one = await StartAsync("one.git", metrics, lease);
        await using var two = await StartAsync("two.git", metrics, lease);

        var writes = Enumerable.Range(0, 300).Select(async i =>
        {
            await Task.Yield();
            var store = i % 2 == 0 ? one : two;
            return (i, await store.CommitAsync(Stores.Put($"storm/{i % 30}/{i}.txt", $"{i}")));
        });
        var revisions = await Task.WhenAll(writes);

        Assert.Equal(0, rejections.Total);
        Assert.True(lease.Turns >= 2, $"the replicas took turns ({lease.Turns})");

        Assert.Equal(300, GitCli.Run(RemotePath, "ls-tree", "-r", "--name-only", "main", "storm").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var history = GitCli.Run(RemotePath, "rev-list", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Assert.All(revisions, r => Assert.Contains(r.Item2, history));
        Assert.Equal("", GitCli.Run(RemotePath, "rev-list", "--merges", "main").Trim());
        Assert.Equal(GitCli.Run(RemotePath, "rev-parse", "main").Trim(), lease.Recorded);

        // Each sees the other's changes once it is its turn again.
        await one.CommitAsync(Stores.Put("last/one.txt", "one"));
        await two.CommitAsync(Stores.Put("last/two.txt", "two"));
        Assert.Equal("one", Stores.Text(await two.ReadFileAsync("last/one.txt")));
        Assert.Equal(0, rejections.Total);

        // Each fetched at start and at most once more, before it had pushed anything; after that every turn caught up
        // from the packs the other relayed.
        Assert.True(lease.Relayed >= 1, $"the replicas caught up from relayed pushes ({lease.Relayed}; turns {lease.Turns}, fetches {fetches.Events}, pushes {lease.Describe()})");
        Assert.True(fetches.Events <= 4, $"{fetches.Events} fetches");
        Assert.Equal("", GitCli.Run(RemotePath, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
    }

    [Fact]
    public async Task A_lease_that_cannot_be_had_leaves_the_remote_to_refuse_what_is_not_a_fast_forward()
    {
        server.CreateRepository(_name);
        using var metrics = new GitMetrics();
        var broken = new BrokenLease();
        await using var one = await StartAsync("one.git", metrics, broken);
        await using var two = await StartAsync("two.git", metrics, broken);

        var revisions = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            await Task.Yield();
            return await (i % 2 == 0 ? one : two).CommitAsync(Stores.Put($"blind/{i}.txt", $"{i}"));
        }));

        Assert.True(broken.Asked > 0);
        var history = GitCli.Run(RemotePath, "rev-list", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Assert.All(revisions, r => Assert.Contains(r, history));
        Assert.Equal(60, GitCli.Run(RemotePath, "ls-tree", "-r", "--name-only", "main", "blind").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    /// <summary>One holder at a time and the pushes recorded in order: the contract of the PostgreSQL lease, in memory.</summary>
    private sealed class InProcessLease : IRemoteWriteLease, IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly List<RecordedPush> _pushes = [];
        private int _relayed;

        public string? Recorded => Pushes().LastOrDefault()?.Head;

        public int Turns { get; private set; }

        /// <summary>How often a replica was given pushes to catch up from.</summary>
        public int Relayed => Volatile.Read(ref _relayed);

        public void Dispose() => _gate.Dispose();

        public string Describe() => string.Join(" ", Pushes().Select(p => $"{p.Base?[..6] ?? "none"}>{p.Head[..6]}"));

        public async Task<IRemoteLeaseHold?> AcquireAsync(string remote, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken);
            Turns++;
            return new Hold(this, Recorded);
        }

        public Task<RecordedPushes> PushesSinceAsync(string remote, string head, CancellationToken cancellationToken)
        {
            var pushes = Pushes();
            var at = pushes.FindLastIndex(p => p.Head == head);
            var since = at < 0 ? [] : pushes.Skip(at + 1).ToList();
            if (since.Count > 0)
            {
                Interlocked.Increment(ref _relayed);
            }

            return Task.FromResult(new RecordedPushes(pushes.LastOrDefault()?.Head, since));
        }

        private List<RecordedPush> Pushes()
        {
            lock (_pushes)
            {
                return [.. _pushes];
            }
        }

        private sealed class Hold(InProcessLease lease, string? recorded) : IRemoteLeaseHold
        {
            private bool _released;

            public string? RecordedHead { get; } = recorded;

            public Task RecordAsync(RecordedPush push, CancellationToken cancellationToken)
            {
                Assert.False(_released, "a push was recorded after the lease was handed on");
                lock (lease._pushes)
                {
                    lease._pushes.Add(push);
                }

                return Task.CompletedTask;
            }

            public ValueTask DisposeAsync()
            {
                Assert.False(_released);
                _released = true;
                lease._gate.Release();
                return ValueTask.CompletedTask;
            }
        }
    }

    /// <summary>A lease whose database is gone.</summary>
    private sealed class BrokenLease : IRemoteWriteLease
    {
        private int _asked;

        public int Asked => _asked;

        public Task<IRemoteLeaseHold?> AcquireAsync(string remote, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _asked);
            throw new InvalidOperationException("The database is unreachable.");
        }

        public Task<RecordedPushes> PushesSinceAsync(string remote, string head, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The database is unreachable.");
    }

    /// <summary>Counts one instrument's measurements, and sums a counter's.</summary>
    private sealed class Count : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;
        private long _events;

        public Count(Instrument measured)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument, measured))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
            {
                Interlocked.Add(ref _total, value);
                Interlocked.Increment(ref _events);
            });
            _listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _events));
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public long Events => Interlocked.Read(ref _events);

        public void Dispose() => _listener.Dispose();
    }
}
