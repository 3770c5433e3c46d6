using Gantry.Data.Instances;
using Gantry.Data.Migrations;
using Gantry.Data.Tenants;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Data.Tests.Instances;

/// <summary>Instance pins, on every provider.</summary>
public abstract class PinRepositoryContract
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<IMetadataDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task A_pin_is_set_replaced_listed_and_cleared()
    {
        var pins = new PinRepository(await MigratedAsync());

        await pins.SetAsync(Pin("db1", expires: null));
        await pins.SetAsync(Pin("db1", expires: Now.AddDays(1)) with { Reason = "freeze" });
        await pins.SetAsync(Pin("db2", expires: null));

        var found = await pins.FindAsync("client1", "db1");
        Assert.Equal("freeze", found?.Reason);
        Assert.Equal(Now.AddDays(1), found?.ExpiresAt);
        Assert.Equal(["db1", "db2"], (await pins.ListAsync("client1")).Select(p => p.Name).Order());
        Assert.Empty(await pins.ListAsync("other"));
        Assert.Equal(2, (await pins.ListAsync(tenant: null)).Count);
        Assert.True(await pins.DeleteAsync("client1", "db1"));
        Assert.False(await pins.DeleteAsync("client1", "db1"));
        Assert.Null(await pins.FindAsync("client1", "db1"));
    }

    [Fact]
    public async Task Expired_pins_are_listed_and_lifted_only_as_they_were_read()
    {
        var pins = new PinRepository(await MigratedAsync());
        await pins.SetAsync(Pin("old", expires: Now.AddMinutes(-1)));
        await pins.SetAsync(Pin("later", expires: Now.AddMinutes(1)));
        await pins.SetAsync(Pin("forever", expires: null));

        var expired = Assert.Single(await pins.ListExpiredAsync(Now, limit: 10));
        Assert.Equal("old", expired.Name);

        // Set again meanwhile: the sweep's copy no longer names it.
        await pins.SetAsync(expired with { PinnedAt = Now.AddSeconds(1) });
        Assert.False(await pins.DeleteExpiredAsync(expired));
        Assert.True(await pins.DeleteExpiredAsync(expired with { PinnedAt = Now.AddSeconds(1) }));
    }

    [Fact]
    public async Task Active_pins_and_the_fleet_are_counted_per_offering()
    {
        var database = await MigratedAsync();
        var index = new InstanceRepository(database);
        var pins = new PinRepository(database);
        foreach (var (name, chart) in new[] { ("db1", "1.12.6"), ("db2", "1.12.6"), ("db3", "1.13.6") })
        {
            await index.UpsertAsync(new InstanceRecord
            {
                Tenant = "client1", Name = name, Offering = "qdrant", Version = "*", ChartVersion = chart, Namespace = "ns", Revision = "r",
                Status = "Committed", CreatedAt = Now, UpdatedAt = Now,
            });
        }

        await pins.SetAsync(Pin("db1", expires: null));
        await pins.SetAsync(Pin("db2", expires: Now.AddMinutes(-1)));

        Assert.Equal(1, await pins.CountActiveAsync("qdrant", "client1", Now));
        Assert.Equal(0, await pins.CountActiveAsync("runner", tenant: null, Now));
        var counts = await index.CountFleetAsync("qdrant", tenant: null);
        Assert.Equal(2, counts.Single(c => c.ChartVersion == "1.12.6").Count);
        Assert.Equal(3, counts.Sum(c => c.Count));
    }

    [Fact]
    public async Task Deleting_an_instance_clears_its_pin()
    {
        var database = await MigratedAsync();
        var pins = new PinRepository(database);
        await pins.SetAsync(Pin("db1", expires: null));

        await new InstanceRepository(database).DeleteAsync("client1", "db1");

        Assert.Null(await pins.FindAsync("client1", "db1"));
    }

    private async Task<IMetadataDatabase> MigratedAsync()
    {
        var database = await CreateDatabaseAsync();
        await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        await new TenantRepository(database).TryInsertAsync(new TenantRecord { Name = "client1", CreatedAt = Now });
        return database;
    }

    private static PinRecord Pin(string name, DateTimeOffset? expires) => new()
    {
        Tenant = "client1",
        Name = name,
        Version = "1.12.6",
        Reason = "customer asked",
        ExpiresAt = expires,
        PinnedBy = "ana",
        PinnedAt = Now,
    };
}

public sealed class SqlitePinRepositoryTests : PinRepositoryContract, IDisposable
{
    private readonly SqliteFiles _files = new();

    protected override Task<IMetadataDatabase> CreateDatabaseAsync() => _files.CreateAsync();

    public void Dispose() => _files.Dispose();
}

public sealed class PostgresPinRepositoryTests(Gantry.Testing.PostgresServer server)
    : PinRepositoryContract, IClassFixture<Gantry.Testing.PostgresServer>
{
    protected override async Task<IMetadataDatabase> CreateDatabaseAsync() =>
        new PostgresMetadataDatabase(await server.CreateDatabaseAsync());
}
