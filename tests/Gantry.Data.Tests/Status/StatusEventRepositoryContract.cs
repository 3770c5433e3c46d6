using Gantry.Data.Clusters;
using Gantry.Data.Instances;
using Gantry.Data.Migrations;
using Gantry.Data.Status;
using Gantry.Data.Tenants;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Data.Tests.Status;

/// <summary>The status timeline and the clusters that report into it, on every provider.</summary>
public abstract class StatusEventRepositoryContract
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<IMetadataDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task A_report_on_the_current_generation_moves_the_status_and_is_kept_in_the_timeline()
    {
        var database = await MigratedAsync();
        var (instances, events) = (new InstanceRepository(database), new StatusEventRepository(database));
        var committedId = await instances.UpsertAsync(Record(generation: 2), Event("Committed", 2, Now));

        var stored = (await events.ReportOnInstanceAsync(Event("Ready", 2, Now.AddSeconds(5)) with { Source = StatusSources.Flux, Cluster = "prod" })).Stored;

        Assert.True(stored?.Applied);
        Assert.True(stored!.Id > committedId);
        Assert.Equal("rev-2", stored.Revision);
        var row = await instances.FindAsync("acme", "db1");
        Assert.Equal(("Ready", 2L, "prod"), (row!.Status, row.StatusGeneration, row.StatusCluster));
        var timeline = await events.ListForTargetAsync("acme", StatusTargetKinds.Instance, "db1", beforeId: null, limit: 10);
        Assert.Equal(["Ready", "Committed"], timeline.Select(e => e.Phase));
        Assert.Equal([stored.Id], (await events.ListAfterAsync("acme", committedId, 10)).Select(e => e.Id));
    }

    [Fact]
    public async Task A_report_on_an_older_generation_or_older_than_the_status_does_not_move_it()
    {
        var database = await MigratedAsync();
        var (instances, events) = (new InstanceRepository(database), new StatusEventRepository(database));
        await instances.UpsertAsync(Record(generation: 3), Event("Committed", 3, Now));
        await events.ReportOnInstanceAsync(Event("Ready", 3, Now.AddSeconds(10)));

        var older = await events.ReportOnInstanceAsync(Event("Failed", 2, Now.AddSeconds(20)));
        var earlier = await events.ReportOnInstanceAsync(Event("Failed", 3, Now.AddSeconds(5)));

        // A report on an older change is kept in the timeline; one older than the status is refused and not stored.
        Assert.Equal((ReportOutcome.Kept, false), (older.Outcome, older.Stored!.Applied));
        Assert.Equal((ReportOutcome.Stale, null, Now.AddSeconds(10)), (earlier.Outcome, earlier.Stored, earlier.StatusObservedAt));
        Assert.Equal("Ready", (await instances.FindAsync("acme", "db1"))!.Status);
        Assert.Equal(3, (await events.ListForTargetAsync("acme", StatusTargetKinds.Instance, "db1", null, 10)).Count);
        Assert.Equal(ReportOutcome.NoInstance, (await events.ReportOnInstanceAsync(Event("Ready", 1, Now) with { Target = "gone" })).Outcome);
    }

    [Fact]
    public async Task Pruning_keeps_the_newest_events_of_each_target()
    {
        var database = await MigratedAsync();
        var (instances, events) = (new InstanceRepository(database), new StatusEventRepository(database));
        await instances.UpsertAsync(Record(generation: 1), Event("Committed", 1, Now));
        for (var i = 1; i <= 5; i++)
        {
            await events.ReportOnInstanceAsync(Event("Reconciling", 1, Now.AddSeconds(i)));
        }

        Assert.Equal(3, await events.PruneAsync(keepPerTarget: 3));
        var kept = await events.ListForTargetAsync("acme", StatusTargetKinds.Instance, "db1", null, 10);
        Assert.Equal([Now.AddSeconds(5), Now.AddSeconds(4), Now.AddSeconds(3)], kept.Select(e => e.OccurredAt));
    }

    [Fact]
    public async Task Clusters_keep_their_tenant_bindings_and_a_deleted_tenant_leaves_them()
    {
        var database = await MigratedAsync();
        await new TenantRepository(database).TryInsertAsync(new TenantRecord { Name = "beta", CreatedAt = Now });
        var clusters = new ClusterRepository(database);
        var cluster = new ClusterRecord
        {
            Name = "prod-eu", Engine = ClusterEngines.Flux, Tenants = ["acme", "beta"], SecretNonce = "n1", SecretHash = "h1",
            CreatedBy = "admin", CreatedAt = Now, RotatedAt = Now,
        };

        Assert.True(await clusters.InsertAsync(cluster));
        Assert.False(await clusters.InsertAsync(cluster));
        Assert.Equal(["acme", "beta"], (await clusters.FindAsync("prod-eu"))!.Tenants);
        Assert.Equal(["prod-eu"], await clusters.ClustersOfTenantAsync("beta"));
        Assert.True(await clusters.RotateSecretAsync("prod-eu", "n2", "h2", Now.AddHours(1)));
        Assert.Equal("n2", (await clusters.ListAsync()).Single().SecretNonce);
        Assert.True(await clusters.DeleteAsync("prod-eu"));
        Assert.Empty(await clusters.ClustersOfTenantAsync("beta"));
    }

    private async Task<IMetadataDatabase> MigratedAsync()
    {
        var database = await CreateDatabaseAsync();
        await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        await new TenantRepository(database).TryInsertAsync(new TenantRecord { Name = "acme", CreatedAt = Now });
        return database;
    }

    private static InstanceRecord Record(long generation) => new()
    {
        Tenant = "acme",
        Name = "db1",
        Offering = "qdrant",
        Version = "^1.12.0",
        ChartVersion = "1.13.6",
        Namespace = "qdrant-acme",
        Revision = $"rev-{generation}",
        Generation = generation,
        Status = "Committed",
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    private static StatusEventRecord Event(string phase, long generation, DateTimeOffset when) => new()
    {
        Tenant = "acme",
        TargetKind = StatusTargetKinds.Instance,
        Target = "db1",
        Source = StatusSources.Gantry,
        Phase = phase,
        Generation = generation,
        OccurredAt = when,
        ReceivedAt = when,
    };
}

public sealed class SqliteStatusEventRepositoryTests : StatusEventRepositoryContract, IDisposable
{
    private readonly SqliteFiles _files = new();

    protected override Task<IMetadataDatabase> CreateDatabaseAsync() => _files.CreateAsync();

    public void Dispose() => _files.Dispose();
}

public sealed class PostgresStatusEventRepositoryTests(Gantry.Testing.PostgresServer server)
    : StatusEventRepositoryContract, IClassFixture<Gantry.Testing.PostgresServer>
{
    protected override async Task<IMetadataDatabase> CreateDatabaseAsync() =>
        new PostgresMetadataDatabase(await server.CreateDatabaseAsync());
}
