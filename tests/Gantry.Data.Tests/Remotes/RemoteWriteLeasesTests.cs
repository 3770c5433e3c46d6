using Gantry.Core.State;
using Gantry.Data.Migrations;
using Gantry.Data.Remotes;
using Gantry.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Data.Tests.Remotes;

/// <summary>The write lease of a shared Git remote on a real PostgreSQL, as two replicas (two database objects, two pools) take it.</summary>
public sealed class RemoteWriteLeasesTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private const string Remote = "http://git.example/state.git#refs/heads/main";

    private async Task<(PostgresMetadataDatabase First, PostgresMetadataDatabase Second)> TwoReplicasAsync()
    {
        var connection = await server.CreateDatabaseAsync();
        var first = new PostgresMetadataDatabase(connection);
        await new MigrationRunner(first, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        return (first, new PostgresMetadataDatabase(connection));
    }

    [Fact]
    public async Task One_replica_holds_the_lease_at_a_time_and_the_next_reads_the_head_it_recorded()
    {
        var (first, second) = await TwoReplicasAsync();
        await using var _ = first;
        await using var __ = second;
        var (a, b) = (new RemoteWriteLeases(first), new RemoteWriteLeases(second));

        var held = await a.AcquireAsync(Remote, CancellationToken.None);
        Assert.NotNull(held);
        Assert.Null(held.RecordedHead);
        var waiting = b.AcquireAsync(Remote, CancellationToken.None);
        await using (await b.AcquireAsync("http://git.example/other.git#refs/heads/main", CancellationToken.None))
        {
            // Another remote is not held up.
        }

        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        var (one, two) = (new string('a', 40), new string('b', 40));
        await held.RecordAsync(new RecordedPush(null, one, [1, 2, 3], [4, 5]), CancellationToken.None);
        await held.RecordAsync(new RecordedPush(one, two, null, null), CancellationToken.None);
        await held.DisposeAsync();

        await using var next = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(two, next!.RecordedHead);
    }

    [Fact]
    public async Task Pushes_since_a_head_come_oldest_first_with_their_packs_and_only_the_newest_are_kept()
    {
        var (first, second) = await TwoReplicasAsync();
        await using var _ = first;
        await using var __ = second;
        var leases = new RemoteWriteLeases(first);
        var heads = Enumerable.Range(0, RemoteWriteLeases.KeptPushes + 3).Select(i => i.ToString("x40", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        await using (var held = await leases.AcquireAsync(Remote, CancellationToken.None))
        {
            for (var i = 0; i < heads.Count; i++)
            {
                await held!.RecordAsync(new RecordedPush(i == 0 ? null : heads[i - 1], heads[i], [(byte)i], [(byte)(i + 1)]), CancellationToken.None);
            }
        }

        // Read by another replica, without the lease.
        var reader = new RemoteWriteLeases(second);
        var recent = await reader.PushesSinceAsync(Remote, heads[^3], CancellationToken.None);
        Assert.Equal(heads[^1], recent.Newest);
        Assert.Equal([heads[^2], heads[^1]], recent.Since.Select(p => p.Head));
        Assert.Equal(heads[^3], recent.Since[0].Base);
        Assert.Equal([(byte)(heads.Count - 2)], recent.Since[0].Pack!);
        Assert.Equal([(byte)(heads.Count - 1)], recent.Since[0].Index!);

        var newest = await reader.PushesSinceAsync(Remote, heads[^1], CancellationToken.None);
        Assert.Equal(heads[^1], newest.Newest);
        Assert.Empty(newest.Since);

        // The oldest fell out of what is kept: a replica that far behind gets nothing to catch up from, and fetches.
        Assert.Empty((await reader.PushesSinceAsync(Remote, heads[0], CancellationToken.None)).Since);
        Assert.Single((await reader.PushesSinceAsync(Remote, heads[^2], CancellationToken.None)).Since);
        Assert.Empty((await reader.PushesSinceAsync("http://git.example/other.git#refs/heads/main", heads[^2], CancellationToken.None)).Since);
    }

    [Fact]
    public async Task A_wait_given_up_leaves_nothing_held()
    {
        var (first, second) = await TwoReplicasAsync();
        await using var _ = first;
        await using var __ = second;
        var (a, b) = (new RemoteWriteLeases(first), new RemoteWriteLeases(second));

        await using (await a.AcquireAsync(Remote, CancellationToken.None))
        {
            using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => b.AcquireAsync(Remote, soon.Token));
        }

        // The given-up waiter's pooled connection holds nothing: the first replica gets the lease back at once.
        await using (await a.AcquireAsync(Remote, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)))
        {
        }
    }

    [Fact]
    public async Task SQLite_needs_no_lease()
    {
        using var files = new SqliteFiles();
        Assert.Null(await new RemoteWriteLeases(await files.CreateAsync()).AcquireAsync(Remote, CancellationToken.None));
    }
}
