using Gantry.Testing;
using System.Net;
using Gantry.Server.Identity;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gantry.Server.Tests.Identity;

public sealed class SigningKeyTests : IDisposable
{
    private readonly GantryServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task The_signing_key_is_made_on_first_start_readable_only_by_its_owner()
    {
        _ = _factory.CreateClient();

        var file = Assert.Single(Directory.GetFiles(Path.Combine(_factory.DataDir, "keys"), "*.json"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var jwks = await _factory.CreateClient().GetAsync("/.well-known/jwks.json").ExpectAsync(HttpStatusCode.OK);
        var key = Assert.Single(jwks.GetProperty("keys").EnumerateArray());
        Assert.Equal(Path.GetFileNameWithoutExtension(file), key.GetProperty("kid").GetString());
        Assert.Equal("ES256", key.GetProperty("alg").GetString());
        Assert.False(key.TryGetProperty("d", out _));
    }

    [Fact]
    public async Task Discovery_points_at_the_keys_and_the_token_endpoint()
    {
        var document = await _factory.CreateClient().GetAsync("/.well-known/openid-configuration").ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("gantry", document.GetProperty("issuer").GetString());
        Assert.EndsWith("/.well-known/jwks.json", document.GetProperty("jwks_uri").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/api/v1/auth/token", document.GetProperty("token_endpoint").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_rotation_old_tokens_still_work_and_both_keys_are_published()
    {
        var client = _factory.CreateClient();
        var oldToken = (await client.LoginAsync("admin", "test-admin-password")).GetProperty("access_token").GetString()!;
        var admin = _factory.CreateClient().WithBearer(oldToken);

        var rotated = await admin.PostAsync("/api/v1/auth/signing-keys/rotate", null).ExpectAsync(HttpStatusCode.OK);
        var newKid = rotated.GetProperty("keyId").GetString();

        await admin.GetAsync("/api/v1/tenants").ExpectAsync(HttpStatusCode.OK);
        var newToken = (await client.LoginAsync("admin", "test-admin-password")).GetProperty("access_token").GetString()!;
        Assert.Equal(newKid, new JsonWebToken(newToken).Kid);
        Assert.NotEqual(newKid, new JsonWebToken(oldToken).Kid);
        var jwks = await client.GetAsync("/.well-known/jwks.json").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, jwks.GetProperty("keys").GetArrayLength());
    }

    [Fact]
    public async Task Signing_key_rotation_answers_403_to_non_admins_like_every_other_admin_endpoint()
    {
        var key = await _factory.CreateClient()
            .WithBearer((await _factory.CreateClient().LoginAsync("admin", "test-admin-password")).GetProperty("access_token").GetString()!)
            .SendJsonAsync(HttpMethod.Post, "/api/v1/tenants/demo/api-keys", new { name = "k", role = "admin" }).ExpectAsync(HttpStatusCode.Created);

        await _factory.CreateClient().WithBearer(key.GetProperty("key").GetString()!).PostAsync("/api/v1/auth/signing-keys/rotate", null).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public void A_retired_key_is_removed_once_its_last_token_has_expired()
    {
        using var dataDir = new TempFolder("gantry-keys");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = Microsoft.Extensions.Options.Options.Create(new AuthOptions { AccessTokenMinutes = 15, SigningKeyRotationDays = 30 });
        var paths = new Gantry.Server.Hosting.GantryPaths(Microsoft.Extensions.Options.Options.Create(new Gantry.Server.Hosting.GantryOptions { DataDir = dataDir.Path }));
        var store = new SigningKeyStore(paths, options, time, Microsoft.Extensions.Logging.Abstractions.NullLogger<SigningKeyStore>.Instance);
        var first = store.Current;

        time.Advance(TimeSpan.FromDays(31));
        var second = store.Current;
        Assert.NotEqual(first.KeyId, second.KeyId);
        Assert.Equal(2, store.Published.Count);

        time.Advance(TimeSpan.FromMinutes(21));
        Assert.Equal([second.KeyId], store.Published.Select(k => k.KeyId));
        Assert.Single(Directory.GetFiles(store.Folder));
    }
}
