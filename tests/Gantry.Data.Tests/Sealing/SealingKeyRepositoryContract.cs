using Gantry.Data.Migrations;
using Gantry.Data.Sealing;
using Gantry.Data.Tenants;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Data.Tests.Sealing;

/// <summary>Tenant sealing keys, on every provider.</summary>
public abstract class SealingKeyRepositoryContract
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<IMetadataDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task First_key_is_inserted_once_and_found_active()
    {
        var repository = new SealingKeyRepository(await MigratedAsync());

        Assert.Null(await repository.FindActiveAsync("client1"));
        Assert.True(await repository.TryInsertFirstAsync(Key("k1")));
        Assert.False(await repository.TryInsertFirstAsync(Key("k2")));

        var active = await repository.FindActiveAsync("client1");
        Assert.Equal("k1", active?.Id);
        Assert.Equal("-----BEGIN RSA PRIVATE KEY-----k1", active?.PrivateKey);
        Assert.Equal(Now.AddYears(10), active?.NotAfter);
        Assert.Null(active?.DownloadedAt);
    }

    [Fact]
    public async Task Private_key_is_taken_once_and_cleared()
    {
        var repository = new SealingKeyRepository(await MigratedAsync());
        await repository.TryInsertFirstAsync(Key("k1") with { EscrowedKey = "escrowed" });

        Assert.Null(await repository.TakePrivateKeyAsync("other", "k1", Now));
        Assert.Equal("-----BEGIN RSA PRIVATE KEY-----k1", await repository.TakePrivateKeyAsync("client1", "k1", Now.AddHours(1)));
        Assert.Null(await repository.TakePrivateKeyAsync("client1", "k1", Now.AddHours(2)));

        var active = await repository.FindActiveAsync("client1");
        Assert.Null(active?.PrivateKey);
        Assert.Equal("escrowed", active?.EscrowedKey);
        Assert.Equal(Now.AddHours(1), active?.DownloadedAt);
    }

    [Fact]
    public async Task Concurrent_takes_hand_the_private_key_to_exactly_one_caller()
    {
        var repository = new SealingKeyRepository(await MigratedAsync());
        await repository.TryInsertFirstAsync(Key("k1"));

        var taken = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => repository.TakePrivateKeyAsync("client1", "k1", Now))));

        Assert.Single(taken, k => k is not null);
    }

    [Fact]
    public async Task Replacing_retires_the_active_key_and_keeps_its_certificate()
    {
        var repository = new SealingKeyRepository(await MigratedAsync());
        await repository.TryInsertFirstAsync(Key("k1"));

        Assert.Equal("k1", await repository.ReplaceActiveAsync(Key("k2") with { CreatedAt = Now.AddDays(1) }));

        Assert.Equal("k2", (await repository.FindActiveAsync("client1"))?.Id);
        var all = await repository.ListAsync("client1");
        Assert.Equal(["k2", "k1"], all.Select(k => k.Id));
        Assert.Equal(Now.AddDays(1), all[1].RetiredAt);
        Assert.Equal("CERT k1", all[1].CertificatePem);
    }

    [Fact]
    public async Task Keys_go_with_their_tenant()
    {
        var database = await MigratedAsync();
        var repository = new SealingKeyRepository(database);
        await repository.TryInsertFirstAsync(Key("k1"));

        await new TenantRepository(database).DeleteAsync("client1");

        Assert.Empty(await repository.ListAsync("client1"));
    }

    private async Task<IMetadataDatabase> MigratedAsync()
    {
        var database = await CreateDatabaseAsync();
        await new MigrationRunner(database, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        await new TenantRepository(database).TryInsertAsync(new TenantRecord { Name = "client1", CreatedAt = Now });
        return database;
    }

    private static SealingKeyRecord Key(string id) => new()
    {
        Id = id,
        Tenant = "client1",
        Mode = SealingKeyModes.TenantKey,
        CertificatePem = $"CERT {id}",
        NotAfter = Now.AddYears(10),
        PrivateKey = $"-----BEGIN RSA PRIVATE KEY-----{id}",
        CreatedAt = Now,
    };
}

public sealed class SqliteSealingKeyRepositoryTests : SealingKeyRepositoryContract, IDisposable
{
    private readonly SqliteFiles _files = new();

    protected override Task<IMetadataDatabase> CreateDatabaseAsync() => _files.CreateAsync();

    public void Dispose() => _files.Dispose();
}

public sealed class PostgresSealingKeyRepositoryTests(Gantry.Testing.PostgresServer server)
    : SealingKeyRepositoryContract, IClassFixture<Gantry.Testing.PostgresServer>
{
    protected override async Task<IMetadataDatabase> CreateDatabaseAsync() =>
        new PostgresMetadataDatabase(await server.CreateDatabaseAsync());
}
