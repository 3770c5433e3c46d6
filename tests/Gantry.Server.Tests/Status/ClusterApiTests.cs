using System.Net;
using System.Text;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Status;

public sealed class ClusterApiTests(StatusWorld world) : IClassFixture<StatusWorld>
{
    [Fact]
    public async Task Registering_answers_the_webhook_url_and_secret_once_and_the_database_never_holds_the_secret()
    {
        var registered = await world.As("platform-admin").SendJsonAsync(HttpMethod.Post, "/api/v1/clusters",
            new { name = "prod-eu", engine = "flux", tenants = new[] { StatusWorld.Tenant, StatusWorld.Other }, notifyUrl = "http://127.0.0.1:9" })
            .ExpectAsync(HttpStatusCode.Created);
        var secret = registered.GetProperty("webhookSecret").GetString()!;
        Assert.StartsWith("gantry_wh_", secret, StringComparison.Ordinal);
        var cluster = registered.GetProperty("cluster");
        Assert.EndsWith("/api/v1/webhooks/flux/prod-eu", cluster.GetProperty("webhookUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal([StatusWorld.Tenant, StatusWorld.Other], cluster.GetProperty("tenants").EnumerateArray().Select(t => t.GetString()));
        var setup = registered.GetProperty("setup").GetString()!;
        Assert.Contains("kind: Provider", setup, StringComparison.Ordinal);
        Assert.Contains("kind: Receiver", setup, StringComparison.Ordinal);
        Assert.Contains(secret, setup, StringComparison.Ordinal);

        var read = await world.As("platform-admin").GetAsync("/api/v1/clusters/prod-eu").ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(secret, read.GetRawText(), StringComparison.Ordinal);
        var list = await world.As("platform-admin").GetAsync("/api/v1/clusters").ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(secret, list.GetRawText(), StringComparison.Ordinal);
        var again = await world.As("platform-admin").GetStringAsync("/api/v1/clusters/prod-eu/setup");
        Assert.Contains("kind: Alert", again, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, again, StringComparison.Ordinal);
        Assert.DoesNotContain("kind: Secret", again, StringComparison.Ordinal);

        // Nowhere in the data folder: database, its journal, keys.
        foreach (var file in Directory.EnumerateFiles(world.Factory.DataDir, "*", SearchOption.AllDirectories).Where(f => !f.Contains("state.git", StringComparison.Ordinal)))
        {
            Assert.False(Encoding.UTF8.GetString(await ReadSharedAsync(file)).Contains(secret[10..], StringComparison.Ordinal), $"{file} holds the secret");
        }

        // Rotating makes a new secret; the old one stops working at once.
        var rotated = await world.As("platform-admin").SendJsonAsync(HttpMethod.Post, "/api/v1/clusters/prod-eu/rotate-secret").ExpectAsync(HttpStatusCode.OK);
        var newSecret = rotated.GetProperty("webhookSecret").GetString()!;
        Assert.NotEqual(secret, newSecret);
        var body = StatusWorld.FluxEvent(StatusWorld.Tenant, "nothing-here", 1, "info", "InstallSucceeded", "ok", DateTimeOffset.UtcNow);
        await world.PostFluxAsync("prod-eu", body, secret).ExpectAsync(HttpStatusCode.Unauthorized);
        await world.PostFluxAsync("prod-eu", body, newSecret).ExpectAsync(HttpStatusCode.Accepted);

        await world.As("platform-admin").SendJsonAsync(HttpMethod.Delete, "/api/v1/clusters/prod-eu").ExpectAsync(HttpStatusCode.NoContent);
        await world.PostFluxAsync("prod-eu", body, newSecret).ExpectAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_tenant_admin_registers_a_cluster_for_their_own_tenant_only_and_sees_only_such_clusters()
    {
        var admin = world.As("acme-admin");
        await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/clusters", new { name = "acme-own", engine = "flux", tenants = new[] { StatusWorld.Tenant } })
            .ExpectAsync(HttpStatusCode.Created);
        await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/clusters", new { name = "acme-grab", engine = "flux", tenants = new[] { StatusWorld.Other } })
            .ExpectAsync(HttpStatusCode.Forbidden);
        await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/clusters", new { name = "acme-both", engine = "flux", tenants = new[] { StatusWorld.Tenant, StatusWorld.Other } })
            .ExpectAsync(HttpStatusCode.Forbidden);
        await world.As("acme-viewer").SendJsonAsync(HttpMethod.Post, "/api/v1/clusters", new { name = "viewer-own", engine = "flux", tenants = new[] { StatusWorld.Tenant } })
            .ExpectAsync(HttpStatusCode.Forbidden);

        // A tenant admin may not aim Gantry's notifications at loopback or cloud metadata addresses.
        var aimed = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/clusters",
            new { name = "acme-ssrf", engine = "argocd", tenants = new[] { StatusWorld.Tenant }, notifyUrl = "http://169.254.169.254/latest" })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(aimed.GetProperty("errors").TryGetProperty("notifyUrl", out _));
        await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/clusters",
            new { name = "acme-mapped", engine = "argocd", tenants = new[] { StatusWorld.Tenant }, notifyUrl = "http://[::ffff:169.254.169.254]/latest" })
            .ExpectAsync(HttpStatusCode.BadRequest);

        var names = (await admin.GetAsync("/api/v1/clusters").ExpectAsync(HttpStatusCode.OK)).EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("acme-own", names);
        Assert.Contains("flux-acme", names);
        Assert.DoesNotContain("flux-beta", names);
        await world.As("beta-admin").GetAsync("/api/v1/clusters/acme-own").ExpectAsync(HttpStatusCode.NotFound);
        await world.As("beta-admin").SendJsonAsync(HttpMethod.Delete, "/api/v1/clusters/acme-own").ExpectAsync(HttpStatusCode.NotFound);
        await world.As("beta-admin").SendJsonAsync(HttpMethod.Post, "/api/v1/clusters/acme-own/rotate-secret").ExpectAsync(HttpStatusCode.NotFound);
        await admin.SendJsonAsync(HttpMethod.Delete, "/api/v1/clusters/acme-own").ExpectAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Bad_registrations_name_every_bad_field_and_a_taken_name_is_a_conflict()
    {
        var problem = await world.As("platform-admin").SendJsonAsync(HttpMethod.Post, "/api/v1/clusters",
            new { name = "Prod_EU", engine = "fleet", tenants = new[] { "acme", "acme" }, notifyUrl = "ftp://x" }).ExpectAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "name", "engine", "tenants", "notifyUrl" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }

        var unknown = await world.As("platform-admin").SendJsonAsync(HttpMethod.Post, "/api/v1/clusters",
            new { name = "ghost", engine = "flux", tenants = new[] { "no-such-tenant" } }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("no-such-tenant", unknown.GetProperty("errors").GetProperty("tenants[0]")[0].GetString(), StringComparison.Ordinal);

        await world.As("platform-admin").SendJsonAsync(HttpMethod.Post, "/api/v1/clusters", new { name = "flux-acme", engine = "flux", tenants = new[] { "acme" } })
            .ExpectAsync(HttpStatusCode.Conflict);
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
