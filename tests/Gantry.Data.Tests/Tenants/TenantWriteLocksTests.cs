using Gantry.Data.Tenants;
using Gantry.Testing;

namespace Gantry.Data.Tests.Tenants;

/// <summary>The tenant locks on a real PostgreSQL, as two replicas (two databases objects, two pools) take them.</summary>
public sealed class TenantWriteLocksTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task A_tenant_locked_by_one_replica_waits_for_it_and_other_tenants_do_not()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var first = new PostgresMetadataDatabase(connection);
        await using var second = new PostgresMetadataDatabase(connection);
        var (a, b) = (new TenantWriteLocks(first), new TenantWriteLocks(second));

        var held = await a.AcquireAsync("acme", CancellationToken.None);
        var waiting = b.AcquireAsync("acme", CancellationToken.None);
        await using (await b.AcquireAsync("globex", CancellationToken.None))
        {
            // Another tenant is not held up.
        }

        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        await held.DisposeAsync();
        await using (await waiting.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.True(waiting.IsCompletedSuccessfully);
        }
    }

    [Fact]
    public async Task A_wave_takes_its_tenants_in_order_on_one_connection_and_releases_them_all()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var first = new PostgresMetadataDatabase(connection);
        await using var second = new PostgresMetadataDatabase(connection);
        var (a, b) = (new TenantWriteLocks(first), new TenantWriteLocks(second));

        await using (await a.AcquireAsync(["acme", "globex", "initech"], CancellationToken.None))
        {
            using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => b.AcquireAsync("initech", soon.Token));
        }

        await using (await b.AcquireAsync(["acme", "globex", "initech"], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)))
        {
        }
    }

    [Fact]
    public async Task SQLite_takes_no_lock()
    {
        using var files = new SqliteFiles();
        var locks = new TenantWriteLocks(await files.CreateAsync());
        Assert.False(locks.Shared);
        await using (await locks.AcquireAsync("acme", CancellationToken.None))
        await using (await locks.AcquireAsync("acme", CancellationToken.None))
        {
        }
    }
}
