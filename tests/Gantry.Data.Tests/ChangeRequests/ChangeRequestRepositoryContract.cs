using Gantry.Data.ChangeRequests;
using Gantry.Data.Migrations;
using Gantry.Data.Tenants;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Data.Tests.ChangeRequests;

/// <summary>Change requests on every provider: round trip, filtered lists, and decisions that cannot both win.</summary>
public abstract class ChangeRequestRepositoryContract
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 30, 0, TimeSpan.Zero);
    private int _sequence;

    protected abstract Task<IMetadataDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task A_request_round_trips_with_every_field()
    {
        var repository = new ChangeRequestRepository(await MigratedAsync());
        var request = Request("team-a", "prod-1") with
        {
            Payload = """{"environment_name":"prod-1","services":{"api":"^1.2"}}""",
            Status = ChangeRequestStatuses.Applied,
            DecidedBy = "u-2",
            DecidedByName = "bob",
            DecidedAt = Now.AddMinutes(5).ToOffset(TimeSpan.FromHours(2)),
            DecisionComment = "ok",
            ResultRevision = new string('a', 40),
            Problem = null,
        };

        await repository.InsertAsync(request);

        var found = await repository.FindAsync(request.Id);
        Assert.Equal(request with { DecidedAt = Now.AddMinutes(5) }, found);
        Assert.Equal(TimeSpan.Zero, found!.DecidedAt!.Value.Offset);
        Assert.Null(await repository.FindAsync("no-such-id"));
    }

    [Fact]
    public async Task Lists_are_newest_first_filtered_and_limited_to_visible_pools()
    {
        var repository = new ChangeRequestRepository(await MigratedAsync());
        var a1 = Request("team-a", "one");
        var b1 = Request("team-b", "one") with { Kind = "other" };
        var a2 = Request("team-a", "two") with { Status = ChangeRequestStatuses.Rejected };
        var a3 = Request("team-a", "three");
        foreach (var request in new[] { a1, b1, a2, a3 })
        {
            await repository.InsertAsync(request);
        }

        async Task<string[]> Ids(ChangeRequestQuery query) => [.. (await repository.ListAsync(query)).Select(r => r.Id)];

        Assert.Equal([a3.Id, a2.Id, b1.Id, a1.Id], await Ids(new ChangeRequestQuery()));
        Assert.Equal([a3.Id, a2.Id, a1.Id], await Ids(new ChangeRequestQuery { VisiblePools = ["team-a"] }));
        Assert.Empty(await Ids(new ChangeRequestQuery { VisiblePools = [] }));
        Assert.Empty(await Ids(new ChangeRequestQuery { VisiblePools = ["team-a"], Pool = "team-b" }));
        Assert.Equal([b1.Id], await Ids(new ChangeRequestQuery { Pool = "team-b" }));
        Assert.Equal([a3.Id, a1.Id], await Ids(new ChangeRequestQuery { Status = ChangeRequestStatuses.Open, Kind = "environment" }));
        Assert.Equal([a2.Id], await Ids(new ChangeRequestQuery { Target = "two" }));
        Assert.Equal([a3.Id, a2.Id], await Ids(new ChangeRequestQuery { Limit = 2 }));
        Assert.Equal([b1.Id, a1.Id], await Ids(new ChangeRequestQuery { Before = a2.Id }));
    }

    [Fact]
    public async Task Of_two_decisions_on_one_version_only_the_first_is_written()
    {
        var repository = new ChangeRequestRepository(await MigratedAsync());
        var open = Request("team-a", "prod-1");
        await repository.InsertAsync(open);
        var approve = open with { Status = ChangeRequestStatuses.Approved, DecidedBy = "u-2", DecidedByName = "bob", DecidedAt = Now };
        var reject = open with { Status = ChangeRequestStatuses.Rejected, DecidedBy = "u-3", DecidedByName = "carol", DecidedAt = Now };

        Assert.True(await repository.TryUpdateAsync(open, approve));
        Assert.False(await repository.TryUpdateAsync(open, reject));

        var stored = await repository.FindAsync(open.Id);
        Assert.Equal(ChangeRequestStatuses.Approved, stored!.Status);
        Assert.Equal("bob", stored.DecidedByName);
        Assert.Equal(2, stored.Version);

        var applied = stored with { Status = ChangeRequestStatuses.Applied, ResultRevision = new string('b', 40) };
        Assert.True(await repository.TryUpdateAsync(stored, applied));
        Assert.Equal(3, (await repository.FindAsync(open.Id))!.Version);
    }

    [Fact]
    public async Task Concurrent_decisions_leave_exactly_one_winner()
    {
        var repository = new ChangeRequestRepository(await MigratedAsync());
        var open = Request("team-a", "prod-1");
        await repository.InsertAsync(open);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => repository.TryUpdateAsync(open,
            open with { Status = ChangeRequestStatuses.Rejected, DecidedBy = $"u-{i}", DecidedByName = $"admin{i}", DecidedAt = Now }))));

        Assert.Single(results, r => r);
        Assert.Equal(2, (await repository.FindAsync(open.Id))!.Version);
    }

    [Fact]
    public async Task A_request_must_name_an_existing_pool_and_goes_with_it()
    {
        var database = await MigratedAsync();
        var repository = new ChangeRequestRepository(database);

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => repository.InsertAsync(Request("no-such-pool", "x")));

        var request = Request("team-b", "x");
        await repository.InsertAsync(request);
        await new TenantRepository(database).DeleteAsync("team-b");
        Assert.Null(await repository.FindAsync(request.Id));
    }

    private async Task<IMetadataDatabase> MigratedAsync()
    {
        var database = await CreateDatabaseAsync();
        await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        foreach (var pool in new[] { "team-a", "team-b" })
        {
            await new TenantRepository(database).TryInsertAsync(new TenantRecord { Name = pool, CreatedAt = Now });
        }

        return database;
    }

    // Ids sort by creation, as UUIDv7 ids do; a counter keeps the order certain within one millisecond.
    private ChangeRequestRecord Request(string pool, string target) => new()
    {
        Id = $"{Interlocked.Increment(ref _sequence):D4}{Guid.NewGuid():N}",
        Kind = "environment",
        Pool = pool,
        Target = target,
        Operation = ChangeRequestOperations.Create,
        Payload = "{}",
        Summary = $"create {pool}/{target}",
        RequestedBy = "u-1",
        RequestedByName = "ana",
        RequestedAt = Now,
        Status = ChangeRequestStatuses.Open,
    };
}

public sealed class SqliteChangeRequestRepositoryTests : ChangeRequestRepositoryContract, IDisposable
{
    private readonly SqliteFiles _files = new();

    protected override Task<IMetadataDatabase> CreateDatabaseAsync() => _files.CreateAsync();

    public void Dispose() => _files.Dispose();
}

public sealed class PostgresChangeRequestRepositoryTests(Gantry.Testing.PostgresServer server)
    : ChangeRequestRepositoryContract, IClassFixture<Gantry.Testing.PostgresServer>
{
    protected override async Task<IMetadataDatabase> CreateDatabaseAsync() =>
        new PostgresMetadataDatabase(await server.CreateDatabaseAsync());
}
