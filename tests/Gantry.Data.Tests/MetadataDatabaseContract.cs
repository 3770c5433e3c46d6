using Dapper;
using Gantry.Data.Identity;
using Gantry.Data.Migrations;
using Gantry.Data.Tenants;
using Gantry.Data.Users;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Data.Tests;

/// <summary>
/// One contract, run against every provider: what the rest of Gantry may rely on whichever database is configured.
/// </summary>
public abstract class MetadataDatabaseContract
{
    protected abstract Task<IMetadataDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task Migrations_apply_from_nothing_and_are_recorded()
    {
        var database = await CreateDatabaseAsync();
        var runner = new MigrationRunner(database, NullLogger<MigrationRunner>.Instance);

        var status = await runner.ApplyAsync();

        Assert.True(status.IsCurrent);
        Assert.Equal(Schema.LatestVersion, status.AppliedVersion);
        await using var connection = await database.OpenAsync();
        Assert.True((await runner.GetStatusAsync(connection)).IsCurrent);
    }

    [Fact]
    public async Task Applying_migrations_twice_changes_nothing()
    {
        var database = await CreateDatabaseAsync();
        var runner = new MigrationRunner(database, NullLogger<MigrationRunner>.Instance);

        await runner.ApplyAsync();
        var again = await runner.ApplyAsync();

        Assert.Equal(Schema.LatestVersion, again.AppliedVersion);
    }

    [Fact]
    public async Task A_migration_numbered_below_the_newest_applied_one_is_still_applied()
    {
        // Two features developed side by side: one database ran the build with 1 and 3 before 2 was merged.
        var database = await CreateDatabaseAsync();
        var first = new Migration(1, "one", "CREATE TABLE gap_one (id INTEGER)", "CREATE TABLE gap_one (id INTEGER)");
        var second = new Migration(2, "two", "CREATE TABLE gap_two (id INTEGER)", "CREATE TABLE gap_two (id INTEGER)");
        var third = new Migration(3, "three", "CREATE TABLE gap_three (id INTEGER)", "CREATE TABLE gap_three (id INTEGER)");
        await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance, [first, third]).ApplyAsync();

        var runner = new MigrationRunner(database, NullLogger<MigrationRunner>.Instance, [first, second, third]);
        await using (var before = await database.OpenAsync())
        {
            var pending = await runner.GetStatusAsync(before);
            Assert.False(pending.IsCurrent);
            Assert.Equal(1, pending.Pending);
        }

        var status = await runner.ApplyAsync();

        Assert.True(status.IsCurrent);
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM gap_two";
        Assert.Equal(0L, Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Users_round_trip_with_utc_timestamps()
    {
        var database = await MigratedAsync();
        var users = new UserRepository(database);
        var created = new DateTimeOffset(2026, 11, 23, 17, 30, 15, 123, TimeSpan.FromHours(2));
        var user = new UserRecord
        {
            Id = Guid.NewGuid().ToString(),
            Username = "alice",
            Email = "alice@example.com",
            PasswordHash = "hash",
            IsPlatformAdmin = true,
            CreatedAt = created,
            UpdatedAt = created,
        };

        await users.InsertAsync(user);
        var found = await users.FindByUsernameAsync("alice");

        Assert.NotNull(found);
        Assert.Equal(user.Id, found.Id);
        Assert.True(found.IsPlatformAdmin);
        Assert.Equal(created, found.CreatedAt);
        Assert.Equal(TimeSpan.Zero, found.CreatedAt.Offset);
        Assert.Equal(1, await users.CountAsync());
        Assert.Null(await users.FindByUsernameAsync("bob"));
    }

    [Fact]
    public async Task Usernames_are_unique()
    {
        var database = await MigratedAsync();
        var users = new UserRepository(database);
        var now = DateTimeOffset.UtcNow;
        await users.InsertAsync(new UserRecord { Id = "1", Username = "alice", CreatedAt = now, UpdatedAt = now });

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
            users.InsertAsync(new UserRecord { Id = "2", Username = "alice", CreatedAt = now, UpdatedAt = now }));
    }

    [Fact]
    public async Task Inserting_an_existing_tenant_reports_false_and_keeps_the_first()
    {
        var database = await MigratedAsync();
        var tenants = new TenantRepository(database);
        var now = DateTimeOffset.UtcNow;

        Assert.True(await tenants.TryInsertAsync(new TenantRecord { Name = "client1", DisplayName = "First", CreatedAt = now }));
        Assert.False(await tenants.TryInsertAsync(new TenantRecord { Name = "client1", DisplayName = "Second", CreatedAt = now }));

        Assert.Equal("First", (await tenants.FindAsync("client1"))?.DisplayName);
    }

    [Fact]
    public async Task Values_with_quotes_and_sql_are_stored_as_data()
    {
        var database = await MigratedAsync();
        var tenants = new TenantRepository(database);
        const string hostile = "x'); DROP TABLE tenants; --";

        await tenants.TryInsertAsync(new TenantRecord { Name = "client2", DisplayName = hostile, CreatedAt = DateTimeOffset.UtcNow });

        Assert.Equal(hostile, (await tenants.FindAsync("client2"))?.DisplayName);
    }

