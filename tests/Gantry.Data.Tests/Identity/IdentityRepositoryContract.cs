using Gantry.Core.Identity;
using Gantry.Data.Identity;
using Gantry.Data.Migrations;
using Gantry.Data.Tenants;
using Gantry.Data.Users;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Data.Tests.Identity;

/// <summary>
/// What the identity repositories promise, run against SQLite and against a real PostgreSQL: the same SQL
/// contract on both, cascades included.
/// </summary>
public abstract class IdentityRepositoryContract : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private IMetadataDatabase _database = null!;

    protected abstract Task<IMetadataDatabase> CreateDatabaseAsync();

    protected virtual Task DisposeDatabaseAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        UtcDateTimeOffsetHandler.Register();
        _database = await CreateDatabaseAsync();
        await _database.EnsureCreatedAsync();
        var status = await new MigrationRunner(_database, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        Assert.True(status.IsCurrent);
    }

    public async Task DisposeAsync()
    {
        _database.ReleasePool();
        if (_database is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        await DisposeDatabaseAsync();
    }

    private static UserRecord User(string name) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Username = name,
        PasswordHash = "hash",
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    private async Task<(UserRecord User, TenantRecord Tenant)> SeedAsync()
    {
        var user = User("alice");
        await new UserRepository(_database).InsertAsync(user);
        var tenant = new TenantRecord
        {
            Name = "acme",
            CreatedAt = Now,
            Quotas = new TenantQuotas { MaxInstances = 3, MaxReplicasPerInstance = 2, AllowedOfferings = ["qdrant"], AllowedEnvironmentTypes = ["dev", "sue"] },
        };
        Assert.True(await new TenantRepository(_database).TryInsertAsync(tenant));
        return (user, tenant);
    }

    [Fact]
    public async Task Tenant_quotas_round_trip_and_update()
    {
        var (_, tenant) = await SeedAsync();
        var tenants = new TenantRepository(_database);

        Assert.Equal(tenant.Quotas.AllowedEnvironmentTypes, (await tenants.FindAsync("acme"))!.Quotas.AllowedEnvironmentTypes);
        Assert.True(await tenants.UpdateAsync(tenant with { DisplayName = "Acme", Quotas = new TenantQuotas { MaxInstances = 9 } }));

        var found = await tenants.FindAsync("acme");
        Assert.Equal("Acme", found!.DisplayName);
        Assert.Equal(9, found.Quotas.MaxInstances);
        Assert.Null(found.Quotas.AllowedOfferings);
        Assert.False(await tenants.TryInsertAsync(tenant));
    }

    [Fact]
    public async Task A_tenant_read_again_is_never_older_than_the_last_write()
    {
        var tenants = new TenantRepository(_database);
        var tenant = new TenantRecord { Name = "later", CreatedAt = Now };

        Assert.Null(await tenants.FindAsync("later"));
        Assert.True(await tenants.TryInsertAsync(tenant));
        Assert.NotNull(await tenants.FindAsync("later"));
        Assert.True(await tenants.UpdateAsync(tenant with { Quotas = new TenantQuotas { MaxInstances = 1 } }));
        Assert.Equal(1, (await tenants.FindAsync("later"))!.Quotas.MaxInstances);
        Assert.True(await tenants.DeleteAsync("later"));
        Assert.Null(await tenants.FindAsync("later"));
    }

    [Fact]
    public async Task Memberships_upsert_and_deleting_a_tenant_removes_its_memberships_and_keys()
    {
        var (user, _) = await SeedAsync();
        var memberships = new MembershipRepository(_database);
        var keys = new ApiKeyRepository(_database);

        Assert.True(await memberships.UpsertAsync(new MembershipRecord { Tenant = "acme", UserId = user.Id, Role = TenantRoles.Viewer, CreatedAt = Now }));
        Assert.False(await memberships.UpsertAsync(new MembershipRecord { Tenant = "acme", UserId = user.Id, Role = TenantRoles.Admin, CreatedAt = Now }));
        Assert.Equal(TenantRoles.Admin, Assert.Single(await memberships.ListForUserAsync(user.Id)).Role);
        await keys.InsertAsync(new ApiKeyRecord
        {
            Id = "k1", Tenant = "acme", Name = "ci", Role = TenantRoles.Viewer, Prefix = "gantry_ak_abcd", SecretHash = "h1", CreatedBy = user.Id, CreatedAt = Now,
        });

        Assert.True(await new TenantRepository(_database).DeleteAsync("acme"));

        Assert.Empty(await memberships.ListForUserAsync(user.Id));
        Assert.Null(await keys.FindByHashAsync("h1"));
    }

    [Fact]
    public async Task A_refresh_token_is_marked_used_exactly_once_and_deleting_the_user_removes_it()
    {
        var (user, _) = await SeedAsync();
        var tokens = new RefreshTokenRepository(_database);
        await tokens.InsertAsync(new RefreshTokenRecord { Id = "t1", TokenHash = "th1", FamilyId = "f1", UserId = user.Id, CreatedAt = Now, ExpiresAt = Now.AddDays(1) });

        var attempts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => tokens.TryMarkUsedAsync("t1", Now)));

        Assert.Equal(1, attempts.Count(a => a));
        Assert.NotNull((await tokens.FindByHashAsync("th1"))!.UsedAt);
        Assert.Equal(1, await tokens.RevokeFamilyAsync("f1", Now));
        Assert.True(await new UserRepository(_database).DeleteAsync(user.Id));
        Assert.Null(await tokens.FindByHashAsync("th1"));
    }

    [Fact]
    public async Task Api_keys_are_revoked_once_and_only_in_their_tenant()
    {
        var (user, _) = await SeedAsync();
        var keys = new ApiKeyRepository(_database);
        await keys.InsertAsync(new ApiKeyRecord
        {
            Id = "k1", Tenant = "acme", Name = "ci", Role = TenantRoles.Viewer, Prefix = "gantry_ak_abcd", SecretHash = "h1", CreatedBy = user.Id, CreatedAt = Now, ExpiresAt = Now.AddDays(30),
        });

        Assert.False(await keys.RevokeAsync("other", "k1", Now));
        Assert.True(await keys.RevokeAsync("acme", "k1", Now));
        Assert.False(await keys.RevokeAsync("acme", "k1", Now));
        var key = Assert.Single(await keys.ListForTenantAsync("acme"));
        Assert.Equal(Now, key.RevokedAt);
        Assert.Equal(Now.AddDays(30), key.ExpiresAt);
    }

    [Fact]
    public async Task Audit_lists_newest_first_by_tenant_and_page()
    {
        var audit = new AuditRepository(_database);
        foreach (var (action, tenant) in new[] { ("a", "acme"), ("b", (string?)null), ("c", "acme"), ("d", "other") })
        {
            await audit.InsertAsync(new AuditEventRecord { OccurredAt = Now, Action = action, Outcome = "success", Tenant = tenant, ClientIp = "127.0.0.1" });
        }

        Assert.Equal(["d", "c", "b", "a"], (await audit.ListAsync(null, null, 10)).Select(e => e.Action));
        var acme = await audit.ListAsync("acme", null, 10);
        Assert.Equal(["c", "a"], acme.Select(e => e.Action));
        Assert.Equal(["a"], (await audit.ListAsync("acme", acme[0].Id, 10)).Select(e => e.Action));
        Assert.Equal(["d"], (await audit.ListAsync(null, null, 1)).Select(e => e.Action));
    }

    [Fact]
    public async Task Audit_filters_by_actor_action_prefix_target_and_time()
    {
        var audit = new AuditRepository(_database);
        var rows = new[]
        {
            ("instance.create", "alice", "db1", Now), ("instance.scale", "alice", "db1", Now.AddMinutes(1)),
            ("instance.scale", "bob", "db2", Now.AddMinutes(2)), ("instance_scale", "bob", "db2", Now.AddMinutes(3)), ("tenant.create", "admin", "acme", Now.AddMinutes(4)),
        };
        foreach (var (action, actor, target, when) in rows)
        {
            await audit.InsertAsync(new AuditEventRecord { OccurredAt = when, Action = action, Outcome = "success", ActorId = "id-" + actor, ActorName = actor, Target = target });
        }

        Assert.Equal(["instance.scale", "instance.create"], (await audit.ListAsync(new AuditQuery { Actor = "alice" })).Select(e => e.Action));
        Assert.Equal(["instance.create"], (await audit.ListAsync(new AuditQuery { Actor = "id-alice", Action = "instance.create" })).Select(e => e.Action));

        // The prefix is taken literally: '_' is no wildcard, so instance_scale is not an instance.* action.
        Assert.Equal(3, (await audit.ListAsync(new AuditQuery { Action = "instance.*" })).Count);
        Assert.Equal(["bob"], (await audit.ListAsync(new AuditQuery { Target = "db2", Action = "instance.*" })).Select(e => e.ActorName));
        Assert.Equal(["instance_scale", "instance.scale"],
            (await audit.ListAsync(new AuditQuery { Since = Now.AddMinutes(2), Until = Now.AddMinutes(4) })).Select(e => e.Action));
    }

    [Fact]
    public async Task External_users_are_found_by_issuer_and_subject_and_usernames_stay_unique()
    {
        var users = new UserRepository(_database);
        var external = User("corp/bob") with { PasswordHash = null, ExternalIssuer = "corp", ExternalSubject = "sub-1" };

        Assert.True(await users.TryInsertAsync(external));
        Assert.False(await users.TryInsertAsync(User("corp/bob")));

        Assert.Equal(external.Id, (await users.FindByExternalAsync("corp", "sub-1"))!.Id);
        Assert.Null(await users.FindByExternalAsync("other", "sub-1"));
    }
}

public sealed class SqliteIdentityRepositoryTests : IdentityRepositoryContract
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"gantry-data-{Guid.NewGuid():N}");

    protected override Task<IMetadataDatabase> CreateDatabaseAsync() =>
        Task.FromResult<IMetadataDatabase>(new SqliteMetadataDatabase($"Data Source={Path.Combine(_folder, "gantry.db")}"));

    protected override Task DisposeDatabaseAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class PostgresIdentityRepositoryTests(Gantry.Testing.PostgresServer server)
    : IdentityRepositoryContract, IClassFixture<Gantry.Testing.PostgresServer>
{
    protected override async Task<IMetadataDatabase> CreateDatabaseAsync() =>
        new PostgresMetadataDatabase(await server.CreateDatabaseAsync());
}
