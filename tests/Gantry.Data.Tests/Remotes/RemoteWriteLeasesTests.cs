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
        var head = new string('a', 40);
        await held.RecordAsync(head, CancellationToken.None);
        await held.DisposeAsync();

        await using var next = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(head, next!.RecordedHead);
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
