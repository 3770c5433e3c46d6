using Gantry.Data.Instances;
using Gantry.Data.Migrations;
using Gantry.Data.Status;
using Gantry.Data.Tenants;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Data.Tests.Instances;

/// <summary>Instance write intents, on every provider.</summary>
public abstract class WriteIntentRepositoryContract
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<IMetadataDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task Intents_are_recorded_renewed_listed_by_age_and_cleared()
    {
        var intents = new WriteIntentRepository(await MigratedAsync());

        await intents.RecordAsync([("client1", "db1"), ("client1", "db2"), ("client2", "db1")], Now.AddMinutes(-5));
        await intents.RecordAsync([("client1", "db2")], Now.AddSeconds(-1)); // renewed: younger now
        await intents.RecordAsync([], Now);

        var old = await intents.ListOlderThanAsync(Now.AddSeconds(-10), limit: 10);
        Assert.Equal(["client1/db1", "client2/db1"], old.Select(i => $"{i.Tenant}/{i.Name}"));
        Assert.Equal(Now.AddMinutes(-5), old[0].CreatedAt);
        Assert.Equal(3, (await intents.ListOlderThanAsync(Now, limit: 10)).Count);
        Assert.Single(await intents.ListOlderThanAsync(Now, limit: 1));

        await intents.ClearAsync("client1", "db1");
        await intents.ClearAsync("client1", "db1"); // nothing left to clear: no error
        Assert.Equal(["client1/db2", "client2/db1"], (await intents.ListOlderThanAsync(Now, limit: 10)).Select(i => $"{i.Tenant}/{i.Name}").Order());
    }

    [Fact]
    public async Task Writing_the_index_row_with_its_committed_event_or_deleting_it_clears_the_intent()
    {
        var database = await MigratedAsync();
        var intents = new WriteIntentRepository(database);
        var index = new InstanceRepository(database);
        await intents.RecordAsync([("client1", "db1"), ("client1", "db2"), ("client1", "db3")], Now);

        await index.UpsertAsync(Record("db1"), Committed("db1"));
        await index.UpsertAsync(Record("db3")); // a row on its own (an unchanged claim) stands for no commit
        await index.DeleteAsync("client1", "db2");

        Assert.Equal(["db3"], (await intents.ListOlderThanAsync(Now, limit: 10)).Select(i => i.Name));
    }

    private async Task<IMetadataDatabase> MigratedAsync()
    {
        var database = await CreateDatabaseAsync();
        await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        await new TenantRepository(database).TryInsertAsync(new TenantRecord { Name = "client1", CreatedAt = Now });
        return database;
    }

    private static InstanceRecord Record(string name) => new()
    {
        Tenant = "client1", Name = name, Offering = "qdrant", Version = "*", ChartVersion = "1.12.6", Namespace = "ns", Revision = "r",
        Generation = 1, Status = "Committed", CreatedAt = Now, UpdatedAt = Now,
    };

    private static StatusEventRecord Committed(string name) => new()
    {
        Tenant = "client1", TargetKind = StatusTargetKinds.Instance, Target = name, Source = StatusSources.Gantry, Phase = "Committed",
        Generation = 1, Revision = "r", Applied = true, OccurredAt = Now, ReceivedAt = Now,
    };
}

public sealed class SqliteWriteIntentRepositoryTests : WriteIntentRepositoryContract, IDisposable
{
    private readonly SqliteFiles _files = new();

    protected override Task<IMetadataDatabase> CreateDatabaseAsync() => _files.CreateAsync();

    public void Dispose() => _files.Dispose();
}

public sealed class PostgresWriteIntentRepositoryTests(Gantry.Testing.PostgresServer server)
    : WriteIntentRepositoryContract, IClassFixture<Gantry.Testing.PostgresServer>
{
    protected override async Task<IMetadataDatabase> CreateDatabaseAsync() =>
        new PostgresMetadataDatabase(await server.CreateDatabaseAsync());
}