    [Fact]
    public async Task Concurrent_small_writes_are_each_committed_once()
    {
        var database = await MigratedAsync();
        var audit = new AuditRepository(database);

        // 16 at a time: PostgreSQL opens a connection per writer, and the test server allows 100 in all.
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, cancel) => await audit.InsertAsync(Event($"write-{i}"), cancel));

        var stored = await audit.ListAsync(tenant: null, beforeId: null, limit: 1000);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"write-{i}").Order(), stored.Select(e => e.Target!).Order());
    }

    [Fact]
    public async Task A_failing_write_leaves_nothing_of_its_own_and_the_writes_beside_it_stand()
    {
        var database = await MigratedAsync();
        var audit = new AuditRepository(database);

        // The failing write stores a row and then fails: that row must go, and only that one.
        Task Failing() => database.WriteAsync(async (connection, transaction, cancel) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO audit_events (occurred_at, action, outcome, target) VALUES (@at, 'test', 'success', 'failing')",
                new { at = DateTimeOffset.UtcNow }, transaction, cancellationToken: cancel));
            await connection.ExecuteAsync(new CommandDefinition("INSERT INTO no_such_table VALUES (1)", transaction: transaction, cancellationToken: cancel));
        });
        var writes = Enumerable.Range(0, 20).Select(i => i == 10 ? Failing() : audit.InsertAsync(Event($"write-{i}"))).ToList();

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => writes[10]);
        await Task.WhenAll(writes.Where((_, i) => i != 10));
        var stored = await audit.ListAsync(tenant: null, beforeId: null, limit: 1000);
        Assert.Equal(Enumerable.Range(0, 20).Where(i => i != 10).Select(i => $"write-{i}").Order(), stored.Select(e => e.Target!).Order());
    }

    private static AuditEventRecord Event(string target) =>
        new() { OccurredAt = DateTimeOffset.UtcNow, Action = "test", Outcome = "success", Target = target };

    private async Task<IMetadataDatabase> MigratedAsync()
    {
        var database = await CreateDatabaseAsync();
        await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        return database;
    }
}

public sealed class SqliteContractTests : MetadataDatabaseContract, IDisposable
{
    private readonly SqliteFiles _files = new();

    protected override Task<IMetadataDatabase> CreateDatabaseAsync() => _files.CreateAsync();

    [Fact]
    public async Task Every_connection_waits_for_a_busy_database_syncs_normally_and_keeps_a_small_page_cache_whether_pooled_or_not()
    {
        var database = await CreateDatabaseAsync();

        // Settings are made once per native handle; a pooled connection reopened keeps them, a new handle gets them.
        for (var i = 0; i < 3; i++)
        {
            foreach (var open in new Func<CancellationToken, Task<System.Data.Common.DbConnection>>[] { database.OpenAsync, database.OpenForWriteAsync, database.OpenUnpooledAsync })
            {
                await using var connection = await open(CancellationToken.None);
                Assert.Equal(30000L, await Pragma(connection, "busy_timeout"));
                Assert.Equal(1L, await Pragma(connection, "synchronous")); // NORMAL
                Assert.Equal(-256L, await Pragma(connection, "cache_size")); // KiB: SQLite's default is 2 MiB per connection
            }
        }

        static async Task<long> Pragma(System.Data.Common.DbConnection connection, string name)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA {name}";
            return (long)(await command.ExecuteScalarAsync())!;
        }
    }

    [Fact]
    public async Task Writes_that_queue_while_the_database_is_busy_are_committed_in_one_transaction()
    {
        var database = (SqliteMetadataDatabase)await CreateDatabaseAsync();
        await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        var transactions = new System.Collections.Concurrent.ConcurrentBag<System.Data.Common.DbTransaction>();
        var audit = new AuditRepository(database);

        List<Task> writes;
        await using (await database.OpenForWriteAsync())
        {
            // Another writer holds the database: the group commit takes at most the first write before it waits too.
            writes = [.. Enumerable.Range(0, 50).Select(i => database.WriteAsync(async (connection, transaction, cancel) =>
            {
                transactions.Add(transaction);
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO audit_events (occurred_at, action, outcome, target) VALUES (@at, 'test', 'success', @target)",
                    new { at = DateTimeOffset.UtcNow, target = $"write-{i}" }, transaction, cancellationToken: cancel));
            }))];
            await Task.Delay(100);
            Assert.All(writes, write => Assert.False(write.IsCompleted));
        }

        await Task.WhenAll(writes);
        Assert.InRange(transactions.Distinct().Count(), 1, 2);
        Assert.Equal(50, (await audit.ListAsync(tenant: null, beforeId: null, limit: 100)).Count);
    }

    public void Dispose() => _files.Dispose();
}

public sealed class PostgresContractTests(Gantry.Testing.PostgresServer server)
    : MetadataDatabaseContract, IClassFixture<Gantry.Testing.PostgresServer>
{
    protected override async Task<IMetadataDatabase> CreateDatabaseAsync() =>
        new PostgresMetadataDatabase(await server.CreateDatabaseAsync());
}
