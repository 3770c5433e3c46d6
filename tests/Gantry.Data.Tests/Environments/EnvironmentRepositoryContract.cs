using Dapper;
using Gantry.Data.Environments;
using Gantry.Data.Migrations;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Data.Tests.Environments;

/// <summary>The environment index (migrations 5 and 12), on every provider.</summary>
public abstract class EnvironmentRepositoryContract
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<IMetadataDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task Upsert_keeps_created_at_and_updates_the_rest()
    {
        var repository = new EnvironmentRepository(await MigratedAsync());

        await repository.UpsertAsync(Record("env1", "pool-a"));
        await repository.UpsertAsync(Record("env1", "pool-a") with { Revision = "r2", CreatedAt = Now.AddDays(1), ExpiresAt = Now.AddHours(48) });

        var found = await repository.FindAsync("env1");
        Assert.Equal("r2", found?.Revision);
        Assert.Equal(Now, found?.CreatedAt);
        Assert.Equal(Now.AddHours(48), found?.ExpiresAt);
        Assert.Equal(["auth-service", "user-service"], found?.ServiceNames);
    }

    [Fact]
    public async Task Lists_are_limited_to_the_given_pools_and_filtered()
    {
        var repository = new EnvironmentRepository(await MigratedAsync());
        await repository.UpsertAsync(Record("a1", "pool-a"));
        await repository.UpsertAsync(Record("a2", "pool-a") with { Type = "sue", ExpiresAt = Now.AddHours(24), Services = ",api-gateway," });
        await repository.UpsertAsync(Record("b1", "pool-b") with { UserName = "jane" });

        Assert.Equal(["a1", "a2"], Names(await repository.ListAsync(new EnvironmentQuery { Pools = ["pool-a"] })));
        Assert.Empty(await repository.ListAsync(new EnvironmentQuery { Pools = [] }));
        Assert.Equal(["a1", "a2", "b1"], Names(await repository.ListAsync(new EnvironmentQuery())));
        Assert.Equal(["a2"], Names(await repository.ListAsync(new EnvironmentQuery { Type = "sue" })));
        Assert.Equal(["a2"], Names(await repository.ListAsync(new EnvironmentQuery { ExpiringBefore = Now.AddHours(25) })));
        Assert.Equal(["b1"], Names(await repository.ListAsync(new EnvironmentQuery { User = "jane" })));
        Assert.Equal(["a1", "b1"], Names(await repository.ListAsync(new EnvironmentQuery { Service = "auth-service" })));

        // A service name must match whole: "auth" is not "auth-service"; free text matches parts, '%' literally.
        Assert.Empty(await repository.ListAsync(new EnvironmentQuery { Service = "auth" }));
        Assert.Equal(["a2"], Names(await repository.ListAsync(new EnvironmentQuery { Text = "GATEWAY" })));
        Assert.Empty(await repository.ListAsync(new EnvironmentQuery { Text = "%" }));
        Assert.Equal(["a2"], Names(await repository.ListAsync(new EnvironmentQuery { After = "a1", Limit = 1 })));
    }

    [Fact]
    public async Task Expired_environments_are_found_by_their_expiry()
    {
        var repository = new EnvironmentRepository(await MigratedAsync());
        await repository.UpsertAsync(Record("forever", "pool-a"));
        await repository.UpsertAsync(Record("soon", "pool-a") with { ExpiresAt = Now.AddHours(1) });
        await repository.UpsertAsync(Record("later", "pool-a") with { ExpiresAt = Now.AddHours(30) });

        Assert.Empty(await repository.ListExpiredAsync(Now, 10));
        Assert.Equal(["soon"], Names(await repository.ListExpiredAsync(Now.AddHours(2), 10)));
        Assert.Equal(["soon", "later"], Names(await repository.ListExpiredAsync(Now.AddDays(2), 10)));
    }

    [Fact]
    public async Task Replacing_the_index_drops_what_is_not_given()
    {
        var repository = new EnvironmentRepository(await MigratedAsync());
        await repository.UpsertAsync(Record("old", "pool-a"));

        await repository.ReplaceAllAsync([Record("new", "pool-b")]);

        Assert.Equal(["new"], Names(await repository.ListAsync(new EnvironmentQuery())));
        Assert.True(await repository.DeleteAsync("new"));
        Assert.False(await repository.DeleteAsync("new"));
    }

    [Fact]
    public async Task Migration_12_adds_service_versions_and_leaves_rows_indexed_before_it_without_any()
    {
        var database = await CreateDatabaseAsync();
        await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance, Schema.Migrations.Where(m => m.Version <= 11).ToList()).ApplyAsync();
        await using (var connection = await database.OpenForWriteAsync())
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO environments (name, pool, type, user_name, deployment_method, services, revision, created_at, updated_at)
                VALUES ('env1', 'pool-a', 'dev', 'john', 'bucket', ',auth-service,user-service,', 'r1', @Now, @Now)
                """, new { Now });
        }

        var status = await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance, Schema.Migrations.Where(m => m.Version <= 12).ToList()).ApplyAsync();
        var repository = new EnvironmentRepository(database);
        var before = await repository.FindAsync("env1");
        var versions = EnvironmentRecord.SerializeVersions([new("auth-service", "v2.1.0"), new("user-service", "v1.2.3")]);
        await repository.UpsertAsync(Record("env1", "pool-a") with { Revision = "r2", ServiceVersions = versions });

        Assert.Equal(12, status.AppliedVersion);
        Assert.Equal("r1", before?.Revision);
        Assert.Null(before?.ServiceVersions);
        Assert.Null(before?.VersionsByService);
        var listed = Assert.Single(await repository.ListAsync(new EnvironmentQuery()));
        Assert.Equal(new Dictionary<string, string> { ["auth-service"] = "v2.1.0", ["user-service"] = "v1.2.3" }, listed.VersionsByService!.ToDictionary());
        Assert.Equal("v1.2.3", (await repository.FindAsync("env1"))?.VersionsByService?["user-service"]);
    }

    [Fact]
    public async Task Replacing_the_index_records_service_versions()
    {
        var repository = new EnvironmentRepository(await MigratedAsync());
        var versions = EnvironmentRecord.SerializeVersions([new("user-service", "v1.3.0-dev.2"), new("auth-service", "v2.1.0")]);

        await repository.ReplaceAllAsync([Record("env1", "pool-a") with { ServiceVersions = versions }]);

        var found = await repository.FindAsync("env1");
        Assert.Equal("""{"user-service":"v1.3.0-dev.2","auth-service":"v2.1.0"}""", found?.ServiceVersions);
        Assert.Equal("v1.3.0-dev.2", found?.VersionsByService?["user-service"]);
    }

    private static List<string> Names(IEnumerable<EnvironmentRecord> records) => records.Select(r => r.Name).ToList();

    private async Task<IMetadataDatabase> MigratedAsync()
    {
        var database = await CreateDatabaseAsync();
        await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        return database;
    }

    private static EnvironmentRecord Record(string name, string pool) => new()
    {
        Name = name,
        Pool = pool,
        Type = "dev",
        UserName = "john",
        DeploymentMethod = "bucket",
        Services = EnvironmentRecord.FrameServices(["auth-service", "user-service"]),
        Revision = "r1",
        CreatedAt = Now,
        UpdatedAt = Now,
    };
}

public sealed class SqliteEnvironmentRepositoryTests : EnvironmentRepositoryContract, IDisposable
{
    private readonly SqliteFiles _files = new();

    protected override Task<IMetadataDatabase> CreateDatabaseAsync() => _files.CreateAsync();

    public void Dispose() => _files.Dispose();
}

public sealed class PostgresEnvironmentRepositoryTests(Gantry.Testing.PostgresServer server)
    : EnvironmentRepositoryContract, IClassFixture<Gantry.Testing.PostgresServer>
{
    protected override async Task<IMetadataDatabase> CreateDatabaseAsync() =>
        new PostgresMetadataDatabase(await server.CreateDatabaseAsync());
}
