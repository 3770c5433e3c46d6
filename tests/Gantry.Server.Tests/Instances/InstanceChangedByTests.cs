using System.Net;
using System.Text.Json;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Server.Tests.Status;

namespace Gantry.Server.Tests.Instances;

/// <summary>Who made an instance's last change (<c>changedBy</c>): each change's author, kept through engine reports and a reindex.</summary>
public sealed class InstanceChangedByTests(StatusWorld world) : IClassFixture<StatusWorld>
{
    private const string Tenant = StatusWorld.Tenant;
    private const string Name = "who-db";

    [Fact]
    public async Task Each_users_change_shows_them_as_changed_by_and_an_engine_report_or_a_reindex_leaves_it()
    {
        var created = await world.PutInstanceAsync(Tenant, Name);
        Assert.Equal("acme-admin", created.GetProperty("changedBy").GetString());
        Assert.Equal("acme-admin", (await ListedAsync()).GetProperty("changedBy").GetString());

        var scaled = await world.As("platform-admin").SendJsonAsync(HttpMethod.Post, $"/api/v1/tenants/{Tenant}/instances/{Name}/scale", new { replicas = 2 })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("admin", scaled.GetProperty("changedBy").GetString());
        Assert.Equal("admin", (await ListedAsync()).GetProperty("changedBy").GetString());

        var generation = scaled.GetProperty("status").GetProperty("generation").GetInt64();
        await world.PostFluxAsync("flux-acme", StatusWorld.FluxEvent(Tenant, Name, generation, "info", "UpgradeSucceeded", "Helm upgrade succeeded", DateTimeOffset.UtcNow))
            .ExpectAsync(HttpStatusCode.Accepted);
        var reported = await world.As("acme-viewer").GetAsync($"/api/v1/tenants/{Tenant}/instances/{Name}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Ready", reported.GetProperty("status").GetProperty("phase").GetString());
        Assert.Equal("admin", reported.GetProperty("changedBy").GetString());

        // Rebuilt from Git, the row names the author of the commit that last changed the claim.
        await world.As("platform-admin").PostAsync("/api/v1/admin/reindex", null).ExpectAsync(HttpStatusCode.OK);
        var reindexed = await ListedAsync();
        Assert.Equal("admin", reindexed.GetProperty("changedBy").GetString());
        Assert.Equal("Ready", reindexed.GetProperty("status").GetProperty("phase").GetString());
    }

    private async Task<JsonElement> ListedAsync()
    {
        var page = await world.As("acme-viewer").GetAsync($"/api/v1/tenants/{Tenant}/instances?prefix={Name}").ExpectAsync(HttpStatusCode.OK);
        return Assert.Single(page.GetProperty("items").EnumerateArray());
    }
}
