using Gantry.Data.Migrations;
using Gantry.Data.Rollouts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Data.Tests.Rollouts;

/// <summary>Rollout documents, on every provider.</summary>
public abstract class RolloutRepositoryContract
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<IMetadataDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task A_write_based_on_an_older_version_is_refused()
    {
        var rollouts = new RolloutRepository(await MigratedAsync());
        await rollouts.InsertAsync(Record("r1", tenant: "client1"));

        var read = (await rollouts.FindAsync("r1"))!;
        Assert.Equal(1, read.Version);
        Assert.True(await rollouts.UpdateAsync(read with { State = "Paused", Document = "{\"n\":2}" }));
        Assert.False(await rollouts.UpdateAsync(read with { State = "Running" }));

        var now = (await rollouts.FindAsync("r1"))!;
        Assert.Equal(("Paused", 2L, "{\"n\":2}"), (now.State, now.Version, now.Document));
    }

    [Fact]
    public async Task Lists_are_newest_first_per_tenant_or_all_and_active_ids_by_state()
    {
        var rollouts = new RolloutRepository(await MigratedAsync());
        await rollouts.InsertAsync(Record("r1", tenant: "client1"));
        await rollouts.InsertAsync(Record("r2", tenant: null) with { CreatedAt = Now.AddMinutes(1), State = "Completed" });
        await rollouts.InsertAsync(Record("r3", tenant: "client1") with { CreatedAt = Now.AddMinutes(2), State = "RollingBack" });

        Assert.Equal(["r3", "r2", "r1"], (await rollouts.ListAsync(null, allTenants: true, limit: 10)).Select(r => r.Id));
        Assert.Equal(["r3", "r1"], (await rollouts.ListAsync("client1", allTenants: false, limit: 10)).Select(r => r.Id));
        Assert.Equal(["r1", "r3"], await rollouts.ListIdsInStateAsync("Running", "RollingBack"));
    }

    private async Task<IMetadataDatabase> MigratedAsync()
    {
        var database = await CreateDatabaseAsync();
        await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        return database;
    }

    private static RolloutRecord Record(string id, string? tenant) => new()
    {
        Id = id,
        Offering = "runner",
        Tenant = tenant,
        State = "Running",
        Document = "{}",
        StartedBy = "u1",
        CreatedAt = Now,
        UpdatedAt = Now,
    };
}

public sealed class SqliteRolloutRepositoryTests : RolloutRepositoryContract, IDisposable
{
    private readonly SqliteFiles _files = new();

    protected override Task<IMetadataDatabase> CreateDatabaseAsync() => _files.CreateAsync();

    public void Dispose() => _files.Dispose();
}

public sealed class PostgresRolloutRepositoryTests(Gantry.Testing.PostgresServer server)
    : RolloutRepositoryContract, IClassFixture<Gantry.Testing.PostgresServer>
{
    protected override async Task<IMetadataDatabase> CreateDatabaseAsync() =>
        new PostgresMetadataDatabase(await server.CreateDatabaseAsync());
}
