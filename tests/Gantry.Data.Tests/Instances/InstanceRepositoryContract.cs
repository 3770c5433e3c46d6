using Dapper;
using Gantry.Data.Instances;
using Gantry.Data.Migrations;
using Gantry.Data.Status;
using Gantry.Data.Tenants;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Data.Tests.Instances;

/// <summary>The instance index and idempotency keys, on every provider.</summary>
public abstract class InstanceRepositoryContract
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<IMetadataDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task Upsert_keeps_created_at_and_updates_the_rest()
    {
        var repository = new InstanceRepository(await MigratedAsync());

        await repository.UpsertAsync(Record("db1", revision: "a"));
        await repository.UpsertAsync(Record("db1", revision: "b") with { CreatedAt = Now.AddDays(5), UpdatedAt = Now.AddDays(5) });

        var found = await repository.FindAsync("client1", "db1");
        Assert.Equal("b", found?.Revision);
        Assert.Equal(Now, found?.CreatedAt);
        Assert.Equal(Now.AddDays(5), found?.UpdatedAt);
    }

    [Fact]
    public async Task Lists_filter_by_offering_status_and_prefix_and_page_by_name()
    {
        var repository = new InstanceRepository(await MigratedAsync());
        foreach (var name in new[] { "db1", "db2", "db3", "runner1", "d_b" })
        {
            await repository.UpsertAsync(Record(name) with { Offering = name.StartsWith('r') ? "runner" : "qdrant" });
        }

        var firstPage = await repository.ListAsync("client1", new InstanceQuery { Offering = "qdrant", Limit = 2 });
        var secondPage = await repository.ListAsync("client1", new InstanceQuery { Offering = "qdrant", Limit = 2, After = firstPage[^1].Name });

        Assert.Equal(["d_b", "db1"], firstPage.Select(r => r.Name));
        Assert.Equal(["db2", "db3"], secondPage.Select(r => r.Name));

        // '_' and '%' in a prefix are literal characters, not LIKE wildcards.
        Assert.Equal(["d_b"], (await repository.ListAsync("client1", new InstanceQuery { NamePrefix = "d_" })).Select(r => r.Name));
        Assert.Empty(await repository.ListAsync("client1", new InstanceQuery { NamePrefix = "%" }));
        Assert.Empty(await repository.ListAsync("client1", new InstanceQuery { Status = "failed" }));
        Assert.Equal(5, await repository.CountAsync("client1"));
        Assert.Empty(await repository.ListAsync("other", new InstanceQuery()));
    }

    [Fact]
    public async Task Replacing_the_index_is_all_or_nothing()
    {
        var repository = new InstanceRepository(await MigratedAsync());
        await repository.UpsertAsync(Record("old"));

        await repository.ReplaceAllAsync([Record("new1"), Record("new2")]);

        Assert.Equal(["new1", "new2"], (await repository.ListAsync("client1", new InstanceQuery())).Select(r => r.Name));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => repository.ReplaceAllAsync([Record("x") with { Tenant = "no-such-tenant" }]));
        Assert.Equal(["new1", "new2"], (await repository.ListAsync("client1", new InstanceQuery())).Select(r => r.Name));
    }

    [Fact]
    public async Task Migration_11_adds_who_changed_an_instance_and_leaves_rows_indexed_before_it_without_one()
    {
        var database = await CreateDatabaseAsync();
        await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance, Schema.Migrations.Where(m => m.Version <= 10).ToList()).ApplyAsync();
        await new TenantRepository(database).TryInsertAsync(new TenantRecord { Name = "client1", CreatedAt = Now });
        await using (var connection = await database.OpenForWriteAsync())
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO instances (tenant, name, offering, version, chart_version, namespace, revision, status, created_at, updated_at)
                VALUES ('client1', 'db1', 'qdrant', '^1.12.0', '1.13.6', 'qdrant-client1', 'r1', 'Committed', @Now, @Now)
                """, new { Now });
        }

        // Up to 11 only: the test is about that migration, whatever is appended after it.
        var status = await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance, Schema.Migrations.Where(m => m.Version <= 11).ToList()).ApplyAsync();
        var repository = new InstanceRepository(database);
        var before = await repository.FindAsync("client1", "db1");
        await repository.UpsertAsync(Record("db1", revision: "r2") with { ChangedBy = "alice" });

        Assert.Equal(11, status.AppliedVersion);
        Assert.Equal("r1", before?.Revision);
        Assert.Null(before?.ChangedBy);
        Assert.Equal("alice", (await repository.FindAsync("client1", "db1"))?.ChangedBy);
        Assert.Equal("alice", Assert.Single(await repository.ListAsync("client1", new InstanceQuery())).ChangedBy);
    }

    [Fact]
    public async Task An_engine_report_moves_the_status_but_not_who_changed_the_instance()
    {
        var database = await MigratedAsync();
        var repository = new InstanceRepository(database);
        await repository.UpsertAsync(Record("db1") with { ChangedBy = "alice", Generation = 1 });

        var result = await new StatusEventRepository(database).ReportOnInstanceAsync(new StatusEventRecord
        {
            Tenant = "client1",
            TargetKind = StatusTargetKinds.Instance,
            Target = "db1",
            Source = StatusSources.Flux,
            Phase = "Ready",
            Generation = 1,
            OccurredAt = Now.AddMinutes(1),
            ReceivedAt = Now.AddMinutes(1),
        });

        var found = await repository.FindAsync("client1", "db1");
        Assert.Equal(ReportOutcome.Applied, result.Outcome);
        Assert.Equal("Ready", found?.Status);
        Assert.Equal("alice", found?.ChangedBy);
    }

    [Fact]
    public async Task Idempotency_keys_keep_the_first_answer_per_principal()
    {
        var repository = new IdempotencyRepository(await MigratedAsync());

        await repository.SaveAsync("alice", "key-1", new IdempotentResponse { RequestHash = "hash-a", StatusCode = 201, ResponseBody = "{}", ETag = "rev1" }, Now);
        await repository.SaveAsync("alice", "key-1", new IdempotentResponse { RequestHash = "hash-b", StatusCode = 201, ResponseBody = "{}", ETag = "rev2" }, Now);

        Assert.Equal("rev1", (await repository.FindAsync("alice", "key-1"))?.ETag);
        Assert.Null(await repository.FindAsync("bob", "key-1"));
        Assert.Equal(1, await repository.PruneAsync(Now.AddHours(25)));
        Assert.Null(await repository.FindAsync("alice", "key-1"));
    }

    private async Task<IMetadataDatabase> MigratedAsync()
    {
        var database = await CreateDatabaseAsync();
        await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        await new TenantRepository(database).TryInsertAsync(new TenantRecord { Name = "client1", CreatedAt = Now });
        return database;
    }

    private static InstanceRecord Record(string name, string revision = "r1") => new()
    {
        Tenant = "client1",
        Name = name,
        Offering = "qdrant",
        Version = "^1.12.0",
        ChartVersion = "1.13.6",
        Namespace = "qdrant-client1",
        Revision = revision,
        Status = "committed",
        CreatedAt = Now,
        UpdatedAt = Now,
    };
}

public sealed class SqliteInstanceRepositoryTests : InstanceRepositoryContract, IDisposable
{
    private readonly SqliteFiles _files = new();

    protected override Task<IMetadataDatabase> CreateDatabaseAsync() => _files.CreateAsync();

    public void Dispose() => _files.Dispose();
}

public sealed class PostgresInstanceRepositoryTests(Gantry.Testing.PostgresServer server)
    : InstanceRepositoryContract, IClassFixture<Gantry.Testing.PostgresServer>
{
    protected override async Task<IMetadataDatabase> CreateDatabaseAsync() =>
        new PostgresMetadataDatabase(await server.CreateDatabaseAsync());
}
